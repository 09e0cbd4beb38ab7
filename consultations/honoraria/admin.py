"""The committee's rates in the secretariat's back office (Wagtail admin): the four amounts,
each within the standard's range, and their history. Imported from ``consultations/wagtail_hooks.py``."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from consultations.honoraria import rates, rules, services
from consultations.honoraria.forms import RatesForm
from consultations.honoraria.models import Rate


def rates_view(request):
    """GET: the amounts in force and their history; POST: set them (refused, naming each range)."""
    if not rules.may_manage_honoraria(request.user):
        raise Http404
    form = RatesForm(request.POST or None, initial={key: value for key, value in rates.current().items()})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_rates(by=request.user, values=form.cleaned_data)
        except ValidationError as error:
            for key, errors in error.message_dict.items():
                form.add_error(key if key in form.fields else None, errors)
        else:
            messages.success(request, _("The honorarium rates were saved."))
            return redirect("consultations_honoraria_rates")
    history = Rate.history.select_related("history_user").order_by("-history_date", "-history_id")[:30]
    context = {"form": form, "history": history}
    return TemplateResponse(request, "consultations/honoraria/rates.html", context, status=400 if form.errors else 200)


class SecretariatMenuItem(MenuItem):
    def is_shown(self, request):
        return rules.may_manage_honoraria(request.user)


@hooks.register("register_admin_urls")
def register_rates_urls():
    return [path("honoraria/rates/", rates_view, name="consultations_honoraria_rates")]


@hooks.register("register_admin_menu_item")
def register_rates_menu():
    return SecretariatMenuItem(
        gettext_lazy("Honorarium rates"), reverse("consultations_honoraria_rates"), icon_name="tag", order=460
    )
