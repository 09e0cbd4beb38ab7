from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self):
        # Registered on import: the portal's nav items and task sections, the invitation counts of an
        # expert's participation record.
        from reviews import participation, portal  # noqa: F401
