import hashlib
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from consultations.opinions import canonical, services
from consultations.opinions.models import Opinion, OpinionVersion, Point
from core.errors import StaleVersion, StateConflict
from reviews import services as review_services
from reviews.models import Assignment
from reviews.signals import assignment_accepted
from tests.consultations.conftest import sections

pytestmark = pytest.mark.django_db


def data(**fields):
    base = {"conclusion": "", "scores": {}, "summary": "", "points": []}
    base.update(fields)
    return base


def test_accepting_creates_an_empty_draft_at_version_zero(opinions):
    assert [(o.version, o.summary, o.conclusion, o.submitted_at) for o in opinions] == [(0, "", "", None)] * 3


def test_assignment_accepted_signal_opens_the_empty_draft(opinions):
    assignment = opinions[0].assignment
    Opinion.objects.filter(pk=opinions[0].pk).delete()

    assignment_accepted.send(sender=Assignment, assignment=assignment)

    assert list(Opinion.objects.filter(assignment=assignment).values_list("version", "summary", "expert_id")) == [
        (0, "", assignment.expert_id)
    ]


def test_add_comment_by_someone_off_the_panel_is_refused(review, department_user):
    with pytest.raises(PermissionDenied):
        services.add_comment(review, by=department_user, text="意见")

    assert review.comments.count() == 0


def test_move_discussion_by_a_member_who_is_not_the_chair_is_refused(review, opinions):
    member = next(o.expert.user for o in opinions if o.expert_id != review.chair_id)

    with pytest.raises(PermissionDenied):
        services.move_discussion(review, by=member, section="")


def test_save_opinion_updates_in_place_without_keeping_a_version(opinions):
    opinion = opinions[0]

    saved = services.save_opinion(opinion, by=opinion.expert.user, data=data(summary="总体可行"), expected_version=0)
    saved = services.save_opinion(saved, by=opinion.expert.user, data=data(summary="总体可行。"), expected_version=1)

    assert (saved.version, saved.summary, OpinionVersion.objects.filter(opinion=opinion).count()) == (
        2,
        "总体可行。",
        0,
    )


def test_save_opinion_with_a_label_keeps_a_named_version(opinions):
    opinion = opinions[0]

    services.save_opinion(opinion, by=opinion.expert.user, data=data(summary="初稿"), expected_version=0, label="初稿")

    version = OpinionVersion.objects.get(opinion=opinion)
    assert (version.kind, version.reason, version.content["summary"], version.by) == (
        "named",
        "初稿",
        "初稿",
        opinion.expert.user,
    )


def test_save_opinion_from_a_stale_version_is_refused_with_the_current_one(opinions):
    opinion = opinions[0]
    services.save_opinion(opinion, by=opinion.expert.user, data=data(summary="手机上写的"), expected_version=0)

    with pytest.raises(StaleVersion) as error:
        services.save_opinion(opinion, by=opinion.expert.user, data=data(summary="电脑上写的"), expected_version=0)

    assert (error.value.opinion.version, error.value.opinion.summary) == (1, "手机上写的")
    assert Opinion.objects.get(pk=opinion.pk).summary == "手机上写的"


def test_save_opinion_rejects_unknown_criterion_out_of_range_score_and_unknown_section(opinions):
    opinion = opinions[0]

    with pytest.raises(ValidationError) as error:
        services.save_opinion(
            opinion,
            by=opinion.expert.user,
            data=data(scores={"necessity": 11, "beauty": 3}, points=[{"section": "s999", "text": "x"}]),
            expected_version=0,
        )

    assert sorted(error.value.message_dict) == ["points.0", "scores"]
    assert Opinion.objects.get(pk=opinion.pk).version == 0


def test_points_keep_their_ids_across_saves(review, opinions):
    opinion = opinions[0]
    first_section = sections(review)[1]
    saved = services.save_opinion(
        opinion,
        by=opinion.expert.user,
        data=data(points=[{"section": first_section, "text": "甲"}, {"text": "乙"}]),
        expected_version=0,
    )
    ids = list(saved.points.values_list("id", flat=True))

    saved = services.save_opinion(
        saved,
        by=opinion.expert.user,
        data=data(points=[{"id": ids[1], "text": "乙改"}, {"id": ids[0], "section": first_section, "text": "甲"}]),
        expected_version=1,
    )

    assert list(saved.points.values_list("id", "text", "section")) == [
        (ids[1], "乙改", ""),
        (ids[0], "甲", first_section),
    ]


