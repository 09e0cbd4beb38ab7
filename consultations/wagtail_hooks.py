"""The consultations app's screens in the Wagtail admin (the secretariat's back office)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from consultations.inquiries import admin as _inquiries_admin  # noqa: F401  (the consultations list, read-only)
from consultations.year_report import views as year_report_views
from experts import roles


class SecretariatMenuItem(MenuItem):
    def is_shown(self, request):
        return roles.has_role(request.user, roles.SECRETARIAT) or request.user.is_superuser


# issue 8: the committee's year report, filed by the secretariat at the year's end
@hooks.register("register_admin_urls")
def register_year_report_urls():
    return [path("year-report/", year_report_views.year_report_admin, name="consultations_year_report")]


@hooks.register("register_admin_menu_item")
def register_year_report_menu():
    return SecretariatMenuItem(_("Year report"), reverse("consultations_year_report"), icon_name="table", order=450)
