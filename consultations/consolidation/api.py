"""The API of consolidations, their documents and the responses to points (API.md). Views
translate and call ``consolidation``/``responses``/``documents``; whoever may not read a
consolidation gets 404 on every path, the same as for one that does not exist. A refusal of a
service (400, 403, 409) is answered by ``core.rest``; only a stale version's 409 is shaped here,
with the current consolidation to merge with."""

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from consultations.consolidation import answers_due, documents, rules, selectors, services
from consultations.consolidation.api_schema import AnswersDueWrite, ConsolidationRead
from consultations.consolidation.models import GeneratedDocument
from consultations.responses import rules as response_rules
from consultations.responses import selectors as response_selectors
from consultations.responses import services as responses
from core.rest import TextField, error_response
from core.versioning import version_from_request, with_etag
from experts import audit
from reviews import selectors as review_selectors


def visible_review(user, review_id):
    """The review if ``user`` may read its consolidation, else ``None`` (404 for the caller)."""
    review = review_selectors.reviews_visible_to(user).filter(pk=review_id).first()
    if review is None or not rules.can_view(user, review):
        return None
    return review


def review_or_404(request, review_id):
    review = visible_review(request.user, review_id)
    if review is None:
        raise exceptions.NotFound()
    return review


def consolidation_json(data):
    consolidation = data["consolidation"]
    return {
        "review": data["review"].pk,
        "tallies": data["tallies"],
        "scores": {
            key: {k: row[k] for k in ("label", "count", "mean", "median", "min", "max", "stdev")}
            for key, row in data["scores"].items()
        },
        "agreement": data["agreement"],
        "points": [{k: p[k] for k in ("id", "section", "text", "author", "response")} for p in data["points"]],
        "dissent": [
            {
                "opinion": o.pk,
                "author": o.author,
                "conclusion": o.conclusion,
                "summary": o.summary,
                "points": [{"id": p.id, "section": p.section, "text": p.text} for p in o.live],
            }
            for o in data["dissent"]
        ],
        "group_opinion": consolidation.group_opinion,
        "version": consolidation.version,
        "digest": consolidation.digest,
        "confirm_by": _moment(consolidation.confirm_by),
        "answers_due_on": consolidation.answers_due_on.isoformat() if consolidation.answers_due_on else None,
        "sealed_at": _moment(consolidation.sealed_at),
        "sealed_by": data["sealed_by"],
        "confirmations": [
            {
                "expert": m["expert"] if data["names"] else None,
                "name": m["name"],
                "kind": m["confirmation"].kind,
                "text": m["confirmation"].text,
                "at": m["confirmation"].at.isoformat(),
            }
            for m in data["panel"]
            if m["confirmation"]
        ],
        "independence": [
            {
                "opinion": o.pk,
                "author": o.author,
                "read_others_at": _moment(o.independence["read_others_at"]),
                "changed_after_reading_others": o.independence["changed_after_reading_others"],
                "changes": [
                    {"number": c["number"], "kind": c["kind"], "at": _moment(c["at"]), "changes": c["changes"]}
                    for c in o.independence["changes"]
                ],
            }
            for o in data["opinions"]
        ],
    }


def _moment(value):
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


class ConsolidationWriteSerializer(serializers.Serializer):
    group_opinion = TextField(allow_blank=True, trim_whitespace=False)
    reason = TextField(allow_blank=True, required=False, max_length=500)
    version = serializers.IntegerField(required=False, help_text="Used only when If-Match is missing.")


