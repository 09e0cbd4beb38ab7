"""The independence record: when each author could first read the others' opinions, which kept
versions came after, and what they changed (``services.note_readable_others``,
``services._record_version``, ``selectors.independence``)."""

import pytest

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
