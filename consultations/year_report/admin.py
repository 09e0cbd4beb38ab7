"""The year report in the secretariat's back office (Wagtail admin): its page and menu item,
filed there at the year's end. Imported from ``consultations/wagtail_hooks.py``."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from consultations.year_report.rules import may_file_year_report
from consultations.year_report.views import year_report_admin


class SecretariatMenuItem(MenuItem):
    def is_shown(self, request):
        return may_file_year_report(request.user)


@hooks.register("register_admin_urls")
def register_year_report_urls():
    return [path("year-report/", year_report_admin, name="consultations_year_report")]


@hooks.register("register_admin_menu_item")
def register_year_report_menu():
    return SecretariatMenuItem(_("Year report"), reverse("consultations_year_report"), icon_name="table", order=450)
