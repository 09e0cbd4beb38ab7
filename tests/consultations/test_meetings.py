"""The meeting (会议论证): check-in with the room's code and by hand, the days a presence counts
for, the agenda and the chair moving along it, the vote on the group opinion, through the API and
its refusals (404 unseen, 403 with why, 409 for the meeting's state), and the live events."""

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import signing
from django.utils import timezone

from consultations.consolidation import services as consolidation
from consultations.meetings import checkin, selectors, services
from consultations.meetings.models import Attendance, Vote
from consultations.opinions import services as opinion_services
from consultations.opinions.models import Discussion
from experts.models import Expert
from reviews import events as review_events
from reviews import services as review_services
from reviews.models import Review, ReviewEvent
from tests.conftest import make_user
from tests.consultations.conftest import sections
from tests.consultations.consolidation_setup import staff_of
from tests.consultations.meeting_setup import check_in_all, meeting_review, members

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(secretariat_user):
    return meeting_review(secretariat_user)


def url(review, tail):
    return f"/api/v1/reviews/{review.pk}/{tail}"


def code_for(api, review):
    return api.get(url(review, "checkin/")).json()["code"]


def events(review, type_):
    return list(ReviewEvent.objects.filter(review=review, type=type_).order_by("seq").values_list("payload", flat=True))


def close_with_group_opinion(review, by, text="专家组同意该计划，建议补充资金测算。"):
    review_services.transition(review, "closed", by=by)
    review.refresh_from_db()
    consolidation.save_group_opinion(review, by=by, text=text, expected_version=0)
    return review


# ---------------------------------------------------------------- the room's code and check-in


def test_checkin_code_for_the_secretariat_leads_to_the_portal_page_and_expires_in_five_minutes(
    review, api_as, secretariat_user
):
    before = timezone.now()
    body = api_as(secretariat_user).get(url(review, "checkin/")).json()

    assert (
        body["url"] == f"http://testserver/portal/reviews/{review.pk}/checkin/?code={body['code'].replace(':', '%3A')}"
    )
    expires = timezone.datetime.fromisoformat(body["expires_at"])
    assert before + timedelta(seconds=checkin.CODE_SECONDS) <= expires <= timezone.now() + timedelta(seconds=300)
    assert checkin.code_problem(review, body["code"]) == ""


def test_checkin_code_is_the_chairs_too_but_not_a_members(review, api_as):
    chair, member = members(review)[0], members(review)[1]

    assert api_as(chair).get(url(review, "checkin/")).status_code == 200
    response = api_as(member).get(url(review, "checkin/"))
    assert (response.status_code, response.json()["detail"]) == (
        403,
        "The secretariat and the chair show the room's code.",
    )


def test_member_checks_in_with_the_rooms_code_once_and_counts_the_meetings_length(review, api_as, secretariat_user):
    code = code_for(api_as(secretariat_user), review)
    member = members(review)[1]

    first = api_as(member).post(url(review, "checkin/"), {"code": code}, format="json")
    again = api_as(member).post(url(review, "checkin/"), {"code": code}, format="json")

    assert first.status_code == 200
    assert {k: first.json()[k] for k in ("expert", "how", "days", "reason")} == {
        "expert": member.expert.pk, "how": "code", "days": "1.0", "reason": ""}  # fmt: skip
    assert again.json()["checked_in_at"] == first.json()["checked_in_at"]
    assert Attendance.objects.filter(review=review).count() == 1
    assert events(review, "attendance.changed") == [{"expert": member.expert.pk, "present": 1}]


def test_checkin_from_an_expert_who_may_not_see_the_review_is_404(review, api_as, secretariat_user):
    code = code_for(api_as(secretariat_user), review)
    outsider = make_user("expert", username="outsider")

    assert api_as(outsider).post(url(review, "checkin/"), {"code": code}, format="json").status_code == 404


