"""``/auth/token/``: a bearer token for a username and password (and the second factor), and
its revocation."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from core.rest import TextField, error_response
from experts import tokens
from experts.auth import BearerTokenAuthentication
from experts.second_factor import SecondFactorError


class TokenRequestSerializer(serializers.Serializer):
    username = TextField(max_length=150)
    password = TextField(max_length=256, trim_whitespace=False)
    otp = TextField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="a current code of the authenticator app (or a backup code): required of the back office's accounts",
    )


class TokenSerializer(serializers.Serializer):
    token = TextField()
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
        return [BearerTokenAuthentication()]

    @extend_schema(request=TokenRequestSerializer, responses={201: TokenSerializer}, auth=[])
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            issued = tokens.issue_api_token(request=request._request, **data.validated_data)
        except SecondFactorError as error:
            return error_response(str(error), status_code=status.HTTP_400_BAD_REQUEST, errors={"otp": [str(error)]})
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
        tokens.revoke_api_token(request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
