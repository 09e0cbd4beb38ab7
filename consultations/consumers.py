"""WebSocket consumers: authenticate, check, join, forward. Writes go through HTTP."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from . import realtime

# Close codes: 4401 not signed in, 4403 may not see it.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """``/ws/notifications/``: the signed-in user's own channel."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.group = realtime.user_group(user.id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def notification_created(self, event):
        await self.send_json(event)