def test_checkin_from_the_plans_department_is_403_saying_only_the_panel(review, api_as, secretariat_user):
    code = code_for(api_as(secretariat_user), review)
    staff = staff_of(review.plan.submitted_by, "dept-staff")

    response = api_as(staff).post(url(review, "checkin/"), {"code": code}, format="json")

    assert (response.status_code, response.json()["detail"]) == (
        403,
        "Only the panel's members check in to this meeting.",
    )
    assert Attendance.objects.count() == 0


def test_checkin_with_a_wrong_or_another_meetings_code_is_400_naming_code(review, api_as, secretariat_user):
    member = members(review)[1]
    forged = code_for(api_as(secretariat_user), review)[:-2] + "xx"
    elsewhere = signing.TimestampSigner(salt=checkin.SALT).sign(str(review.pk + 1000))

    for code in (forged, elsewhere, ""):
        response = api_as(member).post(url(review, "checkin/"), {"code": code}, format="json")
        assert (response.status_code, list(response.json()["errors"])) == (400, ["code"])
    assert Attendance.objects.count() == 0


def test_checkin_with_an_expired_code_is_400_saying_so(review, api_as):
    old = signing.b62_encode(int(time.time()) - checkin.CODE_SECONDS - 5)
    expired = signing.Signer(salt=checkin.SALT).sign(f"{review.pk}:{old}")

    response = api_as(members(review)[1]).post(url(review, "checkin/"), {"code": expired}, format="json")

    assert response.json()["errors"]["code"] == ["This code has expired: scan the code shown in the room again."]


def test_checkin_after_the_meeting_day_is_409_saying_it_is_over(secretariat_user, api_as):
    review = meeting_review(secretariat_user, when=timezone.now() - timedelta(days=2))
    code = checkin.make_code(review)[0]

    response = api_as(members(review)[1]).post(url(review, "checkin/"), {"code": code}, format="json")

    day = timezone.localdate(review.meeting_at).isoformat()
    assert (response.status_code, response.json()["detail"]) == (409, f"The meeting is over: its day ended on {day}.")


def test_checkin_of_a_two_day_meeting_is_open_on_its_second_day_and_counts_two_days(secretariat_user, api_as):
    review = meeting_review(secretariat_user, when=timezone.now() - timedelta(days=1))
    services.set_agenda(review, by=secretariat_user, items=[], meeting_length="2")

    response = api_as(members(review)[1]).post(url(review, "checkin/"), {"code": checkin.make_code(review)[0]},
                                               format="json")  # fmt: skip

    assert (response.status_code, response.json()["days"]) == (200, "2.0")


def test_checkin_on_a_written_review_is_409(secretariat_user, api_as):
    from tests.consultations.conftest import build_open_review, panel_of

    review = build_open_review(secretariat_user)
    member = panel_of(review)[0].expert.user

    response = api_as(member).post(url(review, "checkin/"), {"code": checkin.make_code(review)[0]}, format="json")

    assert (response.status_code, response.json()["detail"]) == (
        409,
        "This review is written (书面函审): it has no meeting.",
    )


# ---------------------------------------------------------------- by hand, and the days


def test_secretariat_marks_present_by_hand_with_a_reason(review, api_as, secretariat_user):
    member = members(review)[2]

    response = api_as(secretariat_user).post(
        url(review, "attendance/"), {"expert": member.expert.pk, "reason": "手机没有信号"}, format="json"
    )
    listed = api_as(members(review)[0]).get(url(review, "attendance/")).json()

    assert response.status_code == 200
    assert [(r["expert"], r["how"], r["reason"], r["days"], r["recorded_by"]) for r in listed] == [
        (member.expert.pk, "hand", "手机没有信号", "1.0", "sec")
    ]


def test_marking_present_without_a_reason_is_400_and_records_nothing(review, api_as, secretariat_user):
    response = api_as(secretariat_user).post(
        url(review, "attendance/"), {"expert": members(review)[2].expert.pk, "reason": "  "}, format="json"
    )

    assert (response.status_code, list(response.json()["errors"])) == (400, ["reason"])
    assert Attendance.objects.count() == 0


