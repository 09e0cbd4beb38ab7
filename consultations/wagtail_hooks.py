"""The consultations app's screens in the Wagtail admin (the secretariat's back office): each
concern registers its own on import."""

from consultations.honoraria import admin as _honoraria_admin  # noqa: F401  (the honorarium rates)
from consultations.inquiries import admin as _inquiries_admin  # noqa: F401  (the consultations list, read-only)
from consultations.proposals import admin as _proposals_admin  # noqa: F401  (the proposals' board and screening)
from consultations.year_report import admin as _year_report_admin  # noqa: F401  (the year report)
