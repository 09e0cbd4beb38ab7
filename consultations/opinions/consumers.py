"""``/ws/reviews/{id}/``: a review's live channel (opinions saved and sealed, the discussion, who
is present), for those who may see the review; and ``/ws/board/``, the secretariat's board.
Authenticate, check, join, forward (``core.consumers.GroupConsumer``); writes go through HTTP."""

from channels.db import database_sync_to_async

from consultations.opinions import services
from core import live
from core.consumers import GroupConsumer
from reviews.models import Review
from reviews.rules import can_view_review


class ReviewConsumer(GroupConsumer):
    """For those who may see the review (``reviews.rules.can_view_review``); 4403 for
    everyone else, the same whether the review exists or not. Opening and closing the socket is
    the reader's presence."""

    def group_for(self, user, *, review_id):
        review = Review.objects.select_related("plan").filter(pk=review_id).first()
        return live.review_group(review_id) if review is not None and can_view_review(user, review) else None

    async def joined(self, user, *, review_id):
        await database_sync_to_async(_arrived)(user, review_id, self.channel_name)

    async def left(self, *, review_id):
        await database_sync_to_async(_left)(review_id, self.channel_name)

    review_event = GroupConsumer.forward


def _arrived(user, review_id, channel_name):
    services.join_review(Review.objects.get(pk=review_id), user=user, channel_name=channel_name)


def _left(review_id, channel_name):
    review = Review.objects.filter(pk=review_id).first()
    if review is not None:
        services.leave_review(review, channel_name=channel_name)
