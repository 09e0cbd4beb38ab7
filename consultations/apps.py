from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Opinions and consultations")

    def ready(self):
        # Each concern registers its portal navigation, task sections, admin screens, kinds of point
        # and its part of an expert's participation record on import.
        from consultations import participation as _participation  # noqa: F401
        from consultations.consolidation import kinds as _consolidation_kinds  # noqa: F401
        from consultations.consolidation import portal as _consolidation_portal  # noqa: F401
        from consultations.honoraria import portal as _honoraria_portal  # noqa: F401
        from consultations.inquiries import kinds as inquiry_kinds
        from consultations.inquiries import portal as _inquiries_portal  # noqa: F401
        from consultations.opinions import portal as _opinions_portal  # noqa: F401
        from consultations.opinions import services as opinion_services
        from consultations.proposals import admin as _proposals_admin  # noqa: F401
        from consultations.proposals import kinds as _proposals_kinds  # noqa: F401
        from consultations.proposals import portal as _proposals_portal  # noqa: F401
        from consultations.year_report import portal as _year_report_portal  # noqa: F401
        from reviews.models import Assignment
        from reviews.signals import assignment_accepted

        # A consultation's answer is a kind of opinion, its points a kind of point (registries below).
        inquiry_kinds.register()
        # reviews announces an accepted invitation; the expert's empty draft opinion opens with it.
        assignment_accepted.connect(
            opinion_services.open_draft_on_acceptance, sender=Assignment, dispatch_uid="consultations.open_draft"
        )
