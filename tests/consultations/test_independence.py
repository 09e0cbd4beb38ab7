"""The independence record: when each author could first read the others' opinions, which kept
versions came after, and what they changed (``services.note_readable_others``,
``services._record_version``, ``selectors.independence``)."""

import pytest
from django.test import Client
from django.utils import translation

from consultations.opinions import selectors, services
from consultations.opinions.models import Opinion, OpinionVersion
from reviews import services as review_services
from tests.consultations.conftest import build_open_review, panel_of

pytestmark = pytest.mark.django_db

SCORES = {"necessity": 9, "feasibility": 8, "soundness": 7}


def write(opinion, summary, *, label="", reason="", points=None):
    saved = services.save_opinion(
        opinion,
        by=opinion.expert.user,
        data={"conclusion": "agree", "scores": SCORES, "summary": summary, "points": points or []},
        expected_version=Opinion.objects.get(pk=opinion.pk).version,
        label=label,
        reason=reason,
    )
    return saved


def submit(opinion, summary):
    write(opinion, summary)
    return services.submit_opinion(Opinion.objects.get(pk=opinion.pk), by=opinion.expert.user)


def fresh(opinion):
    return Opinion.objects.get(pk=opinion.pk)


def marks(opinion):
    return list(
        OpinionVersion.objects.filter(opinion=opinion).order_by("number").values_list("kind", "after_reading_others")
    )


def test_first_to_submit_cannot_read_others_until_another_seals(secretariat_user):
    review = build_open_review(secretariat_user)
    a, b, _c = panel_of(review)

    submit(a, "甲的意见")
    alone = fresh(a).read_others_at
    submit(b, "乙的意见")

    assert (alone, fresh(a).read_others_at is not None, fresh(b).read_others_at is not None) == (None, True, True)


def test_addendum_after_reading_others_is_flagged_with_what_changed(secretariat_user):
    review = build_open_review(secretariat_user)
    a, b, _c = panel_of(review)
    write(a, "甲的草稿", label="初稿")
    submit(a, "甲的意见")
    submit(b, "乙的意见")  # b's seal gives a something to read; b reads a's from its own seal

    write(a, "甲的意见，补充：同意乙的看法", reason="读了乙的意见")
    record = selectors.independence([fresh(a), fresh(b)])

    assert marks(a) == [("named", False), ("submitted", False), ("addendum", True)]
    assert record[a.pk]["changed_after_reading_others"] is True
    assert [(c["number"], c["kind"], c["changes"]) for c in record[a.pk]["changes"]] == [
        (3, "addendum", [{"field": "summary", "before": "甲的意见", "after": "甲的意见，补充：同意乙的看法"}])
    ]
    assert record[a.pk]["read_others_at"] == fresh(a).read_others_at


def test_author_who_never_changes_after_reading_is_not_flagged(secretariat_user):
    review = build_open_review(secretariat_user)
    a, b, _c = panel_of(review)
    submit(a, "甲的意见")
    submit(b, "乙的意见")

    record = selectors.independence([fresh(b)])

    assert marks(b) == [("submitted", False)]
    assert (record[b.pk]["read_others_at"] is not None, record[b.pk]["changed_after_reading_others"]) == (True, False)
    assert record[b.pk]["changes"] == []


def test_versions_before_the_moment_are_not_marked(secretariat_user):
    review = build_open_review(secretariat_user)
    a, b, _c = panel_of(review)
    submit(a, "甲的意见")
    write(a, "甲的意见（更正错字）", reason="错字")  # an addendum before anyone else sealed: independent
    submit(b, "乙的意见")

    record = selectors.independence([fresh(a)])

    assert marks(a) == [("submitted", False), ("addendum", False)]
    assert record[a.pk]["changed_after_reading_others"] is False


def test_until_closed_review_records_the_close_as_the_moment(secretariat_user):
    review = build_open_review(secretariat_user, blind="until_closed")
    a, b, c = panel_of(review)
    submit(a, "甲的意见")
    submit(b, "乙的意见")
    before_close = [fresh(o).read_others_at for o in (a, b, c)]

    review_services.transition(review, "closed", by=secretariat_user)

    assert before_close == [None, None, None]
    # c never submitted but reads every sealed opinion in the consolidation from the close on
    assert [fresh(o).read_others_at is not None for o in (a, b, c)] == [True, True, True]


def test_the_moment_is_set_once_and_never_moves(secretariat_user):
    review = build_open_review(secretariat_user)
    a, b, c = panel_of(review)
    submit(a, "甲的意见")
    submit(b, "乙的意见")
    first = fresh(a).read_others_at

    submit(c, "丙的意见")
    review_services.transition(review, "closed", by=secretariat_user)

    assert fresh(a).read_others_at == first


