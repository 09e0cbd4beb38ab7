"""What daphne's HTTP layer (Twisted) answers before Django sees a request.

Twisted's ``Request`` parses every ``multipart/form-data`` and form POST into ``request.args``
before daphne hands the body to Django; daphne never reads ``args``. A body Twisted cannot parse
(an empty or broken multipart) got a bare ``HTTP/1.1 400`` without a body or a Content-Type, so
no API client could tell what was wrong, and a good upload was parsed twice in memory. So:

- Twisted does not parse bodies (``parsePOSTFormSubmission=False``): Django does, and a broken
  multipart gets the API's JSON 400 (``{"detail", "errors"}``) from DRF.
- The 400 the HTTP layer still answers itself (one line, or all the headers, over Twisted's
  16 KB, more than 500 headers, a malformed request line, a bad Content-Length or chunk)
  carries the same JSON body, with Content-Type and Content-Length, then closes our side of the
  connection (Twisted hung up without a word on a line over 16 KB, and sent a bare 400 on the
  rest). Before the request line is read there is no Accept-Language: the default language.
- daphne's own error pages (an invalid header name or value, invalid characters in the path,
  the application's timeout) are JSON under ``/api/`` and daphne's HTML elsewhere.

``install()`` runs when ``config.asgi`` is imported, which is how daphne loads the application,
so ``daphne config.asgi:application`` (``make run``) and every server process get it.
"""

import json

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _


def error_body(detail, accept_language=""):
    """The API's error body, in the language ``Accept-Language`` asks for (as Django would)."""
    request = HttpRequest()
    if accept_language:
        request.META["HTTP_ACCEPT_LANGUAGE"] = accept_language
    language = translation.get_language_from_request(request) if accept_language else settings.LANGUAGE_CODE
    with translation.override(language):
        return json.dumps({"detail": str(detail), "errors": {}}, ensure_ascii=False).encode()


def _header(request, name):
    if request is None:
        return ""
    values = request.requestHeaders.getRawHeaders(name) or [b""]
    return values[0].decode("latin-1")


def install():
    """Make daphne's requests leave bodies to Django and answer its own errors as JSON."""
    try:
        from daphne import http_protocol
        from twisted.web import http
    except ImportError:  # another server: nothing to change
        return
    if getattr(http_protocol.WebRequest, "leaves_bodies_to_django", False):
        return

    class JsonErrorChannel(http.HTTPChannel):
        def _respondToBadRequestAndDisconnect(self):
            request = self.requests[-1] if self.requests else None
            body = error_body(_("The request could not be read."), _header(request, b"Accept-Language"))
            head = b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
            head += b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
            self.transport.write(head + body)
            # Twisted closed at once, with the rest of the request unread: the kernel then
            # answers with a reset that may destroy the answer in flight. Instead the rest is
            # read and dropped, and only our side is closed, after the answer.
            self.dataReceived = lambda data: None
            self.transport.loseWriteConnection()

        def lineLengthExceeded(self, line):
            # One line (the request line or a header) over 16 KB: Twisted just hung up.
            self._respondToBadRequestAndDisconnect()

    class WebRequest(http_protocol.WebRequest):
        leaves_bodies_to_django = True

        def __init__(self, *args, **kwargs):
            kwargs["parsePOSTFormSubmission"] = False
            super().__init__(*args, **kwargs)

        def basic_error(self, status, status_text, body):
            if not (self.path or b"").startswith(b"/api/"):
                return super().basic_error(status, status_text, body)
            self.handle_reply(
                {"type": "http.response.start", "status": status, "headers": [(b"Content-Type", b"application/json")]}
            )
            payload = error_body(body, _header(self, b"Accept-Language"))
            self.handle_reply({"type": "http.response.body", "body": payload})

    def channel(factory):
        return http._GenericHTTPChannelProtocol(JsonErrorChannel())

    http_protocol.WebRequest = WebRequest
    http_protocol.HTTPFactory.protocol = channel
