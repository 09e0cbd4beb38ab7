"""The secretariat's review screens in the Wagtail admin: plans and versions, scheduling, the
draw page (commit then reveal, or unwitnessed; pool, exclusions by rule, panel, alternates, seed,
hash, verify) and the live invitation board. Every write goes through the services;
``wagtail_hooks.py`` registers them."""

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import StateConflict
from experts.models import Domain, Expert, Organization
from reviews import notices, rules, selectors, states
from reviews.draw import selectors as draw_selectors
from reviews.draw import services as draw_services
from reviews.draw.verify import verify_draw
from reviews.models import Assignment, Draw, DrawCommitment, Plan, Review, default_criteria
from reviews.services import assignments, scheduling
from reviews.services import plans as plan_services


def require_secretariat(request):
    if not rules.can_use_review_admin(request.user):
        raise PermissionDenied


def _apply_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():  # the errors themselves: their codes name the rule
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class PlanForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Plan.Kind.choices)
    submitted_by = forms.ModelChoiceField(label=gettext_lazy("Submitted by"), queryset=Organization.objects.all())
    related_organizations = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Related organisations"), queryset=Organization.objects.all(), required=False
    )
    domains = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Domains"), queryset=Domain.objects.all(), required=False
    )
    document = forms.FileField(label=gettext_lazy("Document (.docx or .pdf)"))
    drafters = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Experts who drafted it"),
        queryset=Expert.objects.order_by("name"),
        required=False,
        help_text=gettext_lazy("They are not drawn to evaluate this plan while the review's rules exclude drafters."),
    )


class VersionForm(forms.Form):
    document = forms.FileField(label=gettext_lazy("New version (.docx or .pdf)"))
    drafters = PlanForm.base_fields["drafters"]


def plans_view(request):
    require_secretariat(request)
    form = PlanForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                plan = plan_services.create_plan(
                    by=request.user, title=data["title"], kind=data["kind"], submitted_by=data["submitted_by"],
                    domains=list(data["domains"]), related_organizations=list(data["related_organizations"]),
                )  # fmt: skip
                plan_services.add_plan_version(
                    plan, upload=data["document"], by=request.user, drafters=list(data["drafters"])
                )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The plan was added."))
            return redirect("reviews_admin:plans")
    plans = selectors.plans_visible_to(request.user).prefetch_related("reviews").order_by("-created_at", "-id")[:200]
    return TemplateResponse(request, "reviews/admin/plans.html", {"plans": plans, "form": form})


