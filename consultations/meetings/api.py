"""The API of a review's meeting (docs/api.md, "Meetings"): the agenda and "now discussing", the
room's check-in code and check-in, attendance, the vote on the group opinion, the minutes.
Whoever may not see the review gets 404; who sees it but may not do this, 403 with why; the
meeting's state 409 (``core.rest``). Who may is ``rules``; what is written is ``services``."""

from django.http import HttpResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, OpenApiTypes, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from consultations.doc_templates.official import CONTENT_TYPES
from consultations.meetings import checkin, minutes, rules, selectors, services
from consultations.meetings.models import Attendance, Vote
from core import versioning
from core.rest import IdField, TextField, error_response
from reviews import selectors as review_selectors
from reviews.models import Review


def review_or_404(request, review_id):
    review = review_selectors.reviews_visible_to(request.user).filter(pk=review_id).select_related("chair").first()
    if review is None or not rules.sees_meeting(request.user, review):
        raise exceptions.NotFound()
    return review


def require(allowed, message):
    if not allowed:
        raise exceptions.PermissionDenied(message)


def panel_or_404(request, review):
    """Who attended and how they voted name the panel: for anyone who may not see the panel
    (``reviews.rules.can_see_panel``), these answer 404, as the assignments do."""
    if not rules.sees_attendance(request.user, review):
        raise exceptions.NotFound()


# ---------------------------------------------------------------- bodies


class AgendaItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    position = serializers.IntegerField(read_only=True)
    title = TextField(max_length=200)
    section = TextField(max_length=40, allow_blank=True, required=False, default="")


class AgendaSerializer(serializers.Serializer):
    items = AgendaItemSerializer(many=True)
    current = serializers.IntegerField(read_only=True, allow_null=True)
    length = serializers.DecimalField(max_digits=3, decimal_places=1, required=False, min_value=0)


class AgendaMoveSerializer(serializers.Serializer):
    item = IdField(required=False)
    step = serializers.ChoiceField(choices=[1, -1], required=False)


class CheckinSerializer(serializers.Serializer):
    code = TextField(max_length=200)


class AttendanceSerializer(serializers.Serializer):
    expert = IdField()
    name = serializers.CharField(read_only=True)
    checked_in_at = serializers.DateTimeField(read_only=True)
    how = serializers.ChoiceField(choices=Attendance.How.choices, read_only=True)
    reason = TextField(max_length=200)
    days = serializers.DecimalField(max_digits=4, decimal_places=1, required=False, min_value=0)
    recorded_by = serializers.CharField(read_only=True, allow_null=True)


class VoteSerializer(serializers.Serializer):
    vote = serializers.ChoiceField(choices=Vote.Choice.choices)


class MinutesSerializer(serializers.Serializer):
    text = TextField(allow_blank=True, trim_whitespace=False, max_length=minutes.MAX_MINUTES)
    version = serializers.IntegerField(read_only=True)
    filed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    digest = serializers.CharField(read_only=True)


def attendance_json(row):
    return {
        "expert": row.expert_id,
        "name": row.expert.name,
        "checked_in_at": row.checked_in_at.isoformat(),
        "how": row.how,
        "reason": row.reason,
        "days": str(row.days),
        "recorded_by": row.recorded_by.get_username() if row.recorded_by_id else None,
    }


def agenda_json(review):
    meeting = selectors.meeting_of(review)
    items = [{"id": i.pk, "position": i.position, "title": i.title, "section": i.section}
             for i in selectors.agenda(review)]  # fmt: skip
    return {"items": items, "current": meeting.current_item_id, "length": str(meeting.length)}


def votes_json(review):
    version = selectors.current_version(review)
    rows = selectors.votes(review, version)
    return {
        "version": version,
        "tally": selectors.tally(rows),
        "votes": [{"expert": r.expert_id, "name": r.expert.name, "vote": r.vote, "at": r.at.isoformat()} for r in rows],
    }


def minutes_json(review):
    row = selectors.minutes_of(review)
    filed = row.filed_at.isoformat() if row.filed_at else None
    return {"text": minutes.current_text(review, row), "version": row.version, "filed_at": filed, "digest": row.digest}


# ---------------------------------------------------------------- views


class AgendaView(APIView):
    """The meeting's agenda, for whoever sees the review; PUT replaces it (the secretariat)."""

    @extend_schema(responses=AgendaSerializer)
    def get(self, request, review_id):
        return Response(agenda_json(review_or_404(request, review_id)))

    @extend_schema(request=AgendaSerializer, responses=AgendaSerializer)
    def put(self, request, review_id):
        review = review_or_404(request, review_id)
        require(rules.prepares_meeting(request.user, review), _("The secretariat prepares the agenda."))
        body = AgendaSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        services.set_agenda(review, by=request.user, items=data["items"], meeting_length=data.get("length"))
        return Response(agenda_json(review))


class AgendaMoveView(APIView):
    """The chair moves "now discussing" to an agenda item (``item``) or on by ``step`` (1, -1)."""

    @extend_schema(request=AgendaMoveSerializer, responses=AgendaSerializer)
    def post(self, request, review_id):
        review = review_or_404(request, review_id)
        require(rules.moves_agenda(request.user, review), _("The chair moves the discussion."))
        body = AgendaMoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.move_agenda(review, by=request.user, **body.validated_data)
        return Response(agenda_json(review))