def test_marking_an_expert_off_the_panel_present_is_400_naming_expert(review, api_as, secretariat_user):
    expert = Expert.objects.exclude(pk__in=[user.expert.pk for user in members(review)]).first()

    response = api_as(secretariat_user).post(
        url(review, "attendance/"), {"expert": expert.pk, "reason": "来了"}, format="json"
    )

    assert (response.status_code, list(response.json()["errors"])) == (400, ["expert"])


def test_secretariat_corrects_a_members_days_to_a_half_day_with_a_reason_kept_in_history(
    review, api_as, secretariat_user
):
    member = members(review)[1]
    check_in_all(review, [member])

    response = api_as(secretariat_user).post(
        url(review, "attendance/"), {"expert": member.expert.pk, "reason": "下午离会", "days": "0.5"}, format="json"
    )
    bad = api_as(secretariat_user).post(
        url(review, "attendance/"), {"expert": member.expert.pk, "reason": "x", "days": "0.3"}, format="json"
    )

    row = Attendance.objects.get(review=review, expert=member.expert)
    assert (response.json()["days"], row.how, bad.status_code) == ("0.5", "code", 400)
    assert selectors.attended_days(review) == {member.expert.pk: Decimal("0.5")}
    assert [h.history_change_reason for h in row.history.order_by("history_id")] == ["checked in", "下午离会"]


def test_attendance_is_for_who_may_see_the_panel(review, api_as, secretariat_user):
    staff = staff_of(review.plan.submitted_by, "dept-staff")
    outsider = make_user("expert", username="outsider")

    assert api_as(staff).get(url(review, "attendance/")).status_code == 404
    assert api_as(outsider).get(url(review, "attendance/")).status_code == 404
    assert api_as(members(review)[1]).post(url(review, "attendance/"), {"expert": 1, "reason": "x"},
                                           format="json").status_code == 403  # fmt: skip


# ---------------------------------------------------------------- the agenda


def test_secretariat_sets_the_agenda_tied_to_plan_sections_and_the_chair_moves_along_it(
    review, api_as, secretariat_user
):
    anchors = sections(review)
    items = [{"title": "总体要求", "section": anchors[0]}, {"title": "重点任务", "section": anchors[2]},
             {"title": "形成专家组意见", "section": ""}]  # fmt: skip
    saved = api_as(secretariat_user).put(url(review, "agenda/"), {"items": items}, format="json").json()
    chair = members(review)[0]

    moved = api_as(chair).post(url(review, "agenda/move/"), {"step": 1}, format="json").json()
    moved = api_as(chair).post(url(review, "agenda/move/"), {"step": 1}, format="json").json()
    picked = api_as(chair).post(url(review, "agenda/move/"), {"item": saved["items"][2]["id"]}, format="json").json()

    assert [(i["position"], i["title"], i["section"]) for i in saved["items"]] == [
        (1, "总体要求", anchors[0]), (2, "重点任务", anchors[2]), (3, "形成专家组意见", "")]  # fmt: skip
    assert moved["current"] == saved["items"][1]["id"]
    assert picked["current"] == saved["items"][2]["id"]
    assert [(p["item"], p["section"]) for p in events(review, "agenda.moved")] == [
        (None, ""), (saved["items"][0]["id"], anchors[0]), (saved["items"][1]["id"], anchors[2]),
        (saved["items"][2]["id"], "")]  # fmt: skip
    assert Discussion.objects.get(review=review).section == ""


def test_the_discussion_marker_follows_the_agenda_item_section(review, secretariat_user):
    anchors = sections(review)
    services.set_agenda(review, by=secretariat_user, items=[{"title": "重点任务", "section": anchors[2]}])

    services.move_agenda(review, by=members(review)[0], step=1)

    assert Discussion.objects.get(review=review).section == anchors[2]


