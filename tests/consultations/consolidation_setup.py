"""Helpers for the consolidation tests: a closed review with five sealed opinions, written and
sealed through the real services."""

from consultations.opinions import services
from reviews import services as review_services
from reviews.models import DepartmentStaff
from tests.conftest import make_user
from tests.consultations.conftest import build_open_review, panel_of, sections

CONCLUSIONS = ["agree", "agree", "agree_with_revisions", "agree", "disagree"]
SCORES = [
    {"necessity": 9, "feasibility": 8, "soundness": 7},
    {"necessity": 8, "feasibility": 7, "soundness": 9},
    {"necessity": 7, "feasibility": 6, "soundness": 8},
    {"necessity": 10, "feasibility": 9, "soundness": 9},
    {"necessity": 3, "feasibility": 2, "soundness": 4},
]
DISSENT_SUMMARY = "本人不同意该计划：目标脱离实际，资金测算缺乏依据，建议重新论证。"


def write_and_seal(opinion, *, conclusion, scores, summary, points):
    user = opinion.expert.user
    saved = services.save_opinion(
        opinion,
        by=user,
        data={"conclusion": conclusion, "scores": scores, "summary": summary, "points": points},
        expected_version=opinion.version,
    )
    return services.submit_opinion(saved, by=user)


def closed_review(by, *, panel=5, texts=None):
    """A review of five with sealed opinions (one dissenting), closed by the secretariat."""
    review = build_open_review(by, panel=panel, roster_size=12)
    anchors = sections(review)
    for index, opinion in enumerate(panel_of(review)):
        summary = DISSENT_SUMMARY if CONCLUSIONS[index] == "disagree" else f"总体可行，意见{index + 1}。"
        text = (texts or {}).get(index, f"第{index + 1}位专家：建议细化第{index + 1}项任务。")
        write_and_seal(
            opinion,
            conclusion=CONCLUSIONS[index % 5],
            scores=SCORES[index % 5],
            summary=summary,
            points=[
                {"section": anchors[1], "text": text},
                {"section": anchors[3], "text": f"保障措施要量化（{index + 1}）。"},
            ],
        )
    review_services.transition(review, "closed", by=by)
    review.refresh_from_db()
    return review


def staff_of(organization, username):
    user = make_user("department", username=username)
    DepartmentStaff.objects.create(user=user, organization=organization)
    return user


def set_chair(review, by):
    opinion = panel_of(review)[0]
    review_services.set_chair(review, opinion.expert, by=by)
    review.refresh_from_db()
    return opinion.expert.user


AMENDED = "读了其他专家的意见后补充：同意加强资金保障。"


def amended_review(by, *, panel=3):
    """A closed review whose first panel member amended their sealed opinion after reading the
    others' (an addendum marked after reading), the others unchanged."""
    review = build_open_review(by, panel=panel, roster_size=12)
    anchors = sections(review)
    opinions = panel_of(review)
    for index, opinion in enumerate(opinions):
        write_and_seal(opinion, conclusion=CONCLUSIONS[index], scores=SCORES[index], summary=f"意见{index + 1}。",
                       points=[{"section": anchors[1], "text": f"第{index + 1}位专家的建议。"}])  # fmt: skip
    first = type(opinions[0]).objects.get(pk=opinions[0].pk)
    services.save_opinion(
        first,
        by=first.expert.user,
        data={"conclusion": CONCLUSIONS[0], "scores": SCORES[0], "summary": AMENDED, "points": []},
        expected_version=first.version,
        reason="读了其他意见",
    )
    review_services.transition(review, "closed", by=by)
    review.refresh_from_db()
    return review
