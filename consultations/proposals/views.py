"""Portal pages of proposals: the list (an expert's own; a department's "routed to us"; all for
the secretariat and the commission), the submission form, the proposal page with each
suggestion's answer (and the answer form for the department it went to), consent to
publication, attachments. Pages render and call ``proposals``; a proposal the caller may not
see is 404 everywhere."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from consultations.opinions.models import Point
from consultations.proposals import cleaning, rules, selectors
from consultations.proposals import services as proposals
from consultations.proposals.models import Proposal, ProposalAttachment
from consultations.responses import rules as response_rules
from consultations.responses import selectors as response_selectors
from consultations.responses import services as responses
from consultations.responses.models import Response
from core.errors import StateConflict
from experts import audit, roles
from experts.models import Domain
from reviews import rules as review_rules

LIST_SIZE = 200


def _proposal(request, proposal_id):
    proposal = selectors.visible_proposal(request.user, proposal_id)
    if proposal is None:
        raise Http404
    return proposal


def _errors(request, error):
    for message in getattr(error, "messages", None) or [getattr(error, "message", str(error))]:
        messages.error(request, message)


def _own_expert(user):
    return getattr(user, "expert", None) if roles.has_role(user, roles.EXPERT) else None


@login_required
def proposal_list(request):
    """An expert's own proposals; a department's, those routed to it; all, for the secretariat and
    the commission. ``?state=`` filters."""
    rows = selectors.list_rows(request.user)
    state = request.GET.get("state", "")
    if state in Proposal.State.values:
        rows = rows.filter(state=state)
    return render(
        request,
        "consultations/proposal_list.html",
        {
            "rows": rows[:LIST_SIZE],
            "state": state,
            "states": Proposal.State.choices,
            "can_submit": _own_expert(request.user) is not None,
            "is_department": review_rules.staff_organization_id(request.user) is not None,
        },
    )


class ProposalForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=cleaning.MAX_TITLE)
    problem = forms.CharField(label=gettext_lazy("The problem"), widget=forms.Textarea(attrs={"rows": 6}))
    domains = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Domains"),
        queryset=Domain.objects.filter(parent__isnull=True).order_by("code"),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


@login_required
def proposal_new(request):
    """The submission form: title, problem, any number of suggestions (added and removed on the
    page), domains, attachments. Everything is checked before anything is stored."""
    expert = _own_expert(request.user)
    if expert is None:
        raise Http404
    form = ProposalForm(request.POST or None)
    points = [p for p in request.POST.getlist("points")] if request.method == "POST" else ["", ""]
    if request.method == "POST" and form.is_valid():
        try:
            proposal = proposals.submit_proposal(
                expert,
                by=request.user,
                title=form.cleaned_data["title"],
                problem=form.cleaned_data["problem"],
                points=points,
                domains=list(form.cleaned_data["domains"]),
                attachments=request.FILES.getlist("attachments"),
            )
        except ValidationError as error:
            _apply(form, error)
        except (StateConflict, PermissionDenied) as error:
            form.add_error(None, getattr(error, "message", str(error)))
        else:
            messages.success(request, _("Your proposal is submitted and sealed. The secretariat will screen it."))
            return redirect("consultations:proposal", proposal_id=proposal.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "consultations/proposal_form.html",
        {"form": form, "points": points or [""], "max_attachments": cleaning.MAX_ATTACHMENTS},
        status=status,
    )


def _apply(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            key = field.split(".")[0]
            form.add_error(key if key in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _detail_context(request, proposal):
    user = request.user
    points = list(
        proposal.points.filter(removed=False).select_related("response", "organization").order_by("position", "id")
    )
    for point in points:
        point.proposal = proposal
        point.answerable = response_rules.can_answer(user, point)
    return {
        "proposal": proposal,
        "points": points,
        "statuses": Response.Status.choices,
        "is_author": rules.is_author(user, proposal),
        "can_screen": rules.can_screen(user),
        "can_consent": rules.can_consent(user, proposal),
        "merged_into": proposal.merged_into
        if proposal.merged_into_id and rules.can_see_proposal(user, proposal.merged_into)
        else None,
        "attachments": list(proposal.attachments.all()),
        "routed_to": list(proposal.routed_to.all()),
        "domains": list(proposal.domains.all()),
    }


@login_required
def proposal_detail(request, proposal_id):
    proposal = _proposal(request, proposal_id)
    proposal = Proposal.objects.select_related("author", "merged_into").get(pk=proposal.pk)
    return render(request, "consultations/proposal_detail.html", _detail_context(request, proposal))


@login_required
@require_POST
def proposal_answer(request, proposal_point_id):
    """The department's (or the commission's) answer to one suggestion; with htmx only the
    suggestion is sent back."""
    point = response_selectors.visible_point(request.user, proposal_point_id)
    if point is None or not point.proposal_id or not response_rules.can_answer(request.user, point):
        raise Http404
    error = None
    try:
        responses.answer_point(
            point, by=request.user, status=request.POST.get("status", ""), reason=request.POST.get("reason", "")
        )
    except (ValidationError, StateConflict) as problem:
        error = problem
    if request.htmx:
        point = Point.objects.select_related("response", "organization", "proposal").get(pk=point.pk)
        point.answerable = response_rules.can_answer(request.user, point)
        problems = (getattr(error, "messages", None) or [getattr(error, "message", "")]) if error else []
        return render(
            request,
            "consultations/_proposal_point.html",
            {"p": point, "statuses": Response.Status.choices, "problems": problems, "saved": error is None},
            status=400 if error else 200,
        )
    if error:
        _errors(request, error)
    else:
        messages.success(request, _("The answer is saved."))
    return redirect(f"{_detail_url(point.proposal_id)}#point-{point.pk}")


def _detail_url(proposal_id):
    return reverse("consultations:proposal", args=[proposal_id])


@login_required
@require_POST
def proposal_consent(request, proposal_id):
    proposal = _proposal(request, proposal_id)
    if not rules.is_author(request.user, proposal):
        raise Http404
    try:
        proposals.consent_to_publication(proposal, by=request.user)
        messages.success(request, _("Thank you: the secretariat may now publish your proposal on the committee site."))
    except (StateConflict, PermissionDenied) as error:
        _errors(request, error)
    return redirect("consultations:proposal", proposal_id=proposal.pk)


@login_required
def proposal_attachment(request, proposal_id, attachment_id):
    proposal = _proposal(request, proposal_id)
    attachment = ProposalAttachment.objects.filter(proposal=proposal, pk=attachment_id).first()
    if attachment is None:
        raise Http404
    audit.record(audit.DOWNLOAD, actor=request.user, request=request, obj=proposal, outcome=audit.SUCCESS,
                 document=f"proposal-attachment-{attachment.pk}")  # fmt: skip
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.title)