def test_a_draft_has_no_independence_changes(secretariat_user):
    review = build_open_review(secretariat_user)
    a, b, c = panel_of(review)
    submit(a, "甲的意见")
    submit(b, "乙的意见")
    write(c, "丙的草稿", label="初稿")

    record = selectors.independence([fresh(c)])

    assert record[c.pk] == {"read_others_at": None, "changed_after_reading_others": False, "changes": []}


def test_independence_of_many_opinions_is_one_query(secretariat_user, django_assert_num_queries):
    review = build_open_review(secretariat_user)
    opinions = panel_of(review)
    for index, opinion in enumerate(opinions):
        submit(opinion, f"意见{index}")
    write(opinions[0], "意见0，补充", reason="补充")
    rows = [fresh(o) for o in opinions]

    with django_assert_num_queries(1):
        record = selectors.independence(rows)

    assert [record[o.pk]["changed_after_reading_others"] for o in opinions] == [True, False, False]


# ---------------------------------------------------------------- what the API and the pages show


def api_get(user, path):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    response = client.get(path)
    return response


def sealed_with_an_addendum_after_reading(secretariat_user):
    """a seals, b seals (a can now read b's), a adds an addendum; c keeps a named draft."""
    review = build_open_review(secretariat_user)
    a, b, c = panel_of(review)
    submit(a, "甲的意见")
    submit(b, "乙的意见")
    write(a, "甲的意见，补充", reason="补充")
    write(c, "DRAFT-C-secret", label="初稿", points=[{"text": "DRAFT-C-point"}])
    return review, a, b, c


def test_opinions_api_flags_the_opinion_changed_after_reading_others(secretariat_user):
    review, a, b, c = sealed_with_an_addendum_after_reading(secretariat_user)

    body = api_get(secretariat_user, f"/api/v1/reviews/{review.pk}/opinions/").json()
    rows = {row["id"]: row for row in body["results"]}

    assert [
        (rows[o.pk]["changed_after_reading_others"], rows[o.pk]["read_others_at"] is not None) for o in (a, b, c)
    ] == [
        (True, True),
        (False, True),
        (False, False),
    ]


def test_versions_api_marks_each_version_kept_after_reading_others(secretariat_user):
    review, a, _b, _c = sealed_with_an_addendum_after_reading(secretariat_user)

    body = api_get(a.expert.user, f"/api/v1/reviews/{review.pk}/opinion/versions/").json()

    assert [(v["kind"], v["after_reading_others"]) for v in body["results"]] == [
        ("submitted", False),
        ("addendum", True),
    ]


def test_opinions_page_marks_the_opinion_changed_after_reading_others(secretariat_user):
    review, a, _b, _c = sealed_with_an_addendum_after_reading(secretariat_user)

    html = api_get(secretariat_user, f"/portal/reviews/{review.pk}/opinions/").content.decode()

    assert html.count('data-testid="changed-after-reading"') == 1
    assert "Changed after reading the others' opinions" in html
    assert "甲的意见，补充" in html


def test_versions_page_marks_versions_after_reading_others(secretariat_user):
    _review, a, _b, _c = sealed_with_an_addendum_after_reading(secretariat_user)

    html = api_get(a.expert.user, f"/portal/opinions/{a.pk}/versions/").content.decode()

    assert (html.count('data-testid="version-row"'), html.count('data-testid="after-reading"')) == (2, 1)


# ---------------------------------------------------------------- drafts are the author's alone


def test_secretariat_sees_a_draft_exists_and_when_saved_not_its_content_in_the_api(secretariat_user):
    review, _a, _b, c = sealed_with_an_addendum_after_reading(secretariat_user)

    response = api_get(secretariat_user, f"/api/v1/reviews/{review.pk}/opinions/")
    row = next(row for row in response.json()["results"] if row["id"] == c.pk)

    assert "DRAFT-C" not in response.content.decode()
    assert (row["content_hidden"], row["conclusion"], row["scores"], row["summary"], row["points"]) == (
        True,
        "",
        {},
        "",
        [],
    )
    assert (row["saved_at"] is not None, row["submitted_at"]) == (True, None)


def test_a_draft_s_content_reaches_nobody_but_its_author_on_any_path(secretariat_user):
    review, a, b, c = sealed_with_an_addendum_after_reading(secretariat_user)
    paths = [
        f"/api/v1/reviews/{review.pk}/opinions/",
        f"/api/v1/reviews/{review.pk}/opinion/",
        f"/api/v1/reviews/{review.pk}/opinion/versions/",
        f"/api/v1/reviews/{review.pk}/events/",
        f"/portal/reviews/{review.pk}/opinions/",
        f"/portal/reviews/{review.pk}/opinion/",
        f"/portal/reviews/{review.pk}/board/",
        f"/portal/reviews/{review.pk}/board/?fragment=1",
        f"/portal/opinions/{c.pk}/versions/",
        f"/portal/opinions/{c.pk}/versions/?a=1&b=1",
    ]

    def seen(user):
        return "\n".join(api_get(user, path).content.decode() for path in paths)

    # a and b have sealed, so the others' sealed opinions are open to them: c's draft still is not
    assert [("DRAFT-C" in seen(user)) for user in (secretariat_user, a.expert.user, b.expert.user, c.expert.user)] == [
        False,
        False,
        False,
        True,
    ]


