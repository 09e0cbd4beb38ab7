"""The audit trail in the Wagtail admin: read-only, filtered, for holders of ``view_auditrecord``
(the auditor role; the secretariat head holds it as well). Imported from ``ExpertsConfig.ready``."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from experts.models import AuditRecord


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Viewing, for those with the view permission; nobody adds, changes or deletes, superusers included."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, "view")

    def user_has_any_permission(self, user, actions):
        return "view" in actions and super().user_has_permission(user, "view")

    def users_with_any_permission(self, actions):
        if "view" not in actions:
            return super().users_with_any_permission([]).none()
        return super().users_with_any_permission(["view"])


class AuditRecordViewSet(ModelViewSet):
    model = AuditRecord
    icon = "history"
    menu_label = _("Audit trail")
    menu_order = 900
    add_to_admin_menu = True
    url_prefix = "audit"
    name = "audit"
    list_display = ["at", "actor_username", "address", "action", "object_type", "object_repr", "outcome"]
    list_filter = ["action", "outcome", "object_type", "at"]
    search_fields = ["actor_username", "object_repr", "object_id", "action"]
    search_backend_name = None  # plain database lookups: the trail is not a search index
    inspect_view_enabled = True
    inspect_view_fields = [
        "at",
        "actor_username",
        "address",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "outcome",
        "details",
    ]
    copy_view_enabled = False
    list_per_page = 50
    add_to_reference_index = False
    exclude_form_fields = []  # there is no form: the policy refuses add and change


register_permission_policy(AuditRecord, ReadOnlyPolicy(AuditRecord))
audit_viewset = AuditRecordViewSet()


@hooks.register("register_admin_viewset")
def register_audit_viewset():
    return audit_viewset
