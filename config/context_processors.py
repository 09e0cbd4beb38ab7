from core.portal import nav_for
from experts.roles import roles_of
from experts.selectors import large_text_for


def portal(request):
    """What the portal shell needs on every page: the user's roles and text size."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": frozenset(), "large_text": False, "portal_nav": []}
    return {
        "user_roles": roles_of(user),
        "large_text": large_text_for(user),
        "portal_nav": nav_for(user),
        # Chinese order, no space: surname then given name.
        "display_name": f"{user.last_name}{user.first_name}".strip() or user.get_username(),
    }
