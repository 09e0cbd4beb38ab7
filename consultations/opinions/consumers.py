"""WebSocket consumers: authenticate, check, join, forward. Writes go through HTTP."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from core import live as realtime

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

    async def account_disabled(self, event):
        await self.close(code=CLOSE_UNAUTHENTICATED)  # experts.signin.disable_user


class ReviewConsumer(AsyncJsonWebsocketConsumer):
    """``/ws/reviews/{id}/``: for those who may see the review (``reviews.permissions``); 4403
    for everyone else, the same whether the review exists or not."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        review_id = self.scope["url_route"]["kwargs"]["review_id"]
        if not await database_sync_to_async(_may_see_review)(user, review_id):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.group = realtime.review_group(review_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        self.user_group = realtime.user_group(user.id)  # to hear account.disabled
        await self.channel_layer.group_add(self.user_group, self.channel_name)
        await self.accept()
        self.review_id = review_id
        await database_sync_to_async(_arrived)(user, review_id, self.channel_name)  # presence

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)
        if hasattr(self, "review_id"):
            await database_sync_to_async(_left)(self.review_id, self.channel_name)  # presence
        if hasattr(self, "user_group"):
            await self.channel_layer.group_discard(self.user_group, self.channel_name)

    async def review_event(self, message):
        await self.send_json(message["event"])

    async def account_disabled(self, event):
        await self.close(code=CLOSE_UNAUTHENTICATED)  # experts.signin.disable_user

    async def notification_created(self, event):
        pass  # the user group is joined only to hear account.disabled


def _may_see_review(user, review_id):
    from reviews.models import Review
    from reviews.permissions import can_view_review

    review = Review.objects.select_related("plan").filter(pk=review_id).first()
    return review is not None and can_view_review(user, review)


def _arrived(user, review_id, channel_name):
    from consultations.opinions.services import join_review
    from reviews.models import Review

    join_review(Review.objects.get(pk=review_id), user=user, channel_name=channel_name)


def _left(review_id, channel_name):
    from consultations.opinions.services import leave_review
    from reviews.models import Review

    review = Review.objects.filter(pk=review_id).first()
    if review is not None:
        leave_review(review, channel_name=channel_name)


class BoardConsumer(AsyncJsonWebsocketConsumer):
    """``/ws/board/``: the secretariat's board (new proposals, ...); 4403 for everyone else."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if not await database_sync_to_async(_is_secretariat)(user):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.group = realtime.BOARD_GROUP
        await self.channel_layer.group_add(self.group, self.channel_name)
        self.user_group = realtime.user_group(user.id)  # to hear account.disabled
        await self.channel_layer.group_add(self.user_group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        for name in ("group", "user_group"):
            if hasattr(self, name):
                await self.channel_layer.group_discard(getattr(self, name), self.channel_name)

    async def board_event(self, message):
        await self.send_json(message["event"])

    async def account_disabled(self, event):
        await self.close(code=CLOSE_UNAUTHENTICATED)

    async def notification_created(self, event):
        pass  # the user group is joined only to hear account.disabled


def _is_secretariat(user):
    from reviews.permissions import is_secretariat

    return is_secretariat(user)
