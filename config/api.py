"""The API router: every endpoint under /api/v1/, from each app's api module."""

from django.urls import path

from experts import api as experts_api

urlpatterns = [
    path("auth/token/", experts_api.TokenView.as_view(), name="api-token"),
]
