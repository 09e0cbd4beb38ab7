"""The API router: every endpoint under /api/v1/, from each app's api module."""

from django.urls import path

from consultations.opinions import api as consultations_api
from experts.api import experts as experts_api
from experts.api import organizations as organizations_api
from experts.api import records as records_api
from experts.api import tokens as tokens_api
from reviews import api as reviews_api
from reviews import batch_api as reviews_batch_api
from reviews import notices as reviews_notices

urlpatterns = [
    path("auth/token/", tokens_api.TokenView.as_view(), name="api-token"),
]

# experts: the roster (domains, organisations, experts, their history and conflicts)
urlpatterns += [
    path("domains/", organizations_api.DomainList.as_view(), name="api-domains"),
    path("organizations/", organizations_api.OrganizationList.as_view(), name="api-organizations"),
    path("experts/", experts_api.ExpertList.as_view(), name="api-experts"),
    path("experts/<int:pk>/", experts_api.ExpertDetail.as_view(), name="api-expert"),
    path("experts/<int:pk>/history/", records_api.ExpertHistory.as_view(), name="api-expert-history"),
    path("experts/<int:pk>/conflicts/", records_api.ExpertConflicts.as_view(), name="api-expert-conflicts"),
]

# reviews: plans, versions, reviews, draws, assignments, the review's event log
urlpatterns += [
    path("plans/", reviews_api.PlanListView.as_view(), name="api-plans"),
    path("plans/<int:plan_id>/versions/", reviews_api.PlanVersionListView.as_view(), name="api-plan-versions"),
    path("reviews/", reviews_api.ReviewListView.as_view(), name="api-reviews"),
    path("reviews/<int:review_id>/", reviews_api.ReviewDetailView.as_view(), name="api-review"),
    path("reviews/<int:review_id>/draw/", reviews_api.DrawCreateView.as_view(), name="api-review-draw"),
    path(
        "reviews/<int:review_id>/draw/commitment/",
        reviews_api.DrawCommitmentView.as_view(),
        name="api-review-draw-commitment",
    ),
    path(
        "reviews/<int:review_id>/assignments/",
        reviews_api.ReviewAssignmentListView.as_view(),
        name="api-review-assignments",
    ),
    path("reviews/<int:review_id>/events/", reviews_api.ReviewEventListView.as_view(), name="api-review-events"),
    path("draws/batch/", reviews_batch_api.BatchDrawView.as_view(), name="api-draws-batch"),
    path("notices/", reviews_notices.NoticeListView.as_view(), name="api-notices"),
    path("draws/<int:draw_id>/", reviews_api.DrawDetailView.as_view(), name="api-draw"),
    path("draws/<int:draw_id>/record/", reviews_api.DrawRecordView.as_view(), name="api-draw-record"),
    path("draws/<int:draw_id>/verify/", reviews_api.DrawVerifyView.as_view(), name="api-draw-verify"),
    path("assignments/", reviews_api.AssignmentListView.as_view(), name="api-assignments"),
    path(
        "assignments/<int:assignment_id>/accept/",
        reviews_api.AssignmentAcceptView.as_view(),
        name="api-assignment-accept",
    ),
    path(
        "assignments/<int:assignment_id>/decline/",
        reviews_api.AssignmentDeclineView.as_view(),
        name="api-assignment-decline",
    ),
]

# consultations: the caller's opinion, its submission and versions, all opinions, the discussion
urlpatterns += [
    path("reviews/<int:review_id>/opinion/", consultations_api.OwnOpinionView.as_view(), name="api-opinion"),
    path(
        "reviews/<int:review_id>/opinion/submit/",
        consultations_api.SubmitOpinionView.as_view(),
        name="api-opinion-submit",
    ),
    path(
        "reviews/<int:review_id>/opinion/versions/",
        consultations_api.OpinionVersionListView.as_view(),
        name="api-opinion-versions",
    ),
    path("reviews/<int:review_id>/opinions/", consultations_api.OpinionListView.as_view(), name="api-opinions"),
    path("reviews/<int:review_id>/comments/", consultations_api.CommentListView.as_view(), name="api-comments"),
    path(
        "reviews/<int:review_id>/discussion/",
        consultations_api.DiscussionView.as_view(),
        name="api-discussion",
    ),
]

# consultations: the consolidated opinion, its documents, the responses to points (issue 6)
from consultations.consolidation import api as consolidation_api  # noqa: E402

