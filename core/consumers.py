"""WebSocket consumers: authenticate, check, join, forward. Writes go through HTTP.

``NotificationConsumer`` is the signed-in user's own channel. ``GroupConsumer`` is what every
other socket is: an object's group (a review, a consultation, the secretariat's board) for those
its app's rules let in, plus the user's own group to hear ``account.disabled``. An app's consumer
names its group in ``group_for`` (which asks its rules module) and its event type. The object's
group is joined once per server process, not per socket (``core.fanout``).
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.db import connection

from core import fanout, live

# Close codes: 4401 not signed in, 4403 may not see it.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


def _keeping_connection(function):
    """``function`` run on the sockets' database thread, which then keeps its connection open.

    Every step of a handshake (session, user, second factor, the check, the presence row) is a
    trip to one shared thread (``database_sync_to_async``, thread-sensitive: one per server
    process, used by sockets only; HTTP requests run on threads of their own), and with
    ``CONN_MAX_AGE = 0`` each trip opened a new PostgreSQL connection: most of a join's cost.
    This thread keeps one; Django still closes it when it is broken or left in a transaction.
    """

    def run(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        finally:
            if connection.vendor != "sqlite":  # a file needs no reconnecting, and SQLite's WAL
                connection.close_at = None  # must not stay open in a process that forks

    return run


def _signed_in(scope):
    user = scope.get("user")
    return user if user is not None and user.is_authenticated else None


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """``/ws/notifications/``: the signed-in user's own channel."""

    async def connect(self):
        user = _signed_in(self.scope)
        if user is None:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.group = live.user_group(user.id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def notification_created(self, event):
        await self.send_json(event)

    async def account_disabled(self, event):
        await self.close(code=CLOSE_UNAUTHENTICATED)  # experts.signin.disable_user


class GroupConsumer(AsyncJsonWebsocketConsumer):
    """One object's live group, for those its app's rules let in; 4403 for everyone else, the
    same whether the object exists or not. Subclasses define ``group_for`` and forward their
    event type with ``forward`` (e.g. ``review_event = GroupConsumer.forward``)."""

    def group_for(self, user, **route):
        """The group ``user`` may join for this route's object, or ``None`` (runs in a thread)."""
        raise NotImplementedError

    async def joined(self, user, **route):
        """After the socket is accepted (presence, for instance)."""

    async def left(self, **route):
        """After the socket closed, if it had joined."""

    async def connect(self):
        user = _signed_in(self.scope)
        if user is None:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        route = self.scope["url_route"]["kwargs"]
        group = await database_sync_to_async(_keeping_connection(self.group_for))(user, **route)
        if group is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.per_process = getattr(settings, "LIVE_FANOUT", "process") != "socket"  # core.fanout
        self.groups_joined = [group, live.user_group(user.id)]  # the user group: to hear account.disabled
        for name in self.groups_joined:
            if name == group and self.per_process:
                await fanout.join(self.channel_layer, name, self)
            else:
                await self.channel_layer.group_add(name, self.channel_name)
        await self.accept()
        if self.per_process:
            await fanout.accepted(self.channel_layer, group, self)
        await self.joined(user, **route)

    async def disconnect(self, code):
        if not hasattr(self, "groups_joined"):
            return
        group, *others = self.groups_joined
        if self.per_process:
            await fanout.leave(self.channel_layer, group, self)
        else:
            others.append(group)
        for name in others:
            await self.channel_layer.group_discard(name, self.channel_name)
        await self.left(**self.scope["url_route"]["kwargs"])

    async def forward(self, message):
        await self.send_json(message["event"])

    async def account_disabled(self, event):
        await self.close(code=CLOSE_UNAUTHENTICATED)  # experts.signin.disable_user

    async def notification_created(self, event):
        pass  # the user group is joined only to hear account.disabled
