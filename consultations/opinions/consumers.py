"""``/ws/reviews/{id}/``: a review's live channel (opinions saved and sealed, the discussion, who
is present), for those who may see the review; and ``/ws/board/``, the secretariat's board.
Authenticate, check, join, forward (``core.consumers.GroupConsumer``); writes go through HTTP."""

from channels.db import database_sync_to_async

from consultations.opinions import presence
from core import live
from core.consumers import GroupConsumer
from reviews.events import without_panel
from reviews.models import Review
from reviews.rules import CLOSED_STATES, can_see_panel, can_view_review


def _sees_panel(user, review_id):
    review = Review.objects.filter(pk=review_id).first()
    return review is not None and can_see_panel(user, review)


class ReviewConsumer(GroupConsumer):
    """For those who may see the review (``reviews.rules.can_view_review``); 4403 for
    everyone else, the same whether the review exists or not. Opening and closing the socket is
    the reader's presence (``presence``: the row at once, the group told at most once a second).
    A reader who may not see the panel (``reviews.rules.can_see_panel``: the plan's department,
    the commission before the close) receives each event ``without_panel``, through a handler of
    its own (off the fan-out's shared path), until a close lets them see it."""

    def group_for(self, user, *, review_id):
        review = Review.objects.select_related("plan").filter(pk=review_id).first()
        if review is None or not can_view_review(user, review):
            return None
        if not can_see_panel(user, review):
            self.reader, self.sees_panel, self.held = user, False, []
            self.review_event = self.concealed_event
        return live.review_group(review_id)

    async def joined(self, user, *, review_id):
        held, self.held = getattr(self, "held", None) or [], None
        for event in held:  # what came between joining the group and the accepted handshake
            await self.send_json(event)
        await presence.joined(user, review_id, self.channel_name)

    async def left(self, *, review_id):
        await presence.left(review_id, self.channel_name)

    async def concealed_event(self, message):
        event = message["event"]
        if event.get("type") == "review.state_changed" and event.get("state") in CLOSED_STATES:
            self.sees_panel = await database_sync_to_async(_sees_panel)(self.reader, event["review"])
        event = event if self.sees_panel else without_panel(event)
        if self.held is not None:
            self.held.append(event)
        else:
            await self.send_json(event)

    review_event = GroupConsumer.forward