def test_versions_page_of_a_draft_is_404_for_the_secretariat_and_open_to_its_author(secretariat_user):
    _review, _a, _b, c = sealed_with_an_addendum_after_reading(secretariat_user)

    statuses = [
        api_get(user, f"/portal/opinions/{c.pk}/versions/").status_code for user in (secretariat_user, c.expert.user)
    ]

    assert statuses == [404, 200]


def test_secretariat_reads_a_sealed_opinion_s_versions_from_the_seal_on_only(secretariat_user):
    review = build_open_review(secretariat_user)
    a, _b, _c = panel_of(review)
    write(a, "DRAFT-A-early", label="初稿")
    submit(a, "甲的意见")

    html = api_get(secretariat_user, f"/portal/opinions/{a.pk}/versions/?a=1&b=2").content.decode()

    assert ("DRAFT-A-early" in html, html.count('data-testid="version-row"')) == (False, 1)


# ---------------------------------------------------------------- a consultation's answers


def test_shared_consultation_marks_an_answer_kept_after_another_was_sealed(secretariat_user):
    from consultations.inquiries import services as consulting
    from tests.consultations.consulting_setup import answer, build_committee, pose

    committee = build_committee()
    first, second = committee["experts"]["child"], committee["experts"]["grandchild"]
    consultation = pose(secretariat_user, answers_shared=True)
    answer(consultation, first)  # sealed: the others may read it at once (answers_shared)

    late = answer(consultation, second, submit=False)
    points = [{"id": p.pk, "question": p.question_id, "text": p.text + "（补充）"} for p in late.points.all()]
    services.save_opinion(
        late, by=second.user, data={"points": points}, expected_version=late.version, label="读过之后"
    )
    sealed = services.submit_opinion(consulting.ensure_answer(consultation, second), by=second.user)

    assert (fresh(sealed).read_others_at is not None, marks(sealed)) == (True, [("named", True), ("submitted", True)])
    assert selectors.independence([fresh(sealed)])[sealed.pk]["changed_after_reading_others"] is True


def test_unshared_consultation_records_no_moment_before_the_close(secretariat_user):
    from tests.consultations.consulting_setup import answer, build_committee, pose

    committee = build_committee()
    first, second = committee["experts"]["child"], committee["experts"]["grandchild"]
    consultation = pose(secretariat_user)
    answer(consultation, first)
    sealed = answer(consultation, second)

    assert (fresh(sealed).read_others_at, marks(sealed)) == (None, [("submitted", False)])


def test_write_page_tells_the_author_from_when_they_could_read_the_others(secretariat_user):
    review = build_open_review(secretariat_user)
    a, b, _c = panel_of(review)
    submit(a, "甲的意见")
    before = api_get(a.expert.user, f"/portal/reviews/{review.pk}/opinion/").content.decode()
    submit(b, "乙的意见")
    after = api_get(a.expert.user, f"/portal/reviews/{review.pk}/opinion/").content.decode()

    assert (before.count('data-testid="read-others-at"'), after.count('data-testid="read-others-at"')) == (0, 1)


# ---------------------------------------------------------------- scores are named, not keyed


def test_a_score_changed_after_reading_is_named_by_its_criterion_on_every_path(secretariat_user):
    review = build_open_review(secretariat_user)
    a, b, _c = panel_of(review)
    submit(a, "甲的意见")
    submit(b, "乙的意见")
    saved = fresh(a)
    services.save_opinion(
        saved,
        by=a.expert.user,
        data={"conclusion": "agree", "scores": {**SCORES, "necessity": 6}, "summary": "甲的意见", "points": []},
        expected_version=saved.version,
        reason="读了乙的意见",
    )

    with translation.override("zh-hans"):
        record = selectors.independence([fresh(a)], criteria=review.criteria)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(a.expert.user)
    api = client.get(f"/api/v1/reviews/{review.pk}/opinion/versions/")
    page = client.get(f"/portal/opinions/{a.pk}/versions/")

    (change,) = record[a.pk]["changes"][0]["changes"]
    assert (change["before"], change["after"]) == ("可行性: 8; 必要性: 9; 科学性: 7", "可行性: 8; 必要性: 6; 科学性: 7")
    assert api.json()["results"][-1]["changes"] == [change]
    assert ("必要性: " in page.content.decode(), "necessity" in page.content.decode()) == (True, False)
