"""Who may see an expert's contact details, and the masking everyone else gets.

The one rule: the secretariat and the expert themself see mobile and email in full; everyone
else sees them masked (``138****5678``, ``z***@example.cn``). Pages, the API and exports all
call ``contact_for``; nothing else decides.
"""

from . import roles


def mask_mobile(value):
    """``13812345678`` → ``138****5678``; a ``+86`` prefix is kept; short values are hidden."""
    value = (value or "").strip()
    if not value:
        return ""
    prefix = ""
    if value.startswith("+86"):
        prefix, value = "+86", value[3:]
    if len(value) < 8:
        return prefix + "*" * len(value)
    return f"{prefix}{value[:3]}****{value[-4:]}"


def mask_email(value):
    """``zhangsan@example.cn`` → ``z***@example.cn``."""
    value = (value or "").strip()
    if not value:
        return ""
    local, at, domain = value.partition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"


def can_see_contact(viewer, expert):
    """Full contact details: the secretariat, and the expert on their own record."""
    if viewer is None or not viewer.is_authenticated:
        return False
    if expert.user_id is not None and expert.user_id == viewer.pk:
        return True
    return roles.has_role(viewer, roles.SECRETARIAT)


def contact_for(viewer, expert):
    """``{"mobile", "email"}`` as ``viewer`` may see them."""
    if can_see_contact(viewer, expert):
        return {"mobile": expert.mobile, "email": expert.email}
    return {"mobile": mask_mobile(expert.mobile), "email": mask_email(expert.email)}
