"""Portal pages for experts (invitations, the review page, the plan reader) and departments
(their plans, each review's state), plus the checked download of plan documents."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import StateConflict
from experts import audit
from experts.models import Organization
from reviews import rules, selectors
from reviews.models import Assignment, Plan, PlanVersion
from reviews.services import assignments as assignment_services
from reviews.services import plans as plan_services


class AcceptForm(forms.Form):
    no_conflict = forms.BooleanField(label=gettext_lazy("I declare that I have no conflict of interest"))
    confidentiality = forms.BooleanField(label=gettext_lazy("I accept the confidentiality undertaking"))


class DeclineForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for declining"), max_length=500, widget=forms.Textarea(
        attrs={"rows": 3}))  # fmt: skip


@login_required
def invitations(request):
    """The expert's invitations (to answer) and panels (accepted), newest first."""
    assignments = list(selectors.assignments_of(request.user))
    return render(
        request,
        "reviews/invitations.html",
        {
            "waiting": [a for a in assignments if a.state == Assignment.State.INVITED],
            "panels": [a for a in assignments if a.state == Assignment.State.ACCEPTED],
            "past": [a for a in assignments if a.state not in Assignment.ACTIVE_STATES],
            "texts": assignment_services.declaration_texts(),
            "accept_form": AcceptForm(),
            "decline_form": DeclineForm(),
        },
    )


def _own_assignment(request, assignment_id):
    assignment = get_object_or_404(Assignment.objects.select_related("review__plan", "expert"), pk=assignment_id)
    if not rules.is_invitee(request.user, assignment):
        raise Http404
    return assignment


def _service_errors(request, error):
    for message in getattr(error, "messages", [str(error)]):
        messages.error(request, message)


@login_required
@require_POST
def accept(request, assignment_id):
    assignment = _own_assignment(request, assignment_id)
    try:
        assignment_services.accept_assignment(
            assignment,
            by=request.user,
            no_conflict=request.POST.get("no_conflict") == "on",
            confidentiality=request.POST.get("confidentiality") == "on",
        )
    except (ValidationError, StateConflict) as error:
        _service_errors(request, error)
        return redirect("reviews:invitations")
    messages.success(request, _("Thank you: you are on the panel. The plan is now open to you."))
    return redirect("reviews:review", review_id=assignment.review_id)


@login_required
@require_POST
def decline(request, assignment_id):
    assignment = _own_assignment(request, assignment_id)
    try:
        assignment_services.decline_assignment(assignment, by=request.user, reason=request.POST.get("reason", ""))
    except (ValidationError, StateConflict) as error:
        _service_errors(request, error)
        return redirect("reviews:invitations")
    messages.success(request, _("You have declined. The secretariat has been told."))
    return redirect("reviews:invitations")


def _visible_review(request, review_id):
    review = selectors.reviews_visible_to(request.user).filter(pk=review_id).first()
    if review is None:
        raise Http404
    return review


@login_required
def review_page(request, review_id):
    """The review's schedule and its panel: by name for those who may see the panel, as numbers
    only for everyone else (名单保密, ``rules.can_see_panel``)."""
    review = _visible_review(request, review_id)
    sees_panel = rules.can_see_panel(request.user, review)
    panel = list(selectors.assignments_for_review(review)) if sees_panel else []
    own = next((a for a in panel if a.expert.user_id == request.user.id), None)
    return render(
        request,
        "reviews/review.html",
        {
            "review": review,
            "sees_panel": sees_panel,
            "panel": panel,
            "progress": None if sees_panel else selectors.panel_progress(review),
            "closed": review.state in rules.CLOSED_STATES,
            "own": own,
            "now": timezone.now(),
            "is_secretariat": rules.is_secretariat(request.user),
            "labels": json.dumps({v: str(label) for v, label in Assignment.State.choices}, ensure_ascii=False),
        },
    )


def _visible_version(request, plan_id, number):
    plan = get_object_or_404(Plan, pk=plan_id)
    if not rules.can_view_plan(request.user, plan):
        raise Http404
    return get_object_or_404(PlanVersion, plan=plan, number=number)


@login_required
def plan_reader(request, plan_id, number):
    """The converted version, block by block, each with its ``section`` anchor."""
    version = _visible_version(request, plan_id, number)
    return render(request, "reviews/reader.html", {"version": version, "plan": version.plan})


@login_required
def plan_document(request, plan_id, number):
    """The original file, streamed only after the same check as the reader."""
    version = _visible_version(request, plan_id, number)
    audit.record(audit.DOWNLOAD, actor=request.user, request=request, obj=version, outcome=audit.SUCCESS)
    return FileResponse(version.document.open("rb"), as_attachment=True, filename=version.original_name)


class PlanForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Plan.Kind.choices)
    document = forms.FileField(label=gettext_lazy("Document (.docx or .pdf)"))


@login_required
def my_plans(request):
    """A department's plans and the state of each review; the form to submit a new one."""
    if not rules.can_list_plans(request.user):
        raise Http404
    form = PlanForm()
    if request.method == "POST":
        form = PlanForm(request.POST, request.FILES)
        if form.is_valid() and rules.can_submit_plan(request.user):
            try:
                _submit_plan(request, form.cleaned_data)
            except ValidationError as error:
                form.add_error("document", error)
            else:
                messages.success(request, _("The plan has been submitted."))
                return redirect("reviews:my-plans")
    plans = list(
        selectors.plans_visible_to(request.user).prefetch_related("reviews").order_by("-created_at", "-id")[:100]
    )
    return render(
        request,
        "reviews/plans.html",
        {"plans": plans, "form": form, "can_submit": rules.staff_organization_id(request.user)},
    )


def _submit_plan(request, data):
    with transaction.atomic():
        organization = Organization.objects.get(pk=rules.staff_organization_id(request.user))
        plan = plan_services.create_plan(
            by=request.user, title=data["title"], kind=data["kind"], submitted_by=organization
        )
        plan_services.add_plan_version(plan, upload=data["document"], by=request.user)
    return plan
