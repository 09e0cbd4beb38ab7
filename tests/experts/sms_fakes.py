"""Local HTTP servers speaking each SMS provider's protocol, for the gateways' SDKs to talk to.

Each answers as the real API does (Alibaba's RPC JSON ``Code``/``Message``/``BizId``; Tencent's
TC3 JSON ``{"Response": {...}}``), from a script of answers per action, and keeps every request
(action, parameters, headers) for the test to read. ``stall()`` holds a request past the client's
time-out, as a provider that does not answer in time."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

STALL = object()


class FakeProvider:
    def __init__(self):
        self.script = {}  # action → list of answers (a dict, or STALL), used in order; the last repeats
        self.requests = []
        self.release = threading.Event()
        handler = type("Handler", (_Handler,), {"provider": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, action, *answers):
        self.script[action] = list(answers)

    def actions(self):
        return [r["action"] for r in self.requests]

    def next_answer(self, action):
        answers = self.script.get(action) or [self.default(action)]
        return answers.pop(0) if len(answers) > 1 else answers[0]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


class _Handler(BaseHTTPRequestHandler):
    provider = None

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        action, params = self.provider.parse(self.path, self.headers, body)
        self.provider.requests.append({"action": action, "params": params, "headers": dict(self.headers)})
        answer = self.provider.next_answer(action)
        if answer is STALL:
            self.provider.release.wait(5)  # past the client's time-out; released when the test ends
            return
        status, payload = answer if isinstance(answer, tuple) else (200, answer)
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST


class FakeAliyun(FakeProvider):
    """Dysmsapi 2017-05-25 in RPC style: the action and its parameters in the query (or the form)."""

    def parse(self, path, headers, body):
        params = dict(parse_qsl(urlsplit(path).query))
        if body and "json" not in (headers.get("Content-Type") or ""):
            params.update(parse_qsl(body))
        return headers.get("x-acs-action") or params.get("Action", ""), params

    def default(self, action):
        if action == "SendSms":
            return ok_aliyun(biz_id=f"{len(self.requests)}^0")
        return {"Code": "OK", "Message": "OK", "RequestId": "r", "TotalCount": 0, "SmsSendDetailDTOs": {}}


def ok_aliyun(biz_id):
    return {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": "A1"}


def refuse_aliyun(code, message):
    return {"Code": code, "Message": message, "RequestId": "A2"}


def aliyun_details(*details):
    """A QuerySendDetails answer: ``(phone, status, err_code)`` with 1 waiting, 2 failed, 3 delivered."""
    rows = [
        {"PhoneNum": phone, "SendStatus": status, "ErrCode": code, "ReceiveDate": "2026-12-07 10:00:00",
         "SendDate": "2026-12-07 09:59:58", "TemplateCode": "SMS_1", "Content": "", "OutId": ""}
        for phone, status, code in details
    ]  # fmt: skip
    return {"Code": "OK", "Message": "OK", "RequestId": "A3", "TotalCount": len(rows),
            "SmsSendDetailDTOs": {"SmsSendDetailDTO": rows}}  # fmt: skip


class FakeTencent(FakeProvider):
    """SMS 2021-01-11 over TC3-HMAC-SHA256: the action in ``X-TC-Action``, the parameters JSON."""

    def parse(self, path, headers, body):
        return headers.get("X-TC-Action", ""), json.loads(body or "{}")

    def default(self, action):
        if action == "SendSms":
            return ok_tencent(serial=f"2433:{len(self.requests)}")
        return {"Response": {"PullSmsSendStatusSet": [], "RequestId": "t"}}


def ok_tencent(serial, phone="+8613900000001"):
    status = {"SerialNo": serial, "PhoneNumber": phone, "Fee": 1, "SessionContext": "", "Code": "Ok",
              "Message": "send success", "IsoCode": "CN"}  # fmt: skip
    return {"Response": {"SendStatusSet": [status], "RequestId": "T1"}}


def refuse_tencent(code, message, phone="+8613900000001"):
    status = {"SerialNo": "", "PhoneNumber": phone, "Fee": 0, "SessionContext": "", "Code": code,
              "Message": message, "IsoCode": "CN"}  # fmt: skip
    return {"Response": {"SendStatusSet": [status], "RequestId": "T2"}}


def error_tencent(code, message):
    return {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": "T3"}}


def tencent_statuses(*statuses):
    """A PullSmsSendStatus answer: ``(serial, "SUCCESS" | "FAIL", description)``."""
    rows = [
        {"UserReceiveTime": "2026-12-07 10:00:00", "CountryCode": "86", "SubscriberNumber": "13900000001",
         "PhoneNumber": "+8613900000001", "SerialNo": serial, "ReportStatus": status, "Description": text,
         "SessionContext": ""}
        for serial, status, text in statuses
    ]  # fmt: skip
    return {"Response": {"PullSmsSendStatusSet": rows, "RequestId": "T4"}}
