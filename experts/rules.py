"""Who may do what with the roster: every "may" of experts/ is decided here, once, and the
admin screens, the portal, the API and the services ask these functions.

Contact details (mobile, email) have their own rule and its audit trail in ``privacy``.
"""

from django.core.exceptions import PermissionDenied

from experts import roles


def is_own(viewer, expert):
    """``expert`` is ``viewer``'s own record."""
    return bool(viewer is not None and viewer.is_authenticated and expert.user_id and expert.user_id == viewer.pk)


def is_secretariat(user):
    """The secretariat keeps the roster: in the API it alone adds organisations and experts,
    changes records and statuses, filters and searches on the fields others may not read."""
    return roles.has_role(user, roles.SECRETARIAT)


def may_manage_roster(user):
    """The roster's back-office screens (list, create, edit, status, import, export) and every
    write of the roster: the secretariat, and operators (superusers). The API is the
    secretariat's alone (``is_secretariat``): it refuses an operator without the role."""
    return is_secretariat(user) or bool(user.is_authenticated and user.is_superuser)


def may_see_roster(user):
    """Others' records at all (their public fields; see ``may_read_full_record``): the
    secretariat and the commission. Anyone else sees only their own record."""
    return is_secretariat(user) or roles.has_role(user, roles.COMMISSION)


def may_read_full_record(viewer, expert):
    """Every field of a record, its history and its declared conflicts: the secretariat and the
    expert themself."""
    return is_secretariat(viewer) or is_own(viewer, expert)


def may_keep_own_record(user, expert):
    """What an expert keeps on their own record (contact details, biography, photo, unavailable
    periods, declared conflicts): the expert, and whoever manages the roster."""
    return is_own(user, expert) or may_manage_roster(user)


def require(rule, by, *args):
    """Refuse (``PermissionDenied``) a write whose actor ``rule(by, *args)`` does not allow.
    ``by`` ``None`` is the system itself (a management command, a task, the demo loader) and is
    not asked."""
    if by is not None and not rule(by, *args):
        raise PermissionDenied
