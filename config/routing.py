"""WebSocket routes under /ws/."""

from django.urls import path

from consultations.consumers import NotificationConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
]