urlpatterns += [
    path(
        "reviews/<int:review_id>/consolidation/",
        consolidation_api.ConsolidationView.as_view(),
        name="api-consolidation",
    ),
    path(
        "reviews/<int:review_id>/consolidation.<str:kind>",
        consolidation_api.ConsolidationDocumentView.as_view(),
        name="api-consolidation-document",
    ),
    path("points/<int:point_id>/response/", consolidation_api.PointResponseView.as_view(), name="api-point-response"),
]

# consultations: the panel's answers to the group opinion, its deadline and its seal (issue 14)
from consultations.consolidation import answers_api  # noqa: E402

urlpatterns += [
    path(
        "reviews/<int:review_id>/consolidation/confirmation/",
        answers_api.ConfirmationView.as_view(),
        name="api-consolidation-confirmation",
    ),
    path(
        "reviews/<int:review_id>/consolidation/deadline/",
        answers_api.DeadlineView.as_view(),
        name="api-consolidation-deadline",
    ),
    path("reviews/<int:review_id>/consolidation/seal/", answers_api.SealView.as_view(), name="api-consolidation-seal"),
]

# consultations: a review's archive (issue 14, §33)
from consultations.archive import api as archive_api  # noqa: E402

urlpatterns += [
    path("reviews/<int:review_id>/archive.zip", archive_api.ReviewArchiveView.as_view(), name="api-review-archive"),
]

# consultations: the meeting (issue 15): agenda, check-in, attendance, the vote, the minutes
from consultations.meetings import api as meetings_api  # noqa: E402

urlpatterns += [
    path("reviews/<int:review_id>/agenda/", meetings_api.AgendaView.as_view(), name="api-review-agenda"),
    path("reviews/<int:review_id>/agenda/move/", meetings_api.AgendaMoveView.as_view(), name="api-review-agenda-move"),
    path("reviews/<int:review_id>/checkin/", meetings_api.CheckinView.as_view(), name="api-review-checkin"),
    path("reviews/<int:review_id>/attendance/", meetings_api.AttendanceView.as_view(), name="api-review-attendance"),
    path("reviews/<int:review_id>/votes/", meetings_api.VotesView.as_view(), name="api-review-votes"),
    path("reviews/<int:review_id>/minutes/", meetings_api.MinutesView.as_view(), name="api-review-minutes"),
    path(
        "reviews/<int:review_id>/minutes/file/", meetings_api.MinutesFileView.as_view(), name="api-review-minutes-file"
    ),
    path(
        "reviews/<int:review_id>/minutes.docx",
        meetings_api.MinutesDocumentView.as_view(),
        name="api-review-minutes-docx",
    ),
]

# consultations: honoraria per member and the payment sheet (issue 15)
from consultations.honoraria import api as honoraria_api  # noqa: E402

urlpatterns += [
    path("reviews/<int:review_id>/honoraria/", honoraria_api.HonorariaListView.as_view(), name="api-review-honoraria"),
    path(
        "reviews/<int:review_id>/honoraria.xlsx",
        honoraria_api.HonorariaSheetView.as_view(),
        name="api-review-honoraria-sheet",
    ),
]

# consultations: questions put to the committee and the experts' answers (issue 8)
from consultations.inquiries import api as consultation_api  # noqa: E402

urlpatterns += [
    path("consultations/", consultation_api.ConsultationListView.as_view(), name="api-consultations"),
    path(
        "consultations/<int:consultation_id>/",
        consultation_api.ConsultationDetailView.as_view(),
        name="api-consultation",
    ),
    path(
        "consultations/<int:consultation_id>/answer/",
        consultation_api.OwnAnswerView.as_view(),
        name="api-consultation-answer",
    ),
    path(
        "consultations/<int:consultation_id>/answer/submit/",
        consultation_api.SubmitAnswerView.as_view(),
        name="api-consultation-answer-submit",
    ),
    path(
        "consultations/<int:consultation_id>/answers/",
        consultation_api.AnswerListView.as_view(),
        name="api-consultation-answers",
    ),
]

# consultations: experts' proposals and their screening (issue 8)
from consultations.proposals import api as proposal_api  # noqa: E402

urlpatterns += [
    path("proposals/", proposal_api.ProposalListView.as_view(), name="api-proposals"),
    path("proposals/<int:proposal_id>/", proposal_api.ProposalDetailView.as_view(), name="api-proposal"),
    path("proposals/<int:proposal_id>/route/", proposal_api.ProposalRouteView.as_view(), name="api-proposal-route"),
    path("proposals/<int:proposal_id>/return/", proposal_api.ProposalReturnView.as_view(), name="api-proposal-return"),
    path("proposals/<int:proposal_id>/merge/", proposal_api.ProposalMergeView.as_view(), name="api-proposal-merge"),
]
