"""The conventions every API endpoint shares (docs/api.md): pagination, errors, 409.

The one mapping from service errors to answers: ``ValidationError`` 400 (field → messages; 413
when a field's error has the code ``too_large``), ``PermissionDenied`` 403 (with the service's
message, if it gave one), ``Http404`` 404, ``StateConflict`` 409. API views let them through;
what a view still answers itself is a 409 that carries the current version to merge with.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, parsers, serializers, status
from rest_framework.metadata import SimpleMetadata
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core import moments
from core.errors import StateConflict
from core.paging import RowsFirstPaginator


class Pagination(PageNumberPagination):
    """``?page=`` from 1 (past the end: 404), ``?page_size=`` from 1 (above 200: cut to 200).
    A ``page_size`` that is not a whole number from 1 is a 400, not silently the default."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        if self.page_size_query_param in request.query_params:
            value = request.query_params.get(self.page_size_query_param, "")
            if not (value.isascii() and value.isdigit() and int(value) >= 1):
                raise exceptions.ValidationError({self.page_size_query_param: [_("Give a whole number from 1.")]})
            return min(int(value), self.max_page_size)
        return self.page_size

    def get_page_number(self, request, paginator):
        value = request.query_params.get(self.page_query_param)
        if value is not None and not (value.isascii() and value.isdigit()) and value not in self.last_page_strings:
            raise exceptions.NotFound(self.invalid_page_message.format(page_number=value, message=""))
        return super().get_page_number(request, paginator)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters


class RowsFirstPagination(Pagination):
    """``Pagination`` that cuts a page before joining its rows for display (``core.paging``)."""

    django_paginator_class = RowsFirstPaginator


# Ids are positive and fit a signed 64-bit integer (SQLite INTEGER, PostgreSQL bigint). One
# larger reaches the database as an OverflowError (SQLite) or a DataError (PostgreSQL) in a
# ``pk__in`` lookup, so it is refused here as a 400, and the schema says the range.
MAX_ID = 2**63 - 1


class IdField(serializers.IntegerField):
    """The id of a row in a request body: a whole number from 1 to ``MAX_ID``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class DateTimeField(serializers.DateTimeField):
    """A moment the API can write back (``core.moments.writable``: from the year 1901 on)."""

    def to_internal_value(self, value):
        moment = super().to_internal_value(value)
        if not moments.writable(moment):
            raise exceptions.ValidationError(moments.unwritable_message())
        return moment


class TextField(serializers.CharField):
    """Text that must be sent as a string: DRF's CharField also takes a number as its text. Its
    length is checked as sent, as the schema's ``maxLength`` says, not after trimming."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


def _is_form(request):
    content_type = getattr(request, "content_type", "") or ""
    return content_type.startswith(("multipart/", "application/x-www-form-urlencoded"))


class PrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id, or null where null is allowed. DRF reads ``""`` as null for every body; only a form
    has no other way to say none: in JSON, ``"parent": ""`` is a 400, as the schema says."""

    def run_validation(self, data=serializers.empty):
        if data == "" and not _is_form(self.context.get("request")):
            self.fail("incorrect_type", data_type="str")
        return super().run_validation(data)


class ModelSerializer(serializers.ModelSerializer):
    """A model's text fields as ``TextField``: strings only, length as sent; its relations as
    ``PrimaryKeyRelatedField``: an id or null, never ``""`` in JSON."""

    serializer_related_field = PrimaryKeyRelatedField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: TextField,
        models.TextField: TextField,
    }


class MultiPartParser(parsers.MultiPartParser):
    """Multipart, for the views that take an upload. A body in which Django finds no part at all
    (no field, no file: an empty or broken multipart) is a 400, not an empty change that
    succeeds. daphne leaves the parsing to Django (config/http_server.py)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        if not parsed.data and not parsed.files:
            raise exceptions.ParseError(_("The multipart body has no part."))
        return parsed


FLAG_VALUES = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False, "": False}


def query_flag(request, name):
    """A yes/no query parameter (``?unmask=1``, ``?mine=true``); absent is no. Anything else
    than 1/true/yes/0/false/no is a 400 naming it, not silently no."""
    value = request.query_params.get(name, "").lower()
    if value not in FLAG_VALUES:
        raise exceptions.ValidationError({name: [_("Give 1 or 0 (true or false).")]})
    return FLAG_VALUES[value]


