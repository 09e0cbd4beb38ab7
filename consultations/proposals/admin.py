"""The secretariat's screening of proposals in the Wagtail admin: the board (new proposals appear
without reload, through ``/ws/board/``) and one screening page per proposal (route to
departments, a suggestion to one of them or, by default, to all, merge into another, return with a reason, and,
once the expert agreed, draft its public page). Every write goes through ``proposals``."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from consultations.proposals import rules, selectors
from consultations.proposals import services as proposals
from consultations.proposals.models import Proposal
from core.errors import StateConflict
from experts.models import Organization

BOARD_SIZE = 200


def require_secretariat(request):
    if not rules.can_screen(request.user):
        raise PermissionDenied


def departments():
    return selectors.departments()  # the service's rule: the API and this page offer the same


def board_view(request):
    """Every proposal, newest first; ``?state=`` filters (the board opens on those to screen)."""
    require_secretariat(request)
    state = request.GET.get("state", Proposal.State.SUBMITTED)
    context = {"rows": selectors.board_rows(state)[:BOARD_SIZE], "state": state, "states": Proposal.State.choices}
    if request.GET.get("rows"):
        return TemplateResponse(request, "consultations/admin/_proposal_rows.html", context)
    return TemplateResponse(request, "consultations/admin/proposal_board.html", context)


class RouteForm(forms.Form):
    organizations = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Departments"), queryset=Organization.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, points=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = departments()
        self.points = list(points)
        for index, point in enumerate(self.points):
            self.fields[f"point_{point.pk}"] = forms.ModelChoiceField(
                label=_("Suggestion {n}: {text}").format(n=index + 1, text=point.text[:80]),
                queryset=departments(),
                required=False,
                empty_label=_("(every department chosen)"),
            )

    def point_organizations(self):
        return {
            p.pk: self.cleaned_data[f"point_{p.pk}"].pk for p in self.points if self.cleaned_data.get(f"point_{p.pk}")
        }


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(label=gettext_lazy("Merge into"), queryset=Proposal.objects.none())

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = Proposal.objects.exclude(pk=proposal.pk).exclude(
            state__in=[Proposal.State.MERGED, Proposal.State.RETURNED]
        )


class ReturnForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why it is returned"), widget=forms.Textarea(attrs={"rows": 3}))


def _apply(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def screen_view(request, proposal_id):
    require_secretariat(request)
    proposal = get_object_or_404(Proposal.objects.select_related("author", "merged_into"), pk=proposal_id)
    points = list(proposal.points.filter(removed=False).select_related("response", "organization"))
    action = request.POST.get("action") if request.method == "POST" else None
    route = RouteForm(request.POST if action == "route" else None, points=points, prefix="route")
    merge = MergeForm(request.POST if action == "merge" else None, proposal=proposal, prefix="merge")
    give_back = ReturnForm(request.POST if action == "return" else None, prefix="return")
    forms_by_action = {"route": route, "merge": merge, "return": give_back}
    if action in forms_by_action and forms_by_action[action].is_valid():
        form = forms_by_action[action]
        try:
            if action == "route":
                proposals.route_proposal(
                    proposal,
                    by=request.user,
                    organizations=list(form.cleaned_data["organizations"]),
                    point_organizations=form.point_organizations(),
                )
                messages.success(request, _("The proposal was routed; the expert and the departments were told."))
            elif action == "merge":
                proposals.merge_proposal(proposal, into=form.cleaned_data["into"], by=request.user)
                messages.success(request, _("The proposal was merged; the expert was told."))
            else:
                proposals.return_proposal(proposal, by=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, _("The proposal was returned; the expert was told the reason."))
            return redirect("proposals_admin:screen", proposal.pk)
        except ValidationError as error:
            _apply(form, error)
        except StateConflict as error:
            messages.error(request, error.message)
    if action == "publish":
        try:
            page = proposals.publish_proposal(proposal, by=request.user)
            messages.success(request, _("The page “{title}” waits for approval.").format(title=page.title))
            return redirect("proposals_admin:screen", proposal.pk)
        except StateConflict as error:
            messages.error(request, error.message)
    return TemplateResponse(
        request,
        "consultations/admin/proposal_screen.html",
        {
            "proposal": proposal,
            "points": points,
            "route": route,
            "merge": merge,
            "give_back": give_back,
            "screenable": proposal.state == Proposal.State.SUBMITTED,
            "publishable": rules.is_publishable(proposal),
            "attachments": list(proposal.attachments.all()),
        },
    )


urlpatterns = [
    path("", board_view, name="board"),
    path("<int:proposal_id>/", screen_view, name="screen"),
]


@hooks.register("register_admin_urls")
def register_proposal_urls():
    return [path("proposals/", include((urlpatterns, "proposals_admin"), namespace="proposals_admin"))]


class SecretariatMenuItem(MenuItem):
    def is_shown(self, request):
        return rules.can_screen(request.user)


@hooks.register("register_admin_menu_item")
def register_proposals_menu():
    return SecretariatMenuItem(gettext_lazy("Proposals"), reverse("proposals_admin:board"), icon_name="help", order=320)
