"""The gate of the roster's custom admin screens (the generic ones go by Wagtail's permission
policy)."""

from django.core.exceptions import PermissionDenied

from experts import rules


def require_roster_manager(request):
    if not rules.may_manage_roster(request.user):
        raise PermissionDenied
