"""The roster's list, the expert's page (history, participation record, conflicts, unavailable
periods), and create and edit through the services."""

import django_filters
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.widgets import HeaderButton

from core.paging import RowsFirst
from experts import banking, participation, privacy, rules, selectors, services
from experts.forms import apply_errors
from experts.models import Domain, Expert, Organization


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


class RosterPaginator(RowsFirst, WagtailPaginator):
    """Wagtail's paginator, each page cut before it is joined for display (``core.paging``)."""


class ExpertIndexView(generic.IndexView):
    default_ordering = "stroke_key"
    paginator_class = RosterPaginator
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


class FormError(Exception):
    def __init__(self, error):
        super().__init__(str(error))
        self.error = error


class ServiceFormMixin:
    """Create and edit save through the services: their ``ValidationError`` shows on the form."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except FormError as error:
            apply_errors(form, error.error)
            self.produced_error_message = self.get_error_message()  # Wagtail's form_invalid reads it
            return self.form_invalid(form)

    def get_success_url(self):
        return reverse("experts_expert:inspect", args=[self.object.pk])


class ExpertCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self):
        form, by = self.form, self.request.user
        fields, domains = form.service_fields()
        try:
            expert = services.create_expert(
                by=by,
                reason=_("Added in the back office"),
                key=form.cleaned_data.get("key") or "",
                domains=domains,
                username=form.cleaned_data.get("username") or None,
                **fields,
            )
            if form.cleaned_data.get("initial_status") == Expert.Status.ACTIVE:
                active = Expert.Status.ACTIVE
                expert = services.change_expert_status(expert, status=active, by=by, reason=_("Appointed"))
            if form.cleaned_data.get("photo_upload"):
                expert = services.set_expert_photo(expert, upload=form.cleaned_data["photo_upload"], by=by)
        except ValidationError as error:
            raise FormError(error)
        return expert


class ExpertEditView(ServiceFormMixin, generic.EditView):
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


def participation_table(expert):
    """The participation record as the expert's page shows it: labels, a row per year, the total."""
    record = participation.participation_of(expert)
    return {
        "participation_labels": [label for _key, label in PARTICIPATION_ROWS],
        "participation_years": [
            (year, [row.get(key) for key, _label in PARTICIPATION_ROWS]) for year, row in record["years"]
        ],
        "participation_total": [record["total"].get(key) for key, _label in PARTICIPATION_ROWS],
    }


class ExpertInspectView(generic.InspectView):
    template_name = "experts/admin/expert_inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(selectors.roster(), pk=self.pk)

    # Contact details show masked; the page's "Show contact details" button asks (contact_view).
    def get_mobile_display_value(self):
        return privacy.contact_for(self.request.user, self.object)["mobile"] or "—"

    def get_email_display_value(self):
        return privacy.contact_for(self.request.user, self.object)["email"] or "—"

    def get_account_number_display_value(self):
        return banking.bank_details_for(self.request.user, self.object)["account_number"] or "—"

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
            "preferred_channel",
            "eminent",
            "bank_name",
            "bank_branch",
            "account_holder",
            "account_number",
            "term_start",
            "term_end",
            "appointment_letter",
            "public_fields",
            "manual_order",
            "user",
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        expert, user = self.object, self.request.user
        context.update(
            expert=expert,
            history=selectors.expert_history(expert, show_contact=rules.is_own(user, expert)),
            contact_url=reverse("experts_expert:contact", args=[expert.pk]) if privacy.may_unmask(user) else "",
            bank_url=reverse("experts_expert:bank", args=[expert.pk])
            if privacy.may_unmask(user) and expert.account_number
            else "",
            conflicts=expert.conflicts.select_related("organization", "declared_by"),
            unavailable=expert.unavailable_periods.all(),
            status_url=reverse("experts_expert:status", args=[expert.pk]),
            ends_soon=selectors.term_ends_soon(expert),
            **participation_table(expert),
        )
        return context
