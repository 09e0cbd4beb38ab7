"""Consultations in the secretariat's Wagtail admin: a read-only list (state, due date, who posed
it) with an inspect view. Posing, opening and closing happen on the portal page, which calls the
services (opening fixes the recipients and notifies them: a plain admin form would skip that).
Imported from ``wagtail_hooks``."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from consultations.inquiries.models import Consultation
from experts.audit_admin import ReadOnlyPolicy


class ConsultationViewSet(ModelViewSet):
    model = Consultation
    icon = "help"
    menu_label = _("Consultations")
    menu_order = 420
    add_to_admin_menu = True
    url_prefix = "consultations/consultation"
    name = "consultations_consultation"
    list_display = ["title", "state", "opens_at", "closes_at", "created_at"]
    list_filter = ["state"]
    search_fields = ["title"]
    search_backend_name = None
    inspect_view_enabled = True
    inspect_view_fields = ["title", "background", "state", "opens_at", "closes_at", "answers_shared",
                           "anonymous", "addressed_domains", "addressed_experts", "recipients", "posed_by",
                           "created_at"]  # fmt: skip
    copy_view_enabled = False
    list_per_page = 50
    add_to_reference_index = False
    exclude_form_fields = []  # there is no form: the policy refuses add and change


register_permission_policy(Consultation, ReadOnlyPolicy(Consultation))


@hooks.register("register_admin_viewset")
def register_consultations():
    return ConsultationViewSet()
