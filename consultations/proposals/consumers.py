"""``/ws/board/``: the secretariat's board (new proposals and their screening). Authenticate,
check, join, forward (``core.consumers.GroupConsumer``); writes go through HTTP."""

from consultations.proposals.rules import can_screen
from core import live
from core.consumers import GroupConsumer


class BoardConsumer(GroupConsumer):
    """For those who screen proposals (``proposals.rules.can_screen``); 4403 for everyone else."""

    def group_for(self, user):
        return live.BOARD_GROUP if can_screen(user) else None

    board_event = GroupConsumer.forward
