"""The roster in the Wagtail admin: experts, organisations and domains, grouped under one menu."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from experts.admin_views import actions, roster
from experts.admin_views import workbook as workbook_views
from experts.forms import ExpertAdminForm
from experts.models import Domain, Expert, Organization


class NoDeletePolicy(ModelPermissionPolicy):
    """Nobody deletes a roster record: experts are dismissed, with a reason, and stay in the history."""

    def user_has_permission(self, user, action):
        return action != "delete" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return super().user_has_any_permission(user, [a for a in actions if a != "delete"])


class ExpertViewSet(ModelViewSet):
    model = Expert
    icon = "user"
    menu_label = _("Experts")
    url_prefix = "experts/expert"
    name = "experts_expert"
    index_view_class = roster.ExpertIndexView
    index_template_name = "experts/admin/roster_index.html"
    add_view_class = roster.ExpertCreateView
    edit_view_class = roster.ExpertEditView
    inspect_view_class = roster.ExpertInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    search_fields = ["name"]  # the search itself is selectors.search_experts
    filterset_class = roster.RosterFilterSet
    list_per_page = 50
    # The roster's references are its own foreign keys; Wagtail's usage index would add a write
    # (and a content-type lookup) to every save of every imported row, for a screen we do not use.
    add_to_reference_index = False
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldPanel("key"),
                    FieldPanel("name"),
                    FieldRowPanel([FieldPanel("category"), FieldPanel("initial_status")]),
                    FieldRowPanel([FieldPanel("title"), FieldPanel("title_level")]),
                    FieldPanel("eminent"),
                    FieldPanel("position"),
                    FieldPanel("employer"),
                ],
                heading=_("Person"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("primary_domain"),
                    FieldPanel("domains"),
                    FieldPanel("specialties"),
                    FieldPanel("biography"),
                ],
                heading=_("Fields of expertise"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("mobile"),
                    FieldPanel("clear_mobile"),
                    FieldPanel("email"),
                    FieldPanel("clear_email"),
                    FieldPanel("preferred_channel"),
                    FieldPanel("username"),
                ],
                heading=_("Contact"),
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("bank_name"), FieldPanel("bank_branch")]),
                    FieldRowPanel([FieldPanel("account_holder"), FieldPanel("account_number")]),
                    FieldPanel("clear_account_number"),
                ],
                heading=_("Bank details (honoraria)"),
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("term_start"), FieldPanel("term_end")]),
                    FieldPanel("appointment_letter"),
                ],
                heading=_("Term of appointment"),
            ),
            MultiFieldPanel(
                [FieldPanel("photo_upload"), FieldPanel("public_fields"), FieldPanel("manual_order")],
                heading=_("Photo and public site"),
            ),
            FieldPanel("change_reason"),
        ],
        base_form_class=ExpertAdminForm,
    )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("status/<int:pk>/", actions.status_view, name="status"),
            path("contact/<int:pk>/", actions.contact_view, name="contact"),
            path("bank/<int:pk>/", actions.bank_view, name="bank"),
            path("export/", workbook_views.export_view, name="export"),
            path("import/", workbook_views.import_view, name="import"),
            path("import/template/", workbook_views.template_view, name="import_template"),
            path("import/confirm/", workbook_views.import_confirm_view, name="import_confirm"),
            path("import/<str:run_id>/", workbook_views.import_progress_view, name="import_progress"),
        ]


class OrganizationViewSet(ModelViewSet):
    model = Organization
    icon = "site"
    menu_label = _("Organisations")
    name = "experts_organization"
    url_prefix = "experts/organization"
    form_fields = ["name", "kind", "parent", "credit_code"]
    list_display = ["name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["name"]
    search_backend_name = None
    copy_view_enabled = False


class DomainViewSet(ModelViewSet):
    model = Domain
    icon = "tag"
    menu_label = _("Domains")
    name = "experts_domain"
    url_prefix = "experts/domain"
    form_fields = ["code", "name", "name_en", "parent"]
    list_display = ["code", "name", "name_en", "parent"]
    search_fields = ["code", "name", "name_en"]
    search_backend_name = None
    copy_view_enabled = False


class RosterGroup(ModelViewSetGroup):
    menu_label = _("Roster")
    menu_icon = "group"
    menu_order = 200
    items = (ExpertViewSet, OrganizationViewSet, DomainViewSet)


for _model in (Expert, Organization, Domain):
    register_permission_policy(_model, NoDeletePolicy(_model))


@hooks.register("register_admin_viewset")
def register_roster():
    return RosterGroup()
