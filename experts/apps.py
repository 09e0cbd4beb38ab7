from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ExpertsConfig(AppConfig):
    name = "experts"
    verbose_name = _("Roster")

    def ready(self):
        from . import portal  # noqa: F401 - registers the roster's portal sections
        from . import signin  # noqa: F401 - the audit of sign-ins (auth signals)
        from .roles import ensure_roles

        # Groups need the permissions of every app, which exist only after each has migrated; the
        # handler is idempotent, so it runs after every app.
        post_migrate.connect(ensure_roles, dispatch_uid="experts.ensure_roles")