class ConsolidationView(APIView):
    """The consolidated opinion: GET (with ``ETag``); PUT edits ``group_opinion`` (``If-Match``),
    for the chair and the secretariat; PATCH sets ``answers_due_on`` (``If-Match``), for the
    commission."""

    @extend_schema(responses=ConsolidationRead)
    def get(self, request, review_id):
        review = review_or_404(request, review_id)
        data = selectors.consolidate(review, user=request.user)
        return with_etag(Response(consolidation_json(data)), data["consolidation"].version)

    @extend_schema(
        request=ConsolidationWriteSerializer,
        responses={200: ConsolidationRead, 409: OpenApiTypes.OBJECT},
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, description='"<version>"')],
    )
    def put(self, request, review_id):
        review = review_or_404(request, review_id)
        if not rules.can_edit(request.user, review):
            raise exceptions.PermissionDenied(_("The chair and the secretariat write the group opinion."))
        body = ConsolidationWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        expected = version_from_request(request, body.validated_data)
        try:
            services.save_group_opinion(
                review,
                by=request.user,
                text=body.validated_data["group_opinion"],
                expected_version=expected,
                reason=body.validated_data.get("reason", ""),
            )
        except services.StaleConsolidation:
            return _stale(request, review, _("Someone saved the group opinion after the version you started from."))
        return _current(request, review)

    @extend_schema(
        request=AnswersDueWrite,
        responses={200: ConsolidationRead, 409: OpenApiTypes.OBJECT},
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, description='"<version>"')],
        description="The commission sets (a date) or clears (null) the due date of the answers to the points, "
        "`answers_due_on`: not before today nor before the consolidation (its seal, or the panel's confirmation "
        "deadline), within a year. `If-Match` names the group opinion's version read; the version does not move. "
        "Only `answers_due_on` (and `version`) may be sent.",
    )
    def patch(self, request, review_id):
        review = review_or_404(request, review_id)
        if not rules.can_set_answers_due(request.user, review):
            raise exceptions.PermissionDenied(_("The commission sets the due date of the answers."))
        body = AnswersDueWrite(data=request.data)
        body.is_valid(raise_exception=True)
        expected = version_from_request(request, body.validated_data)
        try:
            answers_due.set_answers_due(
                review, by=request.user, due_on=body.validated_data["answers_due_on"], expected_version=expected
            )
        except services.StaleConsolidation:
            return _stale(request, review, _("The group opinion changed since you read it: read it and try again."))
        return _current(request, review)


def _current(request, review):
    data = selectors.consolidate(review, user=request.user)
    return with_etag(Response(consolidation_json(data)), data["consolidation"].version)


def _stale(request, review, message):
    """409 with the current consolidation to merge with."""
    data = selectors.consolidate(review, user=request.user)
    response = error_response(
        message,
        status_code=status.HTTP_409_CONFLICT,
        version=data["consolidation"].version,
        current=consolidation_json(data),
    )
    return with_etag(response, data["consolidation"].version)


class ConsolidationDocumentView(APIView):
    """The consolidation as a document to file (.docx, .pdf, .xlsx). Made in the background: while
    it is being made the answer is 202 with ``state`` and ``progress``; ask again."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 202: OpenApiTypes.OBJECT})
    def get(self, request, review_id, kind):
        review = review_or_404(request, review_id)
        if kind not in documents.BUILDERS:
            raise exceptions.NotFound()
        return document_response(request, review, kind)


def document_names(user, review):
    return rules.sees_names(user, services.ensure_consolidation(review))


def document_response(request, review, kind):
    document = documents.request_document(review, kind, names=document_names(request.user, review))
    document.refresh_from_db()
    if document.state != GeneratedDocument.State.DONE:
        response = Response(
            {"state": document.state, "progress": document.progress, "detail": document.error},
            status=status.HTTP_202_ACCEPTED,
        )
        response["Retry-After"] = "2"
        return response
    audit.record(
        audit.DOWNLOAD,
        actor=request.user,
        request=request,
        obj=review,
        outcome=audit.SUCCESS,
        document=f"consolidation.{kind}",
        version=document.version,
    )
    name = f"consolidation-{review.pk}-v{document.version}.{kind}"
    return FileResponse(
        document.file.open("rb"), as_attachment=True, filename=name, content_type=documents.CONTENT_TYPES[kind]
    )


class ResponseWriteSerializer(serializers.Serializer):
    status = TextField()
    reason = TextField(allow_blank=True, required=False, trim_whitespace=False)


def response_json(point):
    response = getattr(point, "response", None)
    return {
        "point": point.pk,
        "status": response.status if response else None,
        "reason": response.reason if response else "",
        "at": response.at.isoformat() if response else None,
    }


class PointResponseView(APIView):
    """The one answer to a point: GET for whoever may read the point's consolidation; PUT for the
    plan's department staff and the commission."""

    def _point(self, request, point_id):
        point = response_selectors.visible_point(request.user, point_id)
        if point is None:
            raise exceptions.NotFound()
        return point

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, point_id):
        return Response(response_json(self._point(request, point_id)))

    @extend_schema(request=ResponseWriteSerializer, responses=OpenApiTypes.OBJECT)
    def put(self, request, point_id):
        point = self._point(request, point_id)
        if not response_rules.can_answer(request.user, point):
            raise exceptions.PermissionDenied(_("The department concerned or the commission answers a point."))
        body = ResponseWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        responses.answer_point(point, by=request.user, **body.validated_data)
        return Response(response_json(response_selectors.visible_point(request.user, point_id)))
