"""ASGI entry point: HTTP through Django, WebSockets through Channels, one server; the lifespan
start-up (uvicorn sends it, daphne does not) sweeps the presence rows of server processes that
are gone (``consultations.opinions.presence``; without lifespan the first socket does it)."""

import logging
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from config.http_server import install as install_http_server  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402
from consultations.opinions import presence  # noqa: E402
from experts.auth import TokenOrSessionAuthMiddlewareStack  # noqa: E402


async def lifespan(scope, receive, send):
    """ASGI lifespan: sweep stale presence at start-up; a failure there never stops the server."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            try:
                await presence.server_started()
            except Exception:  # the database may come up later; the first socket sweeps then
                logging.getLogger(__name__).warning("presence sweep at start-up failed", exc_info=True)
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


install_http_server()  # daphne: bodies parsed by Django, its own 400s in JSON (config/http_server.py)

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "lifespan": lifespan,
        "websocket": AllowedHostsOriginValidator(TokenOrSessionAuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
