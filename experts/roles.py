"""Roles are Django groups. Superusers are for operators only."""

SECRETARIAT = "secretariat"
EXPERT = "expert"
COMMISSION = "commission"
DEPARTMENT = "department"
AUDITOR = "auditor"  # reads the audit trail and nothing else (the secretariat head holds it too)
ALL = (SECRETARIAT, EXPERT, COMMISSION, DEPARTMENT, AUDITOR)


def roles_of(user):
    """The role names of a user, cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached


def has_role(user, role):
    return role in roles_of(user)


# Model permissions each role holds (object permissions come from reviews/permissions.py).
SECRETARIAT_APPS = ("experts", "reviews", "consultations", "cms")
SECRETARIAT_EXTRA = (
    ("wagtailadmin", "access_admin"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
)


def ensure_roles(**kwargs):
    """Create the role groups and give the secretariat its model permissions. Idempotent."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ALL}
    wanted = list(
        Permission.objects.filter(content_type__app_label__in=SECRETARIAT_APPS).exclude(
            content_type__model="auditrecord"
        )
    )
    for app_label, codename in SECRETARIAT_EXTRA:
        wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
    groups[SECRETARIAT].permissions.add(*wanted)
    groups[AUDITOR].permissions.add(
        *Permission.objects.filter(
            Q(content_type__app_label="experts", codename="view_auditrecord")
            | Q(content_type__app_label="wagtailadmin", codename="access_admin")
        )
    )
    return groups
