"""The one-time-code sign-in pages for experts (an alternative to a password), and the second
factor pages of the back office's accounts (set up an authenticator, enter a code)."""

import django_otp
from django import forms
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from experts import second_factor
from experts.signin import send_signin_code, user_for_code


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


# ---------------------------------------------------------------- the second factor (back office)


class SecondFactorForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)


def _next_url(request, default=None):
    """The ``next`` address if it is on this site, else ``default`` (the portal's home)."""
    from django.urls import reverse

    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("portal-home") if default is None else default


def _locked_out(request):
    """Too many wrong codes: the halfway session ends; the page says when to try again."""
    from django.contrib.auth import logout

    logout(request)
    return render(request, "registration/second_factor_locked.html", status=200)


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_setup(request):
    """Set up an authenticator app: its secret as text and as a QR code, then one code from it
    to confirm; the backup codes are shown once, on the answer to that confirmation."""
    user = request.user
    if not second_factor.requires_second_factor(user) or second_factor.has_second_factor(user):
        return redirect(_next_url(request) if second_factor.is_verified(user) else _verify_url(request))
    device = second_factor.pending_device(user)
    form = SecondFactorForm(request.POST or None)
    failed = False
    if request.method == "POST" and form.is_valid():
        confirmed = second_factor.confirm_enrolment(user, device, form.cleaned_data["code"], request=request)
        if confirmed is not None:
            device, codes = confirmed
            django_otp.login(request, device)
            request.session.cycle_key()  # a new session id once fully signed in, as after a code
            return render(
                request, "registration/second_factor_codes.html", {"codes": codes, "next": _next_url(request)}
            )
        if second_factor.locked(user, request):
            return _locked_out(request)
        failed = True
    context = {
        "form": form,
        "failed": failed,
        "secret": second_factor.secret_of(device),
        "qr": second_factor.qr_svg(device),
        "next": _next_url(request, default=""),
    }
    return render(request, "registration/second_factor_setup.html", context)


def _verify_url(request):
    from urllib.parse import urlencode

    from django.urls import reverse

    return f"{reverse('second-factor')}?{urlencode({'next': _next_url(request)})}"


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_verify(request):
    """The second step of signing in: a code from the authenticator app, or a backup code."""
    user = request.user
    if not second_factor.requires_second_factor(user) or second_factor.is_verified(user):
        return redirect(_next_url(request))
    if not second_factor.has_second_factor(user):
        return redirect("second-factor-setup")
    if request.method == "GET" and second_factor.locked(user, request):
        return _locked_out(request)
    form = SecondFactorForm(request.POST or None)
    failed = False
    if request.method == "POST" and form.is_valid():
        if second_factor.verify_session(request, form.cleaned_data["code"]) is not None:
            request.session.cycle_key()  # a new session id once fully signed in
            return redirect(_next_url(request))
        if second_factor.locked(user, request):
            return _locked_out(request)
        failed = True
    return render(
        request,
        "registration/second_factor_verify.html",
        {"form": form, "failed": failed, "next": _next_url(request, default="")},
    )
