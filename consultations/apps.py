from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Opinions and consultations")

    def ready(self):
        import consultations.consolidation_portal  # noqa: F401  (issue 6: workspace link, confirmations)
        import consultations.consultation_portal  # noqa: F401  (issue 8: consultations link, questions to answer)

        from . import portal  # noqa: F401  (registers "my tasks" sections)
        from . import proposal_admin, proposal_portal  # noqa: F401  (issue 8: proposals in the nav, "my tasks", the admin)
        from . import year_report_views  # noqa: F401  (issue 8: the year report's portal link)
