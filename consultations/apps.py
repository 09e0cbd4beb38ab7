from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Opinions and consultations")

    def ready(self):
        import consultations.consolidation_portal
        import consultations.consultation_portal  # noqa: F401  (issue 8: consultations link, questions to answer)

        from . import (  # noqa: F401  (issue 8: proposals in the nav, "my tasks", the admin)
            portal,
            proposal_admin,
            proposal_portal,
            year_report_views,
        )
