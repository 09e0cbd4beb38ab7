"""The one-time-code sign-in pages for experts (an alternative to a password)."""

from django import forms
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from .signin import send_signin_code, user_for_code


class UsernameForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)


class CodeForm(forms.Form):
    username = forms.CharField(max_length=150, widget=forms.HiddenInput)
    code = forms.CharField(label=_("Code"), max_length=6, min_length=6)


@require_http_methods(["GET", "POST"])
def signin_code(request):
    """Step 1: the username; the next page is the same whether or not a code went out."""
    form = UsernameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        send_signin_code(form.cleaned_data["username"], request=request)
        code_form = CodeForm(initial={"username": form.cleaned_data["username"]})
        return render(request, "registration/signin_code_enter.html", {"form": code_form})
    return render(request, "registration/signin_code.html", {"form": form})


@require_http_methods(["POST"])
def signin_code_verify(request):
    """Step 2: the code. Wrong, used or expired codes get the same message."""
    form = CodeForm(request.POST)
    user = None
    if form.is_valid():
        user = user_for_code(form.cleaned_data["username"], form.cleaned_data["code"], request=request)
    if user is None:
        return render(request, "registration/signin_code_enter.html", {"form": form, "failed": True}, status=200)
    login(request, user, backend="experts.signin.LockoutModelBackend")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "portal-home"
    return redirect(target)
