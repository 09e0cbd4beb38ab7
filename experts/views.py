"""The expert's own page in the portal: the profile as the committee sees it, and the few
things the expert keeps themself (contact details, biography, photo, unavailable periods,
declared conflicts). Everything else is the secretariat's and shows read-only.

Each section is a form that works without JavaScript (post, then redirect back) and, with
htmx, replaces just its own section.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from experts import selectors, services
from experts.forms import (
    PUBLIC_FIELD_LABELS,
    BankForm,
    ConflictForm,
    ContactForm,
    PhotoForm,
    UnavailabilityForm,
    apply_errors,
)
from experts.privacy import contact_for


def own_expert(request):
    """The signed-in user's expert record, or 404 for anyone who has none."""
    expert = selectors.roster().filter(user=request.user).first()
    if expert is None:
        raise Http404
    return expert


def _context(request, expert, **forms):
    return {
        "expert": expert,
        "contact": contact_for(request.user, expert),
        "public_labels": [PUBLIC_FIELD_LABELS[f] for f in expert.public_fields or [] if f in PUBLIC_FIELD_LABELS],
        "term_ends_soon": selectors.term_ends_soon(expert),
        "contact_form": forms.get("contact_form")
        or ContactForm(
            initial={
                "mobile": expert.mobile,
                "email": expert.email,
                "biography": expert.biography,
                "preferred_channel": expert.preferred_channel,
            }
        ),
        "bank_form": forms.get("bank_form")
        or BankForm(initial={name: getattr(expert, name) for name in BankForm.base_fields}),
        "photo_form": forms.get("photo_form") or PhotoForm(),
        "period_form": forms.get("period_form") or UnavailabilityForm(),
        "conflict_form": forms.get("conflict_form") or ConflictForm(),
        "periods": expert.unavailable_periods.all(),
        "conflicts": expert.conflicts.select_related("organization"),
    }


def _respond(request, expert, section, *, saved=None, **forms):
    """The section alone for htmx; otherwise back to the page (or the page with the errors)."""
    has_errors = any(form.errors for form in forms.values())
    if request.htmx:
        context = _context(request, expert, **forms) | {"saved": saved}
        return render(request, f"experts/profile/_{section}.html", context)
    if has_errors:
        return render(request, "experts/profile.html", _context(request, expert, **forms), status=400)
    if saved:
        messages.success(request, saved)
    return redirect("expert-profile")


@login_required
def profile(request):
    expert = own_expert(request)
    return render(request, "experts/profile.html", _context(request, expert))


@login_required
@require_POST
def update_contact(request):
    expert = own_expert(request)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            fields = {k: v for k, v in form.cleaned_data.items() if k != "preferred_channel" or v}  # absent: kept
            services.update_own_profile(expert, by=request.user, **fields)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            expert = own_expert(request)
            return _respond(request, expert, "contact", saved=_("Your contact details were saved."))
    return _respond(request, expert, "contact", contact_form=form)


@login_required
@require_POST
def update_bank(request):
    """The expert's own bank details, where honoraria are paid (their own: shown in full)."""
    expert = own_expert(request)
    form = BankForm(request.POST)
    if form.is_valid():
        try:
            services.update_own_profile(expert, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _respond(request, own_expert(request), "bank", saved=_("Your bank details were saved."))
    return _respond(request, expert, "bank", bank_form=form)


@login_required
@require_POST
def update_photo(request):
    expert = own_expert(request)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.set_expert_photo(expert, upload=form.cleaned_data["photo"], by=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _respond(request, own_expert(request), "photo", saved=_("Your photo was changed."))
    return _respond(request, expert, "photo", photo_form=form)


@login_required
@require_POST
def add_period(request):
    expert = own_expert(request)
    form = UnavailabilityForm(request.POST)
    if form.is_valid():
        try:
            services.add_unavailability(expert, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _respond(request, expert, "periods", saved=_("The period was added."))
    return _respond(request, expert, "periods", period_form=form)


@login_required
@require_POST
def remove_period(request, pk):
    expert = own_expert(request)
    period = get_object_or_404(expert.unavailable_periods, pk=pk)
    services.remove_unavailability(period, by=request.user)
    return _respond(request, expert, "periods", saved=_("The period was removed."))


@login_required
@require_POST
def declare_conflict(request):
    expert = own_expert(request)
    form = ConflictForm(request.POST)
    if form.is_valid():
        try:
            services.declare_conflict(expert, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _respond(request, expert, "conflicts", saved=_("The conflict was declared."))
    return _respond(request, expert, "conflicts", conflict_form=form)


@login_required
@require_POST
def withdraw_conflict(request, pk):
    expert = own_expert(request)
    conflict = get_object_or_404(expert.conflicts, pk=pk)
    services.withdraw_conflict(conflict, by=request.user)
    return _respond(request, expert, "conflicts", saved=_("The declaration was withdrawn."))
