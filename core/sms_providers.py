"""The two real SMS gateways, on the providers' official SDKs (the interface: ``core.sms.Gateway``).

- Alibaba Cloud SMS (``alibabacloud-dysmsapi20170525``, API 2017-05-25): ``SendSms`` (a JSON
  object of named template variables; the answer's ``Code`` is ``OK`` and ``BizId`` names the
  message), ``QuerySendDetails`` (``SendStatus`` 1 waiting, 2 failed, 3 delivered) and the
  ``SmsReport`` HTTP batch push (a JSON array of ``biz_id``, ``success``, ``err_code``, ``err_msg``;
  answered ``{"code": 0, "msg": ...}``).
- Tencent Cloud SMS (``tencentcloud-sdk-python-sms``, API 2021-01-11, TC3 signing): ``SendSms``
  (the template's variables in order; ``Response.SendStatusSet[].Code`` is ``Ok`` and ``SerialNo``
  names the message), ``PullSmsSendStatus`` (``ReportStatus`` SUCCESS or FAIL) and the status
  callback (a JSON array of ``sid``, ``report_status``, ``errmsg``, ``description``; answered
  ``{"result": 0, "errmsg": "OK"}``).

Neither provider signs its receipt push: the callback URL carries a secret of ours
(``SMS_CALLBACK_SECRET``), checked by ``experts.notice_views.receipt_callback``.

``SMS_ENDPOINT`` may name a scheme (``http://127.0.0.1:8080``: the tests' local servers speaking
each provider's protocol); without one, HTTPS.
"""

import json
from datetime import datetime

from django.utils import timezone

from core.sms import KINDS, Gateway, GatewayError, Receipt, Sent, config, template_code

# Codes that say "not now" rather than "never": retried with back-off.
ALIYUN_TRANSIENT = ("isp.", "isv.BUSINESS_LIMIT_CONTROL", "Throttling", "ServiceUnavailable", "InternalError")
TENCENT_TRANSIENT = ("InternalError", "LimitExceeded", "RequestLimitExceeded", "ClientNetworkError",
                     "ServerNetworkError", "FailedOperation.ContainSensitiveWord.Retry")  # fmt: skip


def _endpoint(default):
    """``(scheme, host)`` of ``SMS_ENDPOINT`` (or the provider's public endpoint)."""
    endpoint = config("ENDPOINT", default)
    scheme, found, host = endpoint.partition("://")
    return (scheme.lower(), host.rstrip("/")) if found else ("https", endpoint.rstrip("/"))


def _timeout():
    """Seconds the provider has to answer before the attempt counts as timed out."""
    return float(config("TIMEOUT", "10"))


def _national(mobile):
    return mobile[3:] if mobile.startswith("+86") else mobile


def _e164(mobile):
    return mobile if mobile.startswith("+") else f"+86{mobile}"


def _moment(text, fmt="%Y-%m-%d %H:%M:%S"):
    try:
        return timezone.make_aware(datetime.strptime(text, fmt), timezone.get_default_timezone())
    except (TypeError, ValueError):
        return None


