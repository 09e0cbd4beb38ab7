"""The portal shell: the landing page of every role and the display preferences."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.portal import tasks_for
from experts.roles import roles_of
from experts.services import set_large_text


@login_required
def portal_home(request):
    """ "My tasks": what is waiting for this user, by role, with honest empty states."""
    return render(request, "portal/home.html", {"sections": tasks_for(request.user), "roles": roles_of(request.user)})


@login_required
@require_POST
def text_size(request):
    set_large_text(request.user, enabled=request.POST.get("large") == "1")
    target = request.POST.get("next") or "/portal/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/portal/"
    if request.htmx:
        response = HttpResponseRedirect(target)
        response["HX-Refresh"] = "true"
        return response
    return HttpResponseRedirect(target)
