"""The roster's API (API.md): tokens, domains, organisations, experts."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from config.rest import error_response

from . import services


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class TokenView(APIView):
    """``POST`` exchanges a username and password for a bearer token; ``DELETE`` revokes it."""

    throttle_scope = "token"

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def get_throttles(self):
        return [ScopedRateThrottle()] if self.request.method == "POST" else []

    def get_authenticators(self):
        # The token endpoint never needs a CSRF check: it takes credentials, not a session.
        from .auth import BearerTokenAuthentication

        return [BearerTokenAuthentication()]

    @extend_schema(request=TokenRequestSerializer, responses={201: TokenSerializer}, auth=[])
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issued = services.issue_api_token(request=request._request, **data.validated_data)
        if issued is None:
            return error_response(_("The username or password is wrong."), status_code=status.HTTP_400_BAD_REQUEST)
        raw, token = issued
        return Response(
            TokenSerializer({"token": raw, "expires_at": token.expires_at}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses={204: inline_serializer("TokenRevoked", {})})
    def delete(self, request):
        if request.auth is None:
            return error_response(
                _("Send the token to revoke in the Authorization header."), status_code=status.HTTP_400_BAD_REQUEST
            )
        services.revoke_api_token(request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