def test_submit_opinion_seals_with_the_digest_of_the_canonical_content(opinions):
    opinion = opinions[0]
    user = opinion.expert.user
    services.save_opinion(
        opinion,
        by=user,
        data=data(conclusion="agree", scores={"necessity": 9, "feasibility": 8, "soundness": 7}, summary="同意。\r\n"),
        expected_version=0,
    )

    submitted = services.submit_opinion(opinion, by=user)

    sealed = OpinionVersion.objects.get(opinion=opinion, kind="submitted")
    recomputed = hashlib.sha256(
        json.dumps(sealed.content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    ).hexdigest()
    assert (submitted.digest, sealed.digest) == (recomputed, recomputed)
    assert sealed.content["summary"] == "同意。"
    assert canonical.digest(canonical.opinion_content(submitted)) == recomputed


def test_submit_opinion_without_conclusion_or_scores_is_refused(opinions):
    opinion = opinions[0]

    with pytest.raises(ValidationError) as error:
        services.submit_opinion(opinion, by=opinion.expert.user)

    assert sorted(error.value.message_dict) == ["conclusion", "scores"]
    assert Opinion.objects.get(pk=opinion.pk).submitted_at is None


def submitted(opinion):
    user = opinion.expert.user
    services.save_opinion(
        opinion,
        by=user,
        data=data(conclusion="agree", scores={"necessity": 9, "feasibility": 8, "soundness": 7}, summary="同意"),
        expected_version=opinion.version,
    )
    return services.submit_opinion(opinion, by=user)


def test_change_after_submission_needs_a_reason_and_is_an_addendum(opinions):
    opinion = submitted(opinions[0])
    user = opinion.expert.user
    change = data(conclusion="agree", scores={"necessity": 9}, summary="同意，补充一点")

    with pytest.raises(ValidationError) as error:
        services.save_opinion(opinion, by=user, data=change, expected_version=opinion.version)
    saved = services.save_opinion(opinion, by=user, data=change, expected_version=opinion.version, reason="补充")

    assert list(error.value.message_dict) == ["reason"]
    assert list(OpinionVersion.objects.filter(opinion=opinion).values_list("kind", "reason")) == [
        ("submitted", ""),
        ("addendum", "补充"),
    ]
    assert saved.digest == OpinionVersion.objects.get(opinion=opinion, kind="addendum").digest


def test_removed_point_of_a_submitted_opinion_is_kept_as_removed(opinions):
    opinion = opinions[0]
    user = opinion.expert.user
    full = data(conclusion="abstain", points=[{"text": "要点"}])
    services.save_opinion(opinion, by=user, data=full, expected_version=0)
    opinion = services.submit_opinion(Opinion.objects.get(pk=opinion.pk), by=user)
    point = Point.objects.get(opinion=opinion)

    services.save_opinion(
        opinion, by=user, data=data(summary="删去要点"), expected_version=opinion.version, reason="删"
    )

    assert Point.objects.filter(pk=point.pk).values_list("removed", flat=True).get() is True


def test_closed_review_makes_the_opinion_read_only(review, opinions, secretariat_user):
    review_services.transition(review, "closed", by=secretariat_user)
    opinion = Opinion.objects.get(pk=opinions[0].pk)

    with pytest.raises(StateConflict):
        services.save_opinion(opinion, by=opinion.expert.user, data=data(summary="晚了"), expected_version=0)

    assert Opinion.objects.get(pk=opinion.pk).summary == ""


def test_another_user_cannot_write_an_opinion(opinions):
    with pytest.raises(StateConflict):
        services.save_opinion(opinions[0], by=opinions[1].expert.user, data=data(summary="代写"), expected_version=0)

    assert Opinion.objects.get(pk=opinions[0].pk).summary == ""


def test_canonical_text_is_nfc_with_unix_line_ends_and_no_trailing_spaces():
    assert canonical.normalise_text("  e\u0301 \r\n第二行  \n") == "\u00e9\n第二行"


def _seal(opinion, summary):
    services.save_opinion(
        opinion,
        by=opinion.expert.user,
        data=data(conclusion="agree", scores={"necessity": 9, "feasibility": 8, "soundness": 7}, summary=summary),
        expected_version=Opinion.objects.get(pk=opinion.pk).version,
    )
    return services.submit_opinion(Opinion.objects.get(pk=opinion.pk), by=opinion.expert.user)


def test_the_seal_that_opens_the_others_is_kept_before_the_moment(opinions):
    _seal(opinions[0], "甲")

    sealed = _seal(opinions[1], "乙")

    version = OpinionVersion.objects.get(opinion=sealed, kind="submitted")
    assert (Opinion.objects.get(pk=sealed.pk).read_others_at is not None, version.after_reading_others) == (True, False)


def test_note_readable_others_marks_each_author_once(opinions):
    _seal(opinions[0], "甲")
    _seal(opinions[1], "乙")
    moments = dict(Opinion.objects.filter(pk__in=[o.pk for o in opinions]).values_list("pk", "read_others_at"))

    again = services.note_readable_others(review=opinions[0].review)

    after = dict(Opinion.objects.filter(pk__in=[o.pk for o in opinions]).values_list("pk", "read_others_at"))
    assert (again, after) == ([], moments)
    assert [moments[o.pk] is not None for o in opinions] == [True, True, False]