class Metadata(SimpleMetadata):
    """``OPTIONS``: the view's name, description and media types, without DRF's ``actions``
    (a form description built by calling ``get_object`` without the URL's arguments: an
    AssertionError, a 500). The OpenAPI schema describes the bodies."""

    def determine_metadata(self, request, view):
        metadata = super().determine_metadata(request, view)
        metadata.pop("actions", None)
        return metadata

    def determine_actions(self, request, view):
        return {}


class Conflict(exceptions.APIException):
    """409: the state forbids it, or the version is stale."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "conflict"
    default_code = "conflict"


class TooLarge(exceptions.APIException):
    """413: an upload over its limit."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def _too_large(error):
    """``{field: messages}`` of the errors coded ``too_large`` in a Django ``ValidationError``."""
    fields = {}
    for field, items in getattr(error, "error_dict", {}).items():
        messages = [message for item in items if item.code == "too_large" for message in item.messages]
        if messages:
            fields[field] = messages
    return fields


def _translate(exc):
    """A service's (Django's) exception as DRF's, keeping its message."""
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, StateConflict):
        return Conflict(exc.message)
    if isinstance(exc, DjangoValidationError):
        too_large = _too_large(exc)
        if too_large:
            first = next(iter(too_large.values()))[0]
            return TooLarge({"detail": first, "errors": too_large})
        return exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    return exc


def _flatten(detail):
    """DRF's nested error detail as ``{"field": ["message", ...]}``; nested fields keep their dicts."""
    if not isinstance(detail, dict):
        return {}
    flat = {}
    for key, value in detail.items():
        if isinstance(value, dict):
            flat[key] = _flatten(value)
        else:
            flat[key] = [str(item) for item in (value if isinstance(value, list) else [value])]
    return flat


def exception_handler(exc, context):
    """Every error body is ``{"detail": "...", "errors": {"field": [...]}}``."""
    exc = _translate(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        if isinstance(data, dict):
            errors = _flatten(data)
            non_field = errors.pop("non_field_errors", None)
            detail = non_field[0] if non_field else _("The request has invalid fields.")
        else:
            errors = {}
            detail = " ".join(str(item) for item in data) if isinstance(data, list) else str(data)
        body = {"detail": detail, "errors": errors}
    else:
        detail = data.get("detail", "") if isinstance(data, dict) else data
        body = {"detail": str(detail), "errors": {}}
        if isinstance(data, dict):
            body.update({key: value for key, value in data.items() if key != "detail"})
    response.data = body
    return response


def error_response(detail, *, status_code, errors=None, **extra):
    return Response({"detail": str(detail), "errors": errors or {}, **extra}, status=status_code)


def only_public_api(endpoints, **kwargs):
    """drf-spectacular hook: the schema describes /api/v1/ and nothing else."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "experts.auth.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "POST /api/v1/auth/token/ gives the token."}


ERROR_STATUSES = {
    "400": "Bad input: the fields in `errors` say what.",
    "401": "Not signed in.",
    "403": "Signed in, may know the object exists, may not do this.",
    "404": "Does not exist, or may not be seen.",
    "409": "The state forbids it, or the version is stale.",
    "413": "Too large.",
    "429": "Throttled.",
}


def document_error_responses(result, generator, request, public):
    """drf-spectacular hook: every operation may answer the errors of API.md, in one shape."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(
        "Error",
        {
            "type": "object",
            "properties": {
                "detail": {"type": "string"},
                "errors": {"type": "object", "additionalProperties": True},
            },
            "required": ["detail", "errors"],
        },
    )
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_STATUSES.items():
                responses.setdefault(code, {"description": description, "content": error})
    return result


PAGING_PARAMETERS = {"page", "page_size"}  # empty is refused there (``Pagination``)


def empty_query_values(result, generator, request, public):
    """drf-spectacular hook: a query parameter left empty (``?kind=``, ``?ending_within=``,
    ``?after=``, ``?mine=``) is taken as absent (django-filter, ``query_flag``, the catch-up
    endpoints), so the schema lets it be empty, instead of promising a 400 that never comes. The
    paging parameters are the exception: there an empty value is refused."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") != "query" or parameter.get("name") in PAGING_PARAMETERS:
                    continue
                schema = parameter.get("schema", {})
                if "enum" in schema and "" not in schema["enum"]:
                    schema["enum"] = [*schema["enum"], ""]
                elif schema.get("type") in ("integer", "number", "boolean"):
                    parameter["schema"] = {"anyOf": [schema, {"type": "string", "enum": [""]}]}
    return result
