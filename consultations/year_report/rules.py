"""Who may read the year report: the commission reads it, the secretariat files it (and alone
sees it in the back office). Everyone else gets 404, as for anything they may not see."""

from experts import roles


def may_read_year_report(user):
    """The commission reads the year report; the secretariat files it."""
    return roles.has_role(user, roles.SECRETARIAT) or roles.has_role(user, roles.COMMISSION)


def may_file_year_report(user):
    """The back office's page and menu item: the secretariat (and a superuser)."""
    return roles.has_role(user, roles.SECRETARIAT) or user.is_superuser
