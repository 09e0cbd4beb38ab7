"""The secretariat's roster screens in the Wagtail admin: the list, the expert's page with its
history and participation record, create/edit through the services, status changes with a
reason, and the workbook import and export. ``wagtail_hooks.py`` registers them."""

import uuid

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.widgets import HeaderButton

from experts import audit, participation, privacy, roles, selectors, services, tasks, workbook
from experts.forms import ImportConfirmForm, ImportForm, StatusForm
from experts.models import Domain, Expert, Organization


def require_secretariat(request):
    if not roles.has_role(request.user, roles.SECRETARIAT) and not request.user.is_superuser:
        raise PermissionDenied


class RosterFilterSet(WagtailFilterSet):
    domain = django_filters.ModelChoiceFilter(
        queryset=Domain.objects.order_by("code"), label=gettext_lazy("Domain"), method="filter_domain"
    )
    status = django_filters.ChoiceFilter(choices=Expert.Status.choices, label=gettext_lazy("Status"))
    category = django_filters.ChoiceFilter(choices=Expert.Category.choices, label=gettext_lazy("Category"))
    employer_kind = django_filters.ChoiceFilter(
        choices=Organization.Kind.choices, label=gettext_lazy("Employer kind"), method="filter_employer_kind"
    )
    ending_within = django_filters.NumberFilter(
        label=gettext_lazy("Term ends within (days)"), method="filter_ending", min_value=0, max_value=3660
    )

    class Meta:
        model = Expert
        fields = ["domain", "status", "category", "employer_kind", "ending_within"]

    def filter_domain(self, queryset, name, value):
        return selectors.filter_roster(queryset, domain=value.code)

    def filter_employer_kind(self, queryset, name, value):
        return selectors.filter_roster(queryset, employer_kind=value)

    def filter_ending(self, queryset, name, value):
        return selectors.terms_ending(queryset, within_days=int(value))


class TermColumn(DateColumn):
    """The term's end, flagged when it falls within 60 days."""

    cell_template_name = "experts/admin/term_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["ends_soon"] = selectors.term_ends_soon(instance)
        return context


