"""The actions of the expert's page: a status change (always with a reason), "show contact
details" and "show bank details" (each recorded in the audit trail)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from experts import banking, privacy, services
from experts.admin_views.access import require_roster_manager
from experts.forms import StatusForm, apply_errors
from experts.models import Expert

STATUS_ACTIONS = {
    "activate": Expert.Status.ACTIVE,
    "suspend": Expert.Status.SUSPENDED,
    "dismiss": Expert.Status.DISMISSED,
}


def _change_status(expert, data, *, by):
    if data["action"] == "renew":
        services.renew_term(
            expert,
            term_start=data.get("term_start") or timezone.localdate(),
            term_end=data["term_end"],
            appointment_letter=data.get("appointment_letter") or "",
            by=by,
            reason=data["reason"],
        )
    else:
        services.change_expert_status(expert, status=STATUS_ACTIONS[data["action"]], by=by, reason=data["reason"])


def status_view(request, pk):
    """Suspend, renew, dismiss or appoint an expert, always with a reason."""
    require_roster_manager(request)
    expert = get_object_or_404(Expert, pk=pk)
    form = StatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _change_status(expert, form.cleaned_data, by=request.user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The status of %(name)s was changed.") % {"name": expert.name})
            return redirect("experts_expert:inspect", expert.pk)
    return TemplateResponse(request, "experts/admin/status.html", {"expert": expert, "form": form})


def contact_view(request, pk):
    """ "Show contact details": the expert's mobile and email in full, for a holder of
    ``experts.view_contact``, recorded in the audit trail (experts/privacy.py); 403 otherwise."""
    if request.method != "POST":
        return redirect("experts_expert:inspect", pk)
    expert = get_object_or_404(Expert, pk=pk)
    contact = privacy.unmask(request.user, expert, request=request, via="admin")
    return TemplateResponse(request, "experts/admin/contact.html", {"expert": expert, "contact": contact})


def bank_view(request, pk):
    """ "Show bank details": the account number in full, for a holder of ``experts.view_contact``,
    recorded in the audit trail (experts/banking.py); 403 otherwise."""
    if request.method != "POST":
        return redirect("experts_expert:inspect", pk)
    expert = get_object_or_404(Expert, pk=pk)
    bank = banking.unmask_bank(request.user, expert, request=request, via="admin")
    return TemplateResponse(request, "experts/admin/bank.html", {"expert": expert, "bank": bank})