def test_agenda_with_an_unknown_section_is_400_and_keeps_the_old_one(review, api_as, secretariat_user):
    services.set_agenda(review, by=secretariat_user, items=[{"title": "总体要求", "section": ""}])

    response = api_as(secretariat_user).put(url(review, "agenda/"), {"items": [{"title": "x", "section": "s999"}]},
                                            format="json")  # fmt: skip

    assert (response.status_code, list(response.json()["errors"])) == (400, ["items"])
    assert [i.title for i in selectors.agenda(review)] == ["总体要求"]


def test_a_member_may_read_the_agenda_but_not_set_or_move_it(review, api_as, secretariat_user):
    services.set_agenda(review, by=secretariat_user, items=[{"title": "总体要求", "section": ""}])
    member = members(review)[1]

    assert api_as(member).get(url(review, "agenda/")).json()["items"][0]["title"] == "总体要求"
    assert api_as(member).put(url(review, "agenda/"), {"items": []}, format="json").status_code == 403
    assert api_as(member).post(url(review, "agenda/move/"), {"step": 1}, format="json").status_code == 403


# ---------------------------------------------------------------- the vote


def test_a_member_who_did_not_check_in_may_not_vote(review, api_as, secretariat_user):
    close_with_group_opinion(review, secretariat_user)

    response = api_as(members(review)[1]).post(url(review, "votes/"), {"vote": "agree"}, format="json")

    assert (response.status_code, response.json()["detail"]) == (
        403, "Check in first: only members present at the meeting vote.")  # fmt: skip
    assert Vote.objects.count() == 0


def test_vote_before_there_is_a_group_opinion_is_409(review, api_as):
    check_in_all(review)

    response = api_as(members(review)[1]).post(url(review, "votes/"), {"vote": "agree"}, format="json")

    assert response.status_code == 409


def test_members_present_vote_and_may_change_their_vote_until_the_meeting_ends(review, api_as, secretariat_user):
    check_in_all(review)
    close_with_group_opinion(review, secretariat_user)
    chair, second, third = members(review)

    api_as(chair).post(url(review, "votes/"), {"vote": "agree"}, format="json")
    api_as(second).post(url(review, "votes/"), {"vote": "against"}, format="json")
    api_as(second).post(url(review, "votes/"), {"vote": "agree"}, format="json")
    body = api_as(third).post(url(review, "votes/"), {"vote": "abstain"}, format="json").json()

    assert (body["version"], body["tally"]) == (1, {"agree": 2, "against": 0, "abstain": 1})
    assert sorted((v["expert"], v["vote"]) for v in body["votes"]) == sorted(
        [(chair.expert.pk, "agree"), (second.expert.pk, "agree"), (third.expert.pk, "abstain")])  # fmt: skip
    assert [v.vote for v in Vote.objects.get(expert=second.expert).history.order_by("history_id")] == [
        "against",
        "agree",
    ]
    assert events(review, "vote.cast")[-1] == {"expert": third.expert.pk, "version": 1, "agree": 2, "against": 0,
                                               "abstain": 1}  # fmt: skip


def test_a_new_version_of_the_group_opinion_is_voted_on_afresh(review, api_as, secretariat_user):
    check_in_all(review)
    close_with_group_opinion(review, secretariat_user)
    api_as(members(review)[1]).post(url(review, "votes/"), {"vote": "against"}, format="json")

    consolidation.save_group_opinion(review, by=secretariat_user, text="修改后的专家组意见。", expected_version=1)

    body = api_as(secretariat_user).get(url(review, "votes/")).json()
    assert (body["version"], body["tally"], body["votes"]) == (2, {"agree": 0, "against": 0, "abstain": 0}, [])


