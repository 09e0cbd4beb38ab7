"""``/ws/reviews/{id}/``: a review's live channel (opinions saved and sealed, the discussion, who
is present), for those who may see the review; and ``/ws/board/``, the secretariat's board.
Authenticate, check, join, forward (``core.consumers.GroupConsumer``); writes go through HTTP."""

from consultations.opinions import presence
from core import live
from core.consumers import GroupConsumer
from reviews.models import Review
from reviews.rules import can_view_review


class ReviewConsumer(GroupConsumer):
    """For those who may see the review (``reviews.rules.can_view_review``); 4403 for
    everyone else, the same whether the review exists or not. Opening and closing the socket is
    the reader's presence (``presence``: the row at once, the group told at most once a second)."""

    def group_for(self, user, *, review_id):
        review = Review.objects.select_related("plan").filter(pk=review_id).first()
        return live.review_group(review_id) if review is not None and can_view_review(user, review) else None

    async def joined(self, user, *, review_id):
        await presence.joined(user, review_id, self.channel_name)

    async def left(self, *, review_id):
        await presence.left(review_id, self.channel_name)

    review_event = GroupConsumer.forward
