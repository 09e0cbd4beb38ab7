from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Opinions and consultations")

    def ready(self):
        # Each concern registers its portal navigation, task sections and admin screens on import.
        from consultations.consolidation import portal as _consolidation_portal  # noqa: F401
        from consultations.inquiries import portal as _inquiries_portal  # noqa: F401
        from consultations.opinions import portal as _opinions_portal  # noqa: F401
        from consultations.proposals import admin as _proposals_admin  # noqa: F401
        from consultations.proposals import portal as _proposals_portal  # noqa: F401
        from consultations.year_report import views as _year_report_views  # noqa: F401
