"""The site's hooks into the Wagtail admin: the approval workflow for new sections, and the
secretariat's home (the week's work, ``cms.dashboard``)."""

from django.urls import path
from wagtail import hooks

from cms import dashboard
from cms.publishing import approval_page_types, require_approval


@hooks.register("after_create_page")
def approval_for_new_sections(request, page):
    """A news, notice or conclusion section made in the admin gets the approval workflow at once."""
    if isinstance(page.specific, approval_page_types()):
        require_approval(page)


@hooks.register("construct_homepage_panels")
def week_on_the_home(request, panels):
    """The week's work heads the admin home of the secretariat (and of an operator); other admin
    users (the auditor) get Wagtail's panels alone, and no count is read for them."""
    if dashboard.may_see_week(request.user):
        panels.append(dashboard.WeekPanel())


@hooks.register("register_admin_urls")
def register_week_urls():
    return [path("week/<slug:key>/", dashboard.week_list, name="cms_week")]
