"""Shared fixtures: users by role, API clients, the Wagtail tree after a flush, query counts."""

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from experts import roles
from experts.roles import ensure_roles

from .factories import UserFactory
from .wagtail_tree import ensure_wagtail_tree

DB_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server"}


@pytest.fixture(autouse=True)
def _base_rows(request):
    """Transactional tests (WebSocket, live server) flush the database, and with it the Wagtail
    root, locale and default site that migrations made; put them back for whatever runs next."""
    if request.node.get_closest_marker("django_db") or DB_FIXTURES & set(request.fixturenames):
        request.getfixturevalue("_django_db_helper")
        ensure_roles()
        ensure_wagtail_tree()


def make_user(role=None, **fields):
    user = UserFactory(**fields)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def secretariat_user(db):
    return make_user(roles.SECRETARIAT, username="sec")


@pytest.fixture
def commission_user(db):
    return make_user(roles.COMMISSION, username="ndrc")


@pytest.fixture
def department_user(db):
    return make_user(roles.DEPARTMENT, username="dept")


@pytest.fixture
def api():
    client = APIClient()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def api_as(api):
    def sign_in(user):
        api.force_authenticate(user)
        return api

    return sign_in
