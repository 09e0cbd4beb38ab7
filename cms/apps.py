from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Committee website")

    def ready(self):
        from cms import menu
        from cms.publishing import draft_conclusion_page, draft_proposal_page, ensure_publishing
        from consultations.responses import signals

        # Needs the page permissions and the role groups, which exist once every app has migrated;
        # idempotent, so it runs after each.
        post_migrate.connect(ensure_publishing, dispatch_uid="cms.ensure_publishing")
        # Consultations asks for the pages of its conclusions and proposals; the site makes them.
        signals.conclusion_page_requested.connect(draft_conclusion_page, dispatch_uid="cms.conclusion_page")
        signals.proposal_page_requested.connect(draft_proposal_page, dispatch_uid="cms.proposal_page")
        menu.connect()  # the cached navigation is forgotten when a page or a site changes
