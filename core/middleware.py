"""The request path's two cross-cutting rules: a read writes nothing, and nothing personal is cached.

``SessionRefreshMiddleware`` keeps the idle timeout (``SESSION_COOKIE_AGE``) without saving the
session on every request: the session (its stored expiry and its cookie) is saved again only when
its last refresh is more than ``SESSION_REFRESH_SECONDS`` old, so a signed-in user's reads write
nothing in between and a session ends between ``AGE - REFRESH`` and ``AGE`` after its last request.

``PrivateCacheMiddleware`` marks every response that may hold personal data or depend on who is
signed in ``Cache-Control: no-store`` (with Django's other never-cache directives), and leaves
public pages asked for without credentials cacheable.
"""

import time

from django.conf import settings
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.functional import empty

REFRESHED_KEY = "_refreshed_at"  # when the session's expiry was last pushed forward (epoch seconds)


class SessionRefreshMiddleware:
    """Sits after ``SessionMiddleware`` (its answer passes here first). A session about to be saved
    anyway (a sign-in, a change) records the time for free; an unchanged one is marked modified,
    and so saved with a fresh expiry, only once a minute (``SESSION_REFRESH_SECONDS``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        carried = session is not None and (session.modified or settings.SESSION_COOKIE_NAME in request.COOKIES)
        if carried and response.status_code < 500:  # Django saves no session on a 5xx
            refresh(session)
        return response


def refresh(session, *, now=None):
    """Record ``now`` in ``session`` when it is due: when it is being saved anyway, or when the
    last refresh is older than ``SESSION_REFRESH_SECONDS`` (or unknown). An empty session (signed
    out, expired, unknown key) stays empty: nothing to keep alive, nothing to write."""
    now = time.time() if now is None else now
    if session.is_empty() or not session.keys():
        return False
    last = session.get(REFRESHED_KEY)
    if session.modified or not isinstance(last, (int, float)) or now - last >= settings.SESSION_REFRESH_SECONDS:
        session[REFRESHED_KEY] = int(now)
        return True
    return False


PRIVATE_PREFIXES = ("/portal/", "/api/", "/admin/", "/django-admin/", "/accounts/", "/ws/")


class PrivateCacheMiddleware:
    """``no-store`` on a response that is personal: under the signed-in areas (the portal, the API,
    both admins, the sign-in pages, sockets), asked for with credentials (a session cookie, an
    ``Authorization`` header) or by a signed-in user, or handing out a session cookie.

    A public page asked for without any of those is the same for every visitor and stays as its
    view made it, with one exception: on a first visit it also sets the CSRF cookie its language
    form's token belongs to. That token is nobody's personal data, but a shared cache must not
    hand one visitor's cookie to the next, so such a response is ``private`` (the browser may
    keep it; proxies may not). Sits above the session and CSRF middleware so that it sees the
    cookies they set. Static files never get here (WhiteNoise answers above) and stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_personal(request, response):
            add_never_cache_headers(response)
        elif response.cookies:
            patch_cache_control(response, private=True)
        return response


def is_personal(request, response):
    return bool(
        request.path.startswith(PRIVATE_PREFIXES)
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or settings.SESSION_COOKIE_NAME in response.cookies
        or "HTTP_AUTHORIZATION" in request.META
        or _signed_in(getattr(request, "user", None))
    )


def _signed_in(user):
    """True for a user already known to be signed in; a lazy user nobody asked for stays unasked
    (asking would load the session of a request that carried no cookie: nobody)."""
    wrapped = getattr(user, "_wrapped", user)
    return wrapped is not empty and wrapped is not None and bool(getattr(wrapped, "is_authenticated", False))
