from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ExpertsConfig(AppConfig):
    name = "experts"
    verbose_name = _("Roster")

    def ready(self):
        # Imported for what they register: the audit trail's admin screen (a Wagtail hook), the
        # roster's portal sections, the audit of sign-ins (auth signals).
        from experts import audit_admin, portal, signin  # noqa: F401
        from experts.roles import ensure_roles

        # Groups need the permissions of every app, which exist only after each has migrated; the
        # handler is idempotent, so it runs after every app.
        post_migrate.connect(ensure_roles, dispatch_uid="experts.ensure_roles")