def test_a_vote_that_is_not_one_of_the_three_is_400(review, api_as, secretariat_user):
    check_in_all(review)
    close_with_group_opinion(review, secretariat_user)

    response = api_as(members(review)[1]).post(url(review, "votes/"), {"vote": "yes"}, format="json")

    assert (response.status_code, list(response.json()["errors"])) == (400, ["vote"])


def test_votes_are_for_who_may_see_the_panel_and_the_department_hears_counts_only(review, api_as, secretariat_user):
    check_in_all(review)
    close_with_group_opinion(review, secretariat_user)
    api_as(members(review)[1]).post(url(review, "votes/"), {"vote": "agree"}, format="json")
    staff = staff_of(review.plan.submitted_by, "dept-staff")
    event = ReviewEvent.objects.filter(review=review, type="vote.cast").get()

    assert api_as(staff).get(url(review, "votes/")).status_code == 404
    assert api_as(make_user("expert", username="outsider")).get(url(review, "votes/")).status_code == 404
    shown = review_events.without_panel(review_events.event_message(event))
    assert {k: v for k, v in shown.items() if k not in ("at", "seq")} == {
        "type": "vote.cast", "review": review.pk, "version": 1, "agree": 1, "against": 0, "abstain": 0}  # fmt: skip
    caught_up = api_as(staff).get(url(review, "events/?after=0")).json()
    assert all("expert" not in e for e in caught_up["results"] if e["type"] in ("vote.cast", "attendance.changed"))


def test_the_secretariat_may_not_vote(review, api_as, secretariat_user):
    close_with_group_opinion(review, secretariat_user)

    response = api_as(secretariat_user).post(url(review, "votes/"), {"vote": "agree"}, format="json")

    assert (response.status_code, response.json()["detail"]) == (403, "Only the panel's members vote.")


def test_after_the_group_opinion_is_sealed_the_vote_is_over(review, api_as, secretariat_user):
    check_in_all(review)
    close_with_group_opinion(review, secretariat_user)
    for user in members(review):
        consolidation.confirm_group_opinion(review, by=user, version=1)
    review.refresh_from_db()

    response = api_as(members(review)[1]).post(url(review, "votes/"), {"vote": "agree"}, format="json")

    assert response.status_code == 409


def test_comment_during_the_meeting_still_works_alongside(review):
    member = members(review)[1]
    opinion_services.add_comment(review, by=member, text="建议细化。", section="")
    assert review.state == Review.State.OPEN


# ---------------------------------------------------------------- from check-in to the fees


def test_the_fees_of_a_meeting_follow_the_check_ins_and_a_length_set_later(review, api_as, secretariat_user):
    """Check-in is the honoraria's basis: a half-day length set after the members checked in
    counts for them, except a member whose days the secretariat corrected by hand; a member
    who never checked in is owed nothing."""
    from consultations.honoraria import services as honoraria

    first, second, absent = members(review)
    check_in_all(review, [first, second])
    services.mark_present(review, by=secretariat_user, expert=second.expert.pk, reason="提前离会", days="2")
    services.set_agenda(review, by=secretariat_user, items=[], meeting_length="0.5")
    close_with_group_opinion(review, secretariat_user)

    payments = honoraria.refresh_payments(review, by=secretariat_user)

    assert selectors.attended_days(review) == {first.expert.pk: Decimal("0.5"), second.expert.pk: Decimal("2.0")}
    assert sorted((p.expert_id, p.days) for p in payments) == sorted(
        [(first.expert.pk, Decimal("0.5")), (second.expert.pk, Decimal("2.0"))]
    )
    assert absent.expert.pk not in {p.expert_id for p in payments}


def test_minutes_of_a_written_review_are_404_saying_it_has_no_meeting(secretariat_user, api_as):
    from tests.consultations.conftest import build_open_review

    written = build_open_review(secretariat_user)

    response = api_as(secretariat_user).get(url(written, "minutes.docx"))

    assert (response.status_code, response.json()["detail"]) == (
        404,
        "This review is written (书面函审): it has no meeting.",
    )
