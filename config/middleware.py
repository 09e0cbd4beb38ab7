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