def add_version_view(request, plan_id):
    """A new version of a plan, with the experts who drafted it (earlier versions' drafters stay
    excluded: the rule looks at this and every earlier version)."""
    require_secretariat(request)
    plan = get_object_or_404(Plan, pk=plan_id)
    form = VersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = plan_services.add_plan_version(
                plan, upload=data["document"], by=request.user, drafters=list(data["drafters"])
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Version %(number)s was added.") % {"number": version.number})
            return redirect("reviews_admin:plans")
    versions = plan.versions.prefetch_related("drafters").order_by("number")
    context = {"plan": plan, "form": form, "versions": versions}
    return TemplateResponse(request, "reviews/admin/add_version.html", context)


class ScheduleForm(forms.Form):
    plan = forms.ModelChoiceField(label=gettext_lazy("Plan"), queryset=Plan.objects.all())
    mode = forms.ChoiceField(label=gettext_lazy("Mode"), choices=Review.Mode.choices)
    opens_at = forms.DateTimeField(
        label=gettext_lazy("Opens"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    due_at = forms.DateTimeField(
        label=gettext_lazy("Due"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    meeting_at = forms.DateTimeField(
        label=gettext_lazy("Meeting time"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    location = forms.CharField(label=gettext_lazy("Place (or “online”)"), required=False, max_length=200)
    panel_size = forms.IntegerField(label=gettext_lazy("Panel size"), initial=5, min_value=1, max_value=99)
    required_domains = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Required domains"), queryset=Domain.objects.all(), required=False
    )
    blind = forms.ChoiceField(label=gettext_lazy("Blindness"), choices=Review.Blind.choices)
    load_cap_per_quarter = forms.IntegerField(
        label=gettext_lazy("Load cap (reviews per expert per quarter)"), initial=4, min_value=1, max_value=50
    )
    extra_criteria = forms.CharField(
        label=gettext_lazy("Extra scoring criteria (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def schedule_view(request):
    require_secretariat(request)
    form = ScheduleForm(request.POST or None, initial={"plan": request.GET.get("plan")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        criteria = None
        extra = [line.strip() for line in data["extra_criteria"].splitlines() if line.strip()]
        if extra:
            criteria = default_criteria() + [{"key": f"extra{i + 1}", "label": label, "max": 10}
                                             for i, label in enumerate(extra)]  # fmt: skip
        try:
            review = scheduling.create_review(
                data["plan"], by=request.user, mode=data["mode"], opens_at=data["opens_at"], due_at=data["due_at"],
                meeting_at=data["meeting_at"], location=data["location"], panel_size=data["panel_size"],
                blind=data["blind"], required_domains=list(data["required_domains"]),
                rules={"load_cap_per_quarter": data["load_cap_per_quarter"]}, criteria=criteria,
            )  # fmt: skip
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The review was scheduled. Draw its panel next."))
            return redirect("reviews_admin:draw", review.pk)
    return TemplateResponse(request, "reviews/admin/schedule.html", {"form": form})


def reviews_view(request):
    require_secretariat(request)
    reviews = selectors.reviews_visible_to(request.user)[:200]
    return TemplateResponse(request, "reviews/admin/reviews.html", {"reviews": reviews})


class CommitForm(forms.Form):
    """The commitment: the public value to come, and the witnesses present."""

    source = forms.ChoiceField(
        label=gettext_lazy("Public random value"),
        choices=[("drand quicknet", gettext_lazy("A future drand quicknet round")),
                 ("lottery", gettext_lazy("The official result of a named lottery draw"))],
    )  # fmt: skip
    round = forms.CharField(
        label=gettext_lazy("Round (drand round number, or the lottery draw's name)"), max_length=200
    )
    public_at = forms.DateTimeField(
        label=gettext_lazy("When the lottery result is published"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )  # fmt: skip
    witnesses = forms.CharField(
        label=gettext_lazy("Witnesses present (one name per line)"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def beacon(self):
        data = self.cleaned_data
        number = data["round"].strip()
        beacon = {"source": data["source"], "round": int(number) if number.isdigit() else number}
        if data.get("public_at"):
            beacon["public_at"] = data["public_at"].isoformat()
        return beacon

    def names(self):
        return [line.strip() for line in self.cleaned_data["witnesses"].splitlines() if line.strip()]


class RevealForm(forms.Form):
    """The reveal: the public value (and drand's signature), one input per witness."""

    beacon_value = forms.CharField(label=gettext_lazy("Public value"), max_length=200)
    beacon_signature = forms.CharField(label=gettext_lazy("drand signature"), max_length=400, required=False)

    def __init__(self, *args, witnesses=(), **kwargs):
        super().__init__(*args, **kwargs)
        for i, name in enumerate(witnesses):
            self.fields[f"witness_{i}"] = forms.CharField(
                label=_("Input of %(name)s") % {"name": name}, max_length=200, required=False
            )
        self.witness_count = len(witnesses)

    def inputs(self):
        return [self.cleaned_data.get(f"witness_{i}", "") for i in range(self.witness_count)]


def _draw_action(request, review, commitment):
    """The POSTed step (commit, reveal, unwitnessed): ``(commit form, reveal form, done)``."""
    action = request.POST.get("action")
    commit_form = CommitForm(request.POST if action == "commit" else None)
    witnesses = commitment.witnesses if commitment else ()
    reveal_form = RevealForm(request.POST if action == "reveal" else None, witnesses=witnesses)
    try:
        if action == "commit" and commit_form.is_valid():
            draw_services.commit_draw(
                review, by=request.user, beacon=commit_form.beacon(), witnesses=commit_form.names()
            )
            messages.success(
                request, _("The draw is committed: the pool is frozen. Reveal it once the value is public.")
            )
            return commit_form, reveal_form, True
        if action == "reveal" and reveal_form.is_valid():
            data = reveal_form.cleaned_data
            draw_services.reveal_draw(
                review, by=request.user, beacon_value=data["beacon_value"], beacon_signature=data["beacon_signature"],
                witness_inputs=reveal_form.inputs(),
            )  # fmt: skip
            messages.success(request, _("The panel was drawn and invited."))
            return commit_form, reveal_form, True
        if action == "draw":
            draw_services.draw_for_review(review, by=request.user)
            messages.success(request, _("The panel was drawn unwitnessed (system randomness) and invited."))
            return commit_form, reveal_form, True
    except draw_services.DrawInfeasible as error:
        messages.error(request, _("Nothing was drawn. %(problem)s") % {"problem": " ".join(error.messages)})
    except StateConflict as error:
        messages.error(request, error.message)
    except ValidationError as error:
        form = commit_form if action == "commit" else reveal_form
        renamed = {"beacon": "round", "witness_inputs": None}
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(renamed.get(field, field) if renamed.get(field, field) in form.fields else None, errors)
        else:
            form.add_error(None, error.messages)
    return commit_form, reveal_form, False


def draw_view(request, review_id):
    """Before the draw: commit (public value + witnesses), then reveal; or the quick unwitnessed
    draw. After: the record, grouped for reading, and verify."""
    require_secretariat(request)
    review = get_object_or_404(Review.objects.select_related("plan", "plan_version"), pk=review_id)
    draw = Draw.objects.select_related("commitment").filter(review=review).first()
    commitment = DrawCommitment.objects.filter(review=review).first()
    verification = None
    commit_form, reveal_form = CommitForm(), RevealForm(witnesses=commitment.witnesses if commitment else ())
    if request.method == "POST" and request.POST.get("action") in ("commit", "reveal", "draw") and not draw:
        commit_form, reveal_form, done = _draw_action(request, review, commitment)
        if done:
            return redirect("reviews_admin:draw", review.pk)
        commitment = DrawCommitment.objects.filter(review=review).first()
    if request.method == "POST" and request.POST.get("action") == "verify" and draw:
        verified, detail = verify_draw(draw)
        verification = {"verified": verified, "detail": detail}
    context = {"review": review, "draw": draw, "commitment": commitment, "verification": verification,
               "commit_form": commit_form, "reveal_form": reveal_form}  # fmt: skip
    if draw:
        panel, alternates = draw_selectors.panel_and_alternates(draw)
        context.update(
            exclusions=draw_selectors.exclusions_by_rule(draw),
            panel=panel,
            alternates=alternates,
            changes=draw.changes.select_related("expert_out", "expert_in", "by"),
            witness_rows=list(zip(commitment.witnesses, draw.witness_inputs, strict=False)) if commitment else [],
        )
    return TemplateResponse(request, "reviews/admin/draw.html", context)


class ReplaceForm(forms.Form):
    assignment = forms.ModelChoiceField(queryset=Assignment.objects.none(), label=gettext_lazy("Expert to replace"))
    expert = forms.ModelChoiceField(
        queryset=Expert.objects.filter(status=Expert.Status.ACTIVE),
        required=False,
        label=gettext_lazy("Replacement (empty: the next alternate)"),
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500)


def board_view(request, review_id):
    """The invitation board: states of the panel, live over the review's channel."""
    require_secretariat(request)
    review = get_object_or_404(Review.objects.select_related("plan", "chair"), pk=review_id)
    form = ReplaceForm(request.POST or None)
    form.fields["assignment"].queryset = review.assignments.filter(state__in=Assignment.ACTIVE_STATES).select_related(
        "expert"
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "replace" and form.is_valid():
                assignments.replace_assignment(
                    form.cleaned_data["assignment"], by=request.user, reason=form.cleaned_data["reason"],
                    expert=form.cleaned_data["expert"],
                )  # fmt: skip
                messages.success(request, _("The expert was replaced."))
                return redirect("reviews_admin:board", review.pk)
            if action in ("open", "closed"):
                states.change_state(review, action, by=request.user)
                messages.success(request, _("The review is now %(state)s.") % {"state": review.get_state_display()})
                return redirect("reviews_admin:board", review.pk)
            if action == "chair":
                expert = get_object_or_404(Expert, pk=request.POST.get("chair"))
                scheduling.set_chair(review, expert, by=request.user)
                return redirect("reviews_admin:board", review.pk)
        except StateConflict as error:
            messages.error(request, error.message)
        except ValidationError as error:
            _apply_errors(form, error)
    panel = list(selectors.assignments_for_review(review))
    labels = {value: str(label) for value, label in Assignment.State.choices}
    return TemplateResponse(
        request,
        "reviews/admin/board.html",
        {
            "review": review,
            "panel": panel,
            "form": form,
            "labels": json.dumps(labels, ensure_ascii=False),
            "accepted": [a for a in panel if a.state == Assignment.State.ACCEPTED],
            "notices": notices.by_expert(notices.notices_for_review(review)),
        },
    )
