"""The providers' receipt push: ``POST /sms/receipts/<provider>/?token=<SMS_CALLBACK_SECRET>``.

Neither Alibaba's ``SmsReport`` HTTP push nor Tencent's status callback signs its requests; the
address configured in their console carries our secret, compared in constant time. A push without
it, or with another, is refused (403) and changes nothing; a provider other than the one sending
(``SMS_SENDER``) is 404; a body that is not the provider's JSON array is 400."""

import hmac
import json

from django.db import transaction
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core import sms
from experts.notices import services, tasks


def signed(request):
    """The push carries this site's callback secret (none configured: nothing is accepted)."""
    secret = str(sms.config("CALLBACK_SECRET"))
    given = request.GET.get("token", "")
    return bool(secret) and hmac.compare_digest(given.encode(), secret.encode())


@csrf_exempt
@require_POST
def receipt_callback(request, provider):
    try:
        gateway = sms.gateway()
    except sms.GatewayError:  # set up wrong: the provider pushes again later
        return JsonResponse({"detail": _("The text message gateway is not set up; try again later.")}, status=503)
    if provider != gateway.name or provider == sms.ConsoleGateway.name:
        raise Http404
    if not signed(request):
        return JsonResponse({"detail": _("This receipt does not carry the site's callback secret.")}, status=403)
    try:
        payload = json.loads(request.body)
        if not isinstance(payload, list):
            raise TypeError
        receipts = gateway.parse_callback(payload)
    except (ValueError, TypeError, KeyError, AttributeError):
        return JsonResponse({"detail": _("A receipt push is a JSON array of the provider's reports.")}, status=400)
    with transaction.atomic():
        _updated, follow_up = services.apply_receipts(gateway.name, receipts)
        tasks.enqueue_after_commit(follow_up)
    return JsonResponse(gateway.callback_reply())
