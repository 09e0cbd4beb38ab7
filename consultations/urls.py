from django.urls import path

from consultations.opinions import views

app_name = "consultations"
urlpatterns = [
    path("reviews/<int:review_id>/opinion/", views.write, name="write"),
    path("reviews/<int:review_id>/opinion/submit/", views.submit, name="submit"),
    path("reviews/<int:review_id>/opinions/", views.opinions, name="opinions"),
    path("reviews/<int:review_id>/board/", views.board, name="board"),
    path("reviews/<int:review_id>/discussion/", views.discussion, name="discussion"),
    path("reviews/<int:review_id>/comments/", views.comment, name="comment"),
    path("opinions/<int:opinion_id>/versions/", views.versions, name="versions"),
]

# issue 6: the commission's workspace, the consolidation, responses, documents, feedback
from consultations.consolidation import views as cv  # noqa: E402

urlpatterns += [
    path("workspace/", cv.workspace, name="workspace"),
    path("reviews/<int:review_id>/consolidation/", cv.reading, name="consolidation"),
    path("reviews/<int:review_id>/consolidation/save/", cv.save_group_opinion, name="consolidation-save"),
    path("reviews/<int:review_id>/consolidation/confirm/", cv.confirm, name="consolidation-confirm"),
    path("reviews/<int:review_id>/consolidation/seal/", cv.seal, name="consolidation-seal"),
    path("reviews/<int:review_id>/consolidation/deadline/", cv.deadline, name="consolidation-deadline"),
    path("reviews/<int:review_id>/consolidation/answers-due/", cv.set_answers_due, name="consolidation-answers-due"),
    path("reviews/<int:review_id>/consolidation/finalise/", cv.finalise, name="consolidation-finalise"),
    path("reviews/<int:review_id>/consolidation/publish/", cv.publish, name="consolidation-publish"),
    path("reviews/<int:review_id>/consolidation/document.<str:kind>", cv.document, name="consolidation-document"),
    path("points/<int:point_id>/answer/", cv.answer, name="answer"),
    path("my-points/", cv.my_points, name="my-points"),
    path("answers-overdue/", cv.answers_overdue, name="answers-overdue"),
]

# issue 14: a review's archive (§33), the button of the consolidation page
from consultations.archive import views as archive_views  # noqa: E402

urlpatterns += [
    path("reviews/<int:review_id>/archive.zip", archive_views.download, name="review-archive"),
]

# issue 8: the committee's year report (the commission and the secretariat)
from consultations.year_report import views as yr  # noqa: E402

urlpatterns += [
    path("year-report/", yr.year_report_page, name="year-report"),
    path("year-report/document.<str:kind>", yr.year_report_document, name="year-report-document"),
]

# issue 8: experts' proposals (the secretariat screens them in the admin: proposal_admin.py)
from consultations.proposals import views as pv  # noqa: E402

urlpatterns += [
    path("proposals/", pv.proposal_list, name="proposals"),
    path("proposals/new/", pv.proposal_new, name="proposal-new"),
    path("proposals/<int:proposal_id>/", pv.proposal_detail, name="proposal"),
    path("proposals/<int:proposal_id>/consent/", pv.proposal_consent, name="proposal-consent"),
    path(
        "proposals/<int:proposal_id>/attachments/<int:attachment_id>/",
        pv.proposal_attachment,
        name="proposal-attachment",
    ),
    path("proposals/suggestions/<int:proposal_point_id>/answer/", pv.proposal_answer, name="proposal-answer"),
]

# issue 8: consultations put to the committee and the experts' answers
from consultations.inquiries import views as cons  # noqa: E402

urlpatterns += [
    path("consultations/", cons.consultation_list, name="consultations"),
    path("consultations/new/", cons.consultation_new, name="consultation-new"),
    path("consultations/<int:consultation_id>/", cons.consultation_detail, name="consultation"),
    path("consultations/<int:consultation_id>/edit/", cons.consultation_edit, name="consultation-edit"),
    path("consultations/<int:consultation_id>/state/", cons.consultation_state, name="consultation-state"),
    path(
        "consultations/<int:consultation_id>/documents/<int:document_id>/",
        cons.consultation_document,
        name="consultation-document",
    ),
    path("consultations/<int:consultation_id>/answer/", cons.consultation_answer, name="consultation-answer"),
    path(
        "consultations/<int:consultation_id>/answer/submit/",
        cons.consultation_answer_submit,
        name="consultation-answer-submit",
    ),
    path(
        "consultations/<int:consultation_id>/export.<str:kind>",
        cons.consultation_export,
        name="consultation-export",
    ),
]

# issue 15: the meeting (会议论证): agenda, check-in, attendance, the vote, the minutes
from consultations.meetings import views as meeting_views  # noqa: E402

urlpatterns += [
    path("reviews/<int:review_id>/meeting/", meeting_views.meeting, name="meeting"),
    path("reviews/<int:review_id>/meeting/act/", meeting_views.meeting_act, name="meeting-act"),
    path("reviews/<int:review_id>/meeting/qr/", meeting_views.meeting_qr, name="meeting-qr"),
    path("reviews/<int:review_id>/checkin/", meeting_views.checkin_page, name="checkin"),
]

# issue 15: honoraria, the secretariat's screen per review and each expert's own fees
from consultations.honoraria import views as hv  # noqa: E402

urlpatterns += [
    path("reviews/<int:review_id>/honoraria/", hv.review_honoraria, name="honoraria"),
    path("honoraria/", hv.my_honoraria, name="my-honoraria"),
]
