"""Roster fixtures: experts made through the real services."""

import io
from datetime import date

import pytest
from PIL import Image

from experts import roles, services
from experts.models import Domain, Expert, Organization
from tests.conftest import make_user


def new_expert(*, by=None, name="张三", key=None, domains=("2.1",), **fields):
    """An expert on the roster through ``services.create_expert``; domains are created as needed."""
    for code in domains:
        Domain.objects.get_or_create(code=code, defaults={"name": f"领域{code}"})
    employer = fields.pop("employer", None)
    if employer is None:
        employer, _created = Organization.objects.get_or_create(
            name="沈阳自动化研究院", defaults={"kind": Organization.Kind.INSTITUTE}
        )
    defaults = {
        "category": Expert.Category.SPECIALIST,
        "mobile": "13812345678",
        "email": "expert@example.cn",
        "status": Expert.Status.ACTIVE,
    }
    return services.create_expert(
        by=by,
        reason="test",
        key=key or f"K-{Expert.objects.count() + 1:04d}-{name}",
        name=name,
        employer=employer,
        domains=domains,
        **(defaults | fields),
    )


@pytest.fixture
def expert_user(db):
    """An expert with an account: ``(user, expert)``."""
    expert = new_expert(name="王建国", key="SELF-1", username="wangjg", email="wangjg@example.cn")
    return expert.user, expert


@pytest.fixture
def other_expert_user(db):
    expert = new_expert(name="李志强", key="OTHER-1", username="lizq", mobile="13900001111", email="lizq@example.cn")
    return expert.user, expert


def jpeg_bytes(size=(400, 500), *, exif=None, colour=(120, 80, 40)):
    buffer = io.BytesIO()
    image = Image.new("RGB", size, colour)
    if exif is not None:
        image.save(buffer, "JPEG", exif=exif)
    else:
        image.save(buffer, "JPEG")
    return buffer.getvalue()


def gps_exif():
    """EXIF with a GPS position and a camera make."""
    exif = Image.Exif()
    exif[0x010F] = "TestCamera"  # Make
    gps = {1: "N", 2: (41.0, 48.0, 0.0), 3: "E", 4: (123.0, 25.0, 0.0)}
    exif[0x8825] = gps
    return exif


TODAY = date(2026, 11, 27)


__all__ = ["make_user", "new_expert", "roles"]
