"""Clean failures: JSON 404 for unknown API paths, and a 503 page (not a traceback) while the
database is unreachable, which recovers by itself when the database is back."""

import logging

from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger(__name__)


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """The last route under /api/v1/: any path no endpoint matched (``reviews/-1/``, a typo)."""
    return JsonResponse({"detail": _("Not found."), "errors": {}}, status=404)


def _unavailable(request):
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("The service is briefly unavailable. Please try again."), "errors": {}}, status=503
        )
    try:
        body = render_to_string("503.html", request=None)
    except Exception:  # the page must not depend on anything that may be down
        body = "<!doctype html><title>503</title><p>The service is briefly unavailable. Please try again.</p>"
    response = HttpResponse(body, status=503)
    response["Retry-After"] = "30"
    return response


class DatabaseUnavailableMiddleware:
    """A lost database connection answers 503 and is dropped, so the next request reconnects."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)) or (
            isinstance(exception, DatabaseError) and "terminat" in str(exception).lower()
        ):
            logger.warning("database unavailable: %s", type(exception).__name__)
            close_old_connections()
            from django.db import connections

            for connection in connections.all(initialized_only=True):
                connection.close_if_unusable_or_obsolete()
                if connection.connection is not None and not connection.is_usable():
                    connection.close()
            return _unavailable(request)
        return None


def bad_request(request, exception=None):
    """``handler400``: a JSON body under /api/ (too many fields, a body too large to parse)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("The request could not be read."), "errors": {}}, status=400)
    from django.views.defaults import bad_request as default

    return default(request, exception)
