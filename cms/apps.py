from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Committee website")

    def ready(self):
        from cms.publishing import ensure_publishing

        # Needs the page permissions and the role groups, which exist once every app has migrated;
        # idempotent, so it runs after each.
        post_migrate.connect(ensure_publishing, dispatch_uid="cms.ensure_publishing")
