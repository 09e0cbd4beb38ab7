from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The kernel every app may use: errors, versioning, the REST error handler, uploads, HTML
    sanitising, portal navigation, live events after commit, mail and SMS, notifications."""

    name = "core"
    verbose_name = _("Kernel")