class AliyunGateway(Gateway):
    name = "aliyun"

    def __init__(self):
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi import utils_models
        from darabonba.runtime import RuntimeOptions

        scheme, host = _endpoint("dysmsapi.aliyuncs.com")
        milliseconds = int(_timeout() * 1000)
        self.client = Client(
            utils_models.Config(
                access_key_id=config("ACCESS_KEY_ID"),
                access_key_secret=config("ACCESS_KEY_SECRET"),
                region_id=config("REGION", "cn-hangzhou"),
                endpoint=host,
                protocol=scheme.upper(),
                read_timeout=milliseconds,
                connect_timeout=milliseconds,
            )
        )
        # The task worker retries with back-off; the SDK's own retries would hide a time-out.
        self.runtime = RuntimeOptions(autoretry=False, read_timeout=milliseconds, connect_timeout=milliseconds)

    def _call(self, method, request):
        from alibabacloud_tea_openapi.exceptions import ClientException, ThrottlingException

        try:
            return method(request, self.runtime).body
        except ThrottlingException as error:
            raise GatewayError(f"{error.code}: {error.message}", retryable=True) from error
        except ClientException as error:  # 4xx: signature, access key, parameters
            raise GatewayError(f"{error.code}: {error.message}", retryable=False) from error
        except Exception as error:  # a time-out, a refused connection, a 5xx: try again later
            raise GatewayError(f"{type(error).__name__}: {error}", retryable=True) from error

    def send(self, mobile, *, kind, params):
        from alibabacloud_dysmsapi20170525 import models

        request = models.SendSmsRequest(
            phone_numbers=_national(mobile),
            sign_name=config("SIGN_NAME"),
            template_code=template_code(kind),
            template_param=json.dumps(params, ensure_ascii=False),
        )
        body = self._call(self.client.send_sms_with_options, request)
        if body.code != "OK":
            code = body.code or ""
            raise GatewayError(f"{code}: {body.message}", retryable=code.startswith(ALIYUN_TRANSIENT))
        return Sent(message_id=body.biz_id)

    def query(self, messages):
        from alibabacloud_dysmsapi20170525 import models

        receipts = []
        for message_id, mobile, sent_at in messages:
            request = models.QuerySendDetailsRequest(
                phone_number=_national(mobile),
                biz_id=message_id,
                send_date=timezone.localtime(sent_at).strftime("%Y%m%d"),
                page_size=10,
                current_page=1,
            )
            body = self._call(self.client.query_send_details_with_options, request)
            details = body.sms_send_detail_dtos.sms_send_detail_dto if body.sms_send_detail_dtos else []
            for detail in details:
                if str(detail.send_status) in ("2", "3"):
                    delivered = str(detail.send_status) == "3"
                    receipts.append(Receipt(message_id, delivered, detail.err_code or "", _moment(detail.receive_date)))
        return receipts

    def parse_callback(self, payload):
        return [
            Receipt(
                str(item["biz_id"]),
                item.get("success") is True,
                " ".join(filter(None, [item.get("err_code"), item.get("err_msg")])),
                _moment(item.get("report_time")),
            )
            for item in payload
        ]

    def callback_reply(self):
        return {"code": 0, "msg": "成功"}


class TencentGateway(Gateway):
    name = "tencent"

    def __init__(self):
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        scheme, host = _endpoint("sms.tencentcloudapi.com")
        http = HttpProfile(protocol=scheme, endpoint=host, reqTimeout=_timeout())
        self.client = sms_client.SmsClient(
            credential.Credential(config("ACCESS_KEY_ID"), config("ACCESS_KEY_SECRET")),
            config("REGION", "ap-guangzhou"),
            ClientProfile(httpProfile=http),
        )
        self.app_id = config("SDK_APP_ID")

    def _call(self, method, request):
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

        try:
            return method(request)
        except TencentCloudSDKException as error:
            code = error.get_code() or ""
            retryable = code.startswith(TENCENT_TRANSIENT)
            raise GatewayError(f"{code}: {error.get_message()}", retryable=retryable) from error
        except Exception as error:
            raise GatewayError(f"{type(error).__name__}: {error}", retryable=True) from error

    def send(self, mobile, *, kind, params):
        from tencentcloud.sms.v20210111 import models

        request = models.SendSmsRequest()
        request.PhoneNumberSet = [_e164(mobile)]
        request.SmsSdkAppId = self.app_id
        request.SignName = config("SIGN_NAME")
        request.TemplateId = template_code(kind)
        request.TemplateParamSet = [params[name] for name in KINDS[kind].params]
        response = self._call(self.client.SendSms, request)
        if not response.SendStatusSet:
            raise GatewayError("no send status in the answer", retryable=True)
        status = response.SendStatusSet[0]
        if status.Code != "Ok":
            code = status.Code or ""
            raise GatewayError(f"{code}: {status.Message}", retryable=code.startswith(TENCENT_TRANSIENT))
        return Sent(message_id=status.SerialNo)

    def query(self, messages):
        """Tencent hands out each status once, whatever message it is for (up to 100 a call)."""
        from tencentcloud.sms.v20210111 import models

        request = models.PullSmsSendStatusRequest()
        request.Limit = 100
        request.SmsSdkAppId = self.app_id
        response = self._call(self.client.PullSmsSendStatus, request)
        return [
            Receipt(
                status.SerialNo,
                status.ReportStatus == "SUCCESS",
                status.Description or "",
                _moment(status.UserReceiveTime),
            )
            for status in response.PullSmsSendStatusSet or []
        ]

    def parse_callback(self, payload):
        return [
            Receipt(
                str(item["sid"]),
                item.get("report_status") == "SUCCESS",
                " ".join(filter(None, [item.get("errmsg"), item.get("description")])),
                _moment(item.get("user_receive_time")),
            )
            for item in payload
        ]

    def callback_reply(self):
        return {"result": 0, "errmsg": "OK"}
