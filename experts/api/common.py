"""What the roster's endpoints share: the one expert a caller may see (else 404), the request
to see contact details in full, and the 409 of a refused status transition."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, PermissionDenied

from core.rest import Conflict as ConflictError
from core.rest import query_flag
from experts import privacy, selectors


def expert_or_404(user, pk):
    """The expert ``user`` may see (``selectors.expert_for``); 404 for any other, as for none."""
    expert = selectors.expert_for(user, pk)
    if expert is None:
        raise NotFound()
    return expert


def asks_to_unmask(request):
    return query_flag(request, "unmask")


def unmask(request, expert):
    """Record the request to see contact details (403 without ``experts.view_contact``)."""
    try:
        privacy.unmask(request.user, expert, request=request._request, via="api")
    except DjangoPermissionDenied:
        raise PermissionDenied(_("You may not see contact details."))
    return True


def call(service, *args, **kwargs):
    """A transition the status table refuses (a ``ValidationError`` coded ``transition``) as
    the API's 409; the service's other errors go on to the REST error handler (core/rest.py)."""
    try:
        return service(*args, **kwargs)
    except DjangoValidationError as error:
        if getattr(error, "code", None) == "transition":
            raise ConflictError(error.messages[0])
        raise