class ExpertIndexView(generic.IndexView):
    default_ordering = "stroke_key"
    page_title = gettext_lazy("Roster")

    @property
    def columns(self):
        return [
            TitleColumn(
                "name",
                label=gettext_lazy("Name (surname strokes)"),
                sort_key="stroke_key",
                get_url=lambda expert: reverse("experts_expert:inspect", args=[expert.pk]),
            ),
            Column("name_pinyin", label=gettext_lazy("Pinyin"), sort_key="name_pinyin"),
            Column("key", label=gettext_lazy("Key")),
            Column("status", label=gettext_lazy("Status"), accessor="get_status_display", sort_key="status"),
            Column("category", label=gettext_lazy("Category"), accessor="get_category_display"),
            Column("employer", label=gettext_lazy("Employer")),
            Column("primary_domain", label=gettext_lazy("Primary domain")),
            TermColumn("term_end", label=gettext_lazy("Term ends"), sort_key="term_end"),
            Column("manual_order", label=gettext_lazy("Manual order"), sort_key="manual_order"),
        ]

    def get_base_queryset(self):
        return selectors.roster()

    def search_queryset(self, queryset):
        return selectors.search_experts(queryset, self.search_query) if self.is_searching else queryset

    def order_queryset(self, queryset):
        ordering = {"stroke_key": "strokes", "name_pinyin": "pinyin", "manual_order": "manual"}.get(self.ordering)
        if ordering:
            return selectors.ordered_roster(queryset, ordering)
        return super().order_queryset(queryset).order_by(self.ordering, "id") if self.ordering else queryset

    @property
    def header_buttons(self):
        return [
            *super().header_buttons,
            HeaderButton(_("Import"), url=reverse("experts_expert:import"), icon_name="upload"),
            HeaderButton(
                _("Export"),
                url=reverse("experts_expert:export") + ("?" + self.request.GET.urlencode() if self.request.GET else ""),
                icon_name="download",
            ),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["ending_soon"] = selectors.terms_ending(within_days=60).count()
        return context


class ExpertCreateView(generic.CreateView):
    def save_instance(self):
        form = self.form
        fields, domains = form.service_fields()
        try:
            expert = services.create_expert(
                by=self.request.user,
                reason=_("Added in the back office"),
                key=form.cleaned_data.get("key") or "",
                domains=domains,
                username=form.cleaned_data.get("username") or None,
                **fields,
            )
            if form.cleaned_data.get("initial_status") == Expert.Status.ACTIVE:
                expert = services.change_expert_status(
                    expert, status=Expert.Status.ACTIVE, by=self.request.user, reason=_("Appointed")
                )
            if form.cleaned_data.get("photo_upload"):
                expert = services.set_expert_photo(
                    expert, upload=form.cleaned_data["photo_upload"], by=self.request.user
                )
        except ValidationError as error:
            raise FormError(error)
        return expert

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except FormError as error:
            _apply_errors(form, error.error)
            return self.form_invalid(form)

    def get_success_url(self):
        return reverse("experts_expert:inspect", args=[self.object.pk])


class ExpertEditView(generic.EditView):
    def get_object(self, queryset=None):
        expert = super().get_object(queryset)
        self.initial_domains = list(expert.domains.all())
        return expert

    def get_initial(self):
        return {"domains": self.initial_domains}

    def save_instance(self):
        form = self.form
        fields, domains = form.service_fields()
        expert = Expert.objects.get(pk=self.object.pk)
        reason = form.cleaned_data.get("change_reason") or _("Edited in the back office")
        try:
            services.update_expert(expert, by=self.request.user, reason=reason, domains=domains, **fields)
            if form.cleaned_data.get("photo_upload"):
                services.set_expert_photo(expert, upload=form.cleaned_data["photo_upload"], by=self.request.user)
        except ValidationError as error:
            raise FormError(error)
        return expert

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except FormError as error:
            _apply_errors(form, error.error)
            return self.form_invalid(form)

    def get_success_url(self):
        return reverse("experts_expert:inspect", args=[self.object.pk])


class FormError(Exception):
    def __init__(self, error):
        super().__init__(str(error))
        self.error = error


def _apply_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


class ExpertInspectView(generic.InspectView):
    template_name = "experts/admin/expert_inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(selectors.roster(), pk=self.pk)

    # Contact details show masked; the page's "Show contact details" button asks (contact_view).
    def get_mobile_display_value(self):
        return privacy.contact_for(self.request.user, self.object)["mobile"] or "—"

    def get_email_display_value(self):
        return privacy.contact_for(self.request.user, self.object)["email"] or "—"

    def get_fields(self):
        return [
            "key",
            "name",
            "status",
            "status_reason",
            "category",
            "title",
            "title_level",
            "position",
            "employer",
            "primary_domain",
            "specialties",
            "biography",
            "mobile",
            "email",
            "term_start",
            "term_end",
            "appointment_letter",
            "public_fields",
            "manual_order",
            "user",
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        expert = self.object
        record = participation.participation_of(expert)
        context.update(
            expert=expert,
            history=selectors.expert_history(expert, show_contact=privacy.is_own(self.request.user, expert)),
            contact_url=(
                reverse("experts_expert:contact", args=[expert.pk]) if privacy.may_unmask(self.request.user) else ""
            ),
            participation_labels=[label for _key, label in PARTICIPATION_ROWS],
            participation_years=[
                (year, [row.get(key) for key, _label in PARTICIPATION_ROWS]) for year, row in record["years"]
            ],
            participation_total=[record["total"].get(key) for key, _label in PARTICIPATION_ROWS],
            conflicts=expert.conflicts.select_related("organization", "declared_by"),
            unavailable=expert.unavailable_periods.all(),
            status_url=reverse("experts_expert:status", args=[expert.pk]),
            ends_soon=selectors.term_ends_soon(expert),
        )
        return context


PARTICIPATION_ROWS = [
    ("invitations", gettext_lazy("Invitations")),
    ("accepted", gettext_lazy("Accepted")),
    ("declined", gettext_lazy("Declined")),
    ("no_answer", gettext_lazy("No answer")),
    ("opinions_on_time", gettext_lazy("Opinions on time")),
    ("opinions_late", gettext_lazy("Opinions late")),
    ("points", gettext_lazy("Points answered")),
    ("points_adopted", gettext_lazy("Points adopted")),
]


def status_view(request, pk):
    """Suspend, renew, dismiss or appoint an expert, always with a reason."""
    require_secretariat(request)
    expert = get_object_or_404(Expert, pk=pk)
    form = StatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "renew":
                services.renew_term(
                    expert,
                    term_start=data.get("term_start") or timezone.localdate(),
                    term_end=data["term_end"],
                    appointment_letter=data.get("appointment_letter") or "",
                    by=request.user,
                    reason=data["reason"],
                )
            else:
                target = {
                    "activate": Expert.Status.ACTIVE,
                    "suspend": Expert.Status.SUSPENDED,
                    "dismiss": Expert.Status.DISMISSED,
                }[data["action"]]
                services.change_expert_status(expert, status=target, by=request.user, reason=data["reason"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The status of %(name)s was changed.") % {"name": expert.name})
            return redirect("experts_expert:inspect", expert.pk)
    return TemplateResponse(request, "experts/admin/status.html", {"expert": expert, "form": form})


def contact_view(request, pk):
    """"Show contact details": the expert's mobile and email in full, for a holder of
    ``experts.view_contact``, recorded in the audit trail (experts/privacy.py); 403 otherwise."""
    if request.method != "POST":
        return redirect("experts_expert:inspect", pk)
    expert = get_object_or_404(Expert, pk=pk)
    contact = privacy.unmask(request.user, expert, request=request, via="admin")
    return TemplateResponse(request, "experts/admin/contact.html", {"expert": expert, "contact": contact})


def export_view(request):
    """The roster (with the list's filters and search) as an .xlsx workbook. With
    ``experts.view_contact`` the contact details are in full (the workbook is re-imported), which
    counts as an unmasking and is recorded; without it they are masked."""
    require_secretariat(request)
    queryset = selectors.roster()
    filters = RosterFilterSet(request.GET or None, queryset=queryset, request=request)
    if filters.is_valid():
        queryset = filters.qs
    experts = list(selectors.ordered_roster(selectors.search_experts(queryset, request.GET.get("q")), "strokes"))
    unmasked = privacy.unmask_many(request.user, experts, request=request, via="roster.xlsx")
    data = workbook.export_bytes(experts, viewer=request.user, unmasked=unmasked)
    audit.record(audit.EXPORT, actor=request.user, request=request, outcome=audit.SUCCESS, what="roster.xlsx")
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="roster-{stamp}.xlsx"'
    return response


def template_view(request):
    require_secretariat(request)
    response = HttpResponse(
        workbook.template_bytes(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="roster-template.xlsx"'
    return response


def _import_path(run_id):
    return f"imports/{run_id}.xlsx"


def import_view(request):
    """Step 1: upload; the workbook is kept privately and checked (a dry run that writes nothing)."""
    require_secretariat(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["workbook"]
        plan = workbook.check_workbook(upload)
        if plan.errors:
            for problem in plan.errors:
                form.add_error("workbook", problem)
        else:
            run_id = uuid.uuid4().hex
            upload.seek(0)
            storages["private"].save(_import_path(run_id), ContentFile(upload.read()))
            tasks.set_import_progress(
                run_id,
                state="checked",
                user=request.user.pk,
                summary=plan.summary,
                error_rows=[row.number for row in plan.error_rows],
            )
            confirm = ImportConfirmForm(initial={"run": run_id})
            return TemplateResponse(
                request, "experts/admin/import_preview.html", {"plan": plan, "confirm": confirm, "run": run_id}
            )
    return TemplateResponse(request, "experts/admin/import.html", {"form": form})


def import_confirm_view(request):
    """Step 2: write it, as a task; rows with errors only if skipped on purpose."""
    require_secretariat(request)
    if request.method != "POST":
        return redirect("experts_expert:import")
    form = ImportConfirmForm(request.POST)
    run = tasks.import_progress(form.data.get("run", "")) if form.is_valid() else None
    if run is None or run.get("user") != request.user.pk or run.get("state") != "checked":
        raise Http404
    run_id = form.cleaned_data["run"]
    if run["summary"]["error"] and not form.cleaned_data["skip_errors"]:
        messages.error(request, _("Some rows have errors. Fix the workbook, or tick the box to skip those rows."))
        storages["private"].delete(_import_path(run_id))
        return redirect("experts_expert:import")
    skip = run["error_rows"] if form.cleaned_data["skip_errors"] else []
    tasks.set_import_progress(run_id, state="queued", done=0, total=0)
    # The view has written nothing to the database, so there is no commit to wait for.
    tasks.import_workbook.enqueue(run_id, path=_import_path(run_id), user_id=request.user.pk, skip_rows=skip)
    return redirect("experts_expert:import_progress", run_id)


def import_progress_view(request, run_id):
    require_secretariat(request)
    run = tasks.import_progress(run_id)
    if run is None or run.get("user") != request.user.pk:
        raise Http404
    template = "experts/admin/import_progress_results.html" if request.GET.get("partial") else None
    return TemplateResponse(request, template or "experts/admin/import_progress.html", {"run": run, "run_id": run_id})
