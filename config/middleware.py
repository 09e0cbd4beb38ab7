"""Cross-cutting middleware."""

from django.conf import settings
from django.utils.csp import CSP

# The Wagtail admin, Django's admin and the API docs ship inline scripts and styles; they get a
# looser policy, still limited to this host. The portal and the public site keep the strict one.
LOOSE_PREFIXES = ("/admin/", "/django-admin/", "/api/docs/")
LOOSE_POLICY = {
    **settings.SECURE_CSP,
    "script-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "frame-ancestors": [CSP.SELF],
    "frame-src": [CSP.SELF],
}


class AdminCspMiddleware:
    """Give the admin screens the looser policy (must sit below ContentSecurityPolicyMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(LOOSE_PREFIXES) and not hasattr(response, "_csp_config"):
            response._csp_config = LOOSE_POLICY
        return response


class SecondFactorMiddleware:
    """An account that needs a second factor (experts/second_factor.py: the back office's accounts,
    the commission and department staff) and has signed in with a password only gets nothing but
    the sign-in pages and public assets until it has entered a code: every page, the portal's as
    the admin's, redirects to the code page (or to setting up an authenticator, if it has none),
    the API answers 403 in its error format. Sits after django-otp's ``OTPMiddleware``."""

    # Not the password change: a password alone must not replace the password.
    OPEN_PREFIXES = (
        "/accounts/login/",
        "/accounts/logout/",
        "/accounts/second-factor/",
        "/static/",
        "/media/",
        "/i18n/",
        "/api/v1/auth/token/",
        "/api/schema/",
        "/favicon",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from experts import second_factor

        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(self.OPEN_PREFIXES)
            and not self.bearer_api_call(request)
            and second_factor.requires_second_factor(user)
            and not second_factor.is_verified(user)
        ):
            return self.refuse(request, has_device=second_factor.has_second_factor(user))
        return self.get_response(request)

    @staticmethod
    def bearer_api_call(request):
        """An API call with a bearer token: the token decides (it was issued against a code, and
        DRF tries it before the session; a wrong one is a 401), as on the sockets
        (experts/auth.py), not a halfway session cookie that came along."""
        from experts.auth import bearer_from_header

        header = request.META.get("HTTP_AUTHORIZATION")
        return request.path.startswith("/api/") and bearer_from_header(header) is not None

    def refuse(self, request, *, has_device):
        from urllib.parse import urlencode

        from django.http import JsonResponse
        from django.shortcuts import redirect
        from django.urls import reverse
        from django.utils.translation import gettext as _

        if request.path.startswith("/api/"):
            detail = _("Enter the code of your authenticator app on the website first, or use a bearer token.")
            return JsonResponse({"detail": detail, "errors": {}}, status=403)
        target = reverse("second-factor" if has_device else "second-factor-setup")
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
