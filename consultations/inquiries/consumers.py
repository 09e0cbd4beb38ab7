"""``/ws/consultations/{id}/``: the live board of a consultation, for those who may watch it
(``rules.can_watch_board``); 4403 for everyone else, the same whether the consultation exists or
not. Messages carry ids and states; the page fetches the rest."""

from consultations.inquiries.rules import can_watch_board, visible_consultation
from core import live
from core.consumers import GroupConsumer


class ConsultationConsumer(GroupConsumer):
    def group_for(self, user, *, consultation_id):
        consultation = visible_consultation(user, consultation_id)
        if consultation is None or not can_watch_board(user, consultation):
            return None
        return live.consultation_group(consultation_id)

    consultation_event = GroupConsumer.forward
