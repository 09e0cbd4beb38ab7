"""Bearer tokens (docs/api.md) for HTTP (DRF) and for the WebSocket handshake (Channels)."""

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from experts.tokens import api_token_for


def bearer_from_header(value):
    """The token in an ``Authorization: Bearer <token>`` value, else ``None``."""
    if not value:
        return None
    scheme, _sep, raw = value.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    return raw.strip()


class BearerTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.lower().startswith("bearer"):
            return None
        raw = bearer_from_header(header)
        token = api_token_for(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(_("The token is invalid, expired or revoked."))
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class BearerTokenMiddleware:
    """Channels middleware: a valid bearer token in the handshake signs the user in.

    It sits inside the session middleware stack, so a session cookie works as well; a bearer
    header, when present, takes precedence. A session of an account that needs a second factor
    counts only once that factor was entered (experts/second_factor.py); a bearer token of
    such an account was issued against a code, so it counts as it is.
    """

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers", []))
        raw = bearer_from_header(headers.get(b"authorization", b"").decode("latin-1"))
        if raw:
            token = await database_sync_to_async(api_token_for)(raw)
            if token is not None:
                scope = dict(scope, user=token.user, api_token=token)
        elif not await database_sync_to_async(_second_factor_done)(scope.get("user"), scope.get("session")):
            # Signed in with a password only where a second factor is needed: not signed in here.
            scope = dict(scope, user=AnonymousUser())
        return await self.inner(scope, receive, send)


def _second_factor_done(user, session):
    """False only for an account that needs a second factor whose session has not verified one."""
    from experts.second_factor import requires_second_factor, session_device_is_verified

    if user is None or not user.is_authenticated or not requires_second_factor(user):
        return True
    return session_device_is_verified(user, session)


def TokenOrSessionAuthMiddlewareStack(inner):
    return AuthMiddlewareStack(BearerTokenMiddleware(inner))
