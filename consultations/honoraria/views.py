"""Portal pages of honoraria: the secretariat's screen of a review's payments (compute, mark
paid, the payment sheet) and each expert's own fees across reviews. Pages translate and call
the services; whoever may not see a page gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.honoraria import rules, selectors, services, sheet
from consultations.honoraria.forms import PaidForm
from core.errors import StateConflict
from reviews import rules as review_rules
from reviews import selectors as review_selectors


def _review(request, review_id):
    """The review for the secretariat's screen, or 404."""
    review = review_selectors.reviews_visible_to(request.user).filter(pk=review_id).select_related("plan").first()
    if review is None or not rules.may_manage_honoraria(request.user):
        raise Http404
    return review


@login_required
def review_honoraria(request, review_id):
    """GET: the review's payments; ``?xlsx=1`` the payment sheet. POST ``action``: ``compute``
    (from attendance and opinions), ``pay`` (one ``payment``) or ``pay_all``, with ``paid_on``."""
    review = _review(request, review_id)
    if request.method == "POST":
        form = PaidForm(request.POST)
        status = _act(request, review, form)
        if status is None:
            return redirect("consultations:honoraria", review_id=review.pk)
        return _page(request, review, form, status=status)
    if request.GET.get("xlsx"):
        response = HttpResponse(sheet.payment_sheet(review, by=request.user, request=request),
                                content_type=sheet.CONTENT_TYPE)  # fmt: skip
        response["Content-Disposition"] = f'attachment; filename="honoraria-{review.pk}.xlsx"'
        return response
    return _page(request, review, PaidForm(initial={"paid_on": timezone.localdate()}))


def _act(request, review, form):
    """Do what was asked; ``None`` when done (a message says what), else the status to answer."""
    action = request.POST.get("action")
    try:
        if action == "compute":
            payments = services.refresh_payments(review, by=request.user)
            messages.success(request, _("%(count)s payments computed.") % {"count": len(payments)})
            return None
        if action not in ("pay", "pay_all"):
            messages.error(request, _("Choose what to do: compute, or mark paid."))
            return 400
        if not form.is_valid():
            return 400  # the form shows what is wrong with the date
        return _pay(request, review, action, form.cleaned_data)
    except (ValidationError, StateConflict) as error:
        for message in getattr(error, "messages", None) or [str(error)]:
            messages.error(request, message)
        return 409 if isinstance(error, StateConflict) else 400


def _pay(request, review, action, data):
    if action == "pay_all":
        paid = services.mark_review_paid(review, by=request.user, paid_on=data["paid_on"])
        messages.success(request, _("%(count)s payments marked paid.") % {"count": len(paid)})
        return None
    payment = selectors.payments_for(request.user, review).filter(pk=data.get("payment")).first()
    if payment is None:
        raise Http404
    services.mark_paid(payment, by=request.user, paid_on=data["paid_on"])
    messages.success(request, _("The payment to %(name)s was marked paid.") % {"name": payment.expert.name})
    return None


def _page(request, review, form, *, status=200):
    payments = list(selectors.payments_for(request.user, review))
    context = {
        "review": review,
        "payments": payments,
        "total": selectors.totals(payments),
        "payable": rules.is_payable(review),
        "to_pay": sum(p.status == p.Status.TO_PAY for p in payments),
        "form": form,
        "today": timezone.localdate().isoformat(),
    }
    return render(request, "consultations/honoraria/review.html", context, status=status)


@login_required
def my_honoraria(request):
    """The signed-in expert's fees across reviews: net, tax withheld, gross, status."""
    if not review_rules.is_expert(request.user):
        raise Http404
    payments = list(selectors.payments_of(request.user))
    return render(
        request,
        "consultations/honoraria/mine.html",
        {"payments": payments, "total": selectors.totals(payments)},
    )
