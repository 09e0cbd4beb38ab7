"""``/ws/consultations/{id}/``: the live board of a consultation, for those who may watch it
(``consultation_access.can_watch_board``); 4403 for everyone else, the same whether the
consultation exists or not. Messages carry ids and states; the page fetches the rest."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from consultations.opinions.consumers import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED
from core import live as realtime


class ConsultationConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        consultation_id = self.scope["url_route"]["kwargs"]["consultation_id"]
        if not await database_sync_to_async(_may_watch)(user, consultation_id):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.groups_joined = [realtime.consultation_group(consultation_id), realtime.user_group(user.id)]
        for group in self.groups_joined:  # the user group: to hear account.disabled
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def consultation_event(self, message):
        await self.send_json(message["event"])

    async def account_disabled(self, event):
        await self.close(code=CLOSE_UNAUTHENTICATED)

    async def notification_created(self, event):
        pass  # the user group is joined only to hear account.disabled


def _may_watch(user, consultation_id):
    from consultations.inquiries.rules import can_watch_board, visible_consultation

    consultation = visible_consultation(user, consultation_id)
    return consultation is not None and can_watch_board(user, consultation)
