"""WebSocket routes under /ws/."""

from django.urls import path

from consultations.inquiries.consumers import ConsultationConsumer
from consultations.opinions.consumers import ReviewConsumer
from consultations.proposals.consumers import BoardConsumer
from core.consumers import NotificationConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    path("ws/reviews/<int:review_id>/", ReviewConsumer.as_asgi()),
    path("ws/board/", BoardConsumer.as_asgi()),
    path("ws/consultations/<int:consultation_id>/", ConsultationConsumer.as_asgi()),
]