CheckinCode = inline_serializer(
    "CheckinCode",
    {"code": serializers.CharField(), "url": serializers.URLField(), "expires_at": serializers.DateTimeField()},
)


class CheckinView(APIView):
    """GET: the room's QR code (the secretariat, the chair); POST ``{"code"}``: a panel member checks in."""

    @extend_schema(responses=CheckinCode)
    def get(self, request, review_id):
        review = review_or_404(request, review_id)
        require(
            rules.shows_checkin_code(request.user, review), _("The secretariat and the chair show the room's code.")
        )
        code, expires_at = checkin.make_code(review)
        url = (
            request.build_absolute_uri(reverse("consultations:checkin", args=[review.pk]))
            + "?"
            + urlencode({"code": code})
        )
        return Response({"code": code, "url": url, "expires_at": expires_at.isoformat()})

    @extend_schema(request=CheckinSerializer, responses={200: AttendanceSerializer, 409: OpenApiTypes.OBJECT})
    def post(self, request, review_id):
        review = review_or_404(request, review_id)
        require(rules.panel_assignment(request.user, review), _("Only the panel's members check in to this meeting."))
        body = CheckinSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = services.check_in(review, by=request.user, code=body.validated_data["code"])
        return Response(attendance_json(selectors.attendance_row(review, row.expert_id)))


class AttendanceView(APIView):
    """Who is present, since when and how (whoever may see the panel); POST: the secretariat marks
    a member present by hand, or corrects the days of one present, with a reason."""

    @extend_schema(responses=AttendanceSerializer(many=True))
    def get(self, request, review_id):
        review = review_or_404(request, review_id)
        panel_or_404(request, review)
        return Response([attendance_json(row) for row in selectors.attendance(review)])

    @extend_schema(request=AttendanceSerializer, responses=AttendanceSerializer)
    def post(self, request, review_id):
        review = review_or_404(request, review_id)
        require(rules.prepares_meeting(request.user, review), _("The secretariat marks members present by hand."))
        body = AttendanceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        row = services.mark_present(review, by=request.user, expert=data["expert"], reason=data["reason"],
                                    days=data.get("days"))  # fmt: skip
        return Response(attendance_json(selectors.attendance_row(review, row.expert_id)))


VotesRead = inline_serializer(
    "VotesRead",
    {
        "version": serializers.IntegerField(),
        "tally": serializers.DictField(child=serializers.IntegerField()),
        "votes": inline_serializer("VoteRow", {"expert": serializers.IntegerField(), "name": serializers.CharField(),
                                               "vote": serializers.CharField(), "at": serializers.DateTimeField()},
                                   many=True),
    },
)  # fmt: skip


class VotesView(APIView):
    """The vote on the current version of the group opinion: the tally and who voted how
    (whoever may see the panel); POST: a member present votes."""

    @extend_schema(responses=VotesRead)
    def get(self, request, review_id):
        review = review_or_404(request, review_id)
        panel_or_404(request, review)
        return Response(votes_json(review))

    @extend_schema(request=VoteSerializer, responses=VotesRead)
    def post(self, request, review_id):
        review = review_or_404(request, review_id)
        require(rules.panel_assignment(request.user, review), _("Only the panel's members vote."))
        body = VoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.cast_vote(review, by=request.user, vote=body.validated_data["vote"])
        return Response(votes_json(review))


class MinutesView(APIView):
    """The minutes' text (the secretariat): GET, and PUT with If-Match until they are filed."""

    def _review(self, request, review_id):
        review = review_or_404(request, review_id)
        require(rules.prepares_meeting(request.user, review), _("The secretariat writes the minutes."))
        return review

    @extend_schema(responses=MinutesSerializer)
    def get(self, request, review_id):
        review = self._review(request, review_id)
        data = minutes_json(review)
        return versioning.with_etag(Response(data), data["version"])

    @extend_schema(request=MinutesSerializer, responses={200: MinutesSerializer, 409: MinutesSerializer})
    def put(self, request, review_id):
        review = self._review(request, review_id)
        body = MinutesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        expected = versioning.version_from_request(request, request.data if isinstance(request.data, dict) else None)
        try:
            minutes.save_minutes(review, by=request.user, text=body.validated_data["text"], expected_version=expected)
        except minutes.StaleMinutes:
            return error_response(_("Someone saved the minutes first."), status_code=409, minutes=minutes_json(review))
        data = minutes_json(review)
        return versioning.with_etag(Response(data), data["version"])


class MinutesFileView(APIView):
    """The secretariat files the minutes: frozen from now on."""

    @extend_schema(request=None, responses=MinutesSerializer)
    def post(self, request, review_id):
        review = MinutesView()._review(request, review_id)
        minutes.file_minutes(review, by=request.user)
        return Response(minutes_json(review))


class MinutesDocumentView(APIView):
    """The minutes as .docx (whoever may see the panel): the filed document once filed."""

    @extend_schema(responses={(200, CONTENT_TYPES["docx"]): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request, review_id):
        review = review_or_404(request, review_id)
        panel_or_404(request, review)
        if review.mode != Review.Mode.MEETING:
            raise exceptions.NotFound(_("This review is written (书面函审): it has no meeting."))
        response = HttpResponse(minutes.minutes_docx(review), content_type=CONTENT_TYPES["docx"])
        response["Content-Disposition"] = f'attachment; filename="minutes-{review.pk}.docx"'
        return response
