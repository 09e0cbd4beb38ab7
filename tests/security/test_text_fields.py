"""Every text field the API reads takes a string only.

DRF's ``CharField`` turns a number into its text, so ``{"reason": 2.9}`` was once accepted as a
decline reason although the schema says ``string``. ``core.rest.TextField`` refuses it; this test
finds any serializer of ours that reads text through a plain ``CharField`` again.
"""

import importlib
import pkgutil

import pytest
from django.urls import get_resolver
from rest_framework import serializers

from core.rest import TextField

APPS = ("core", "experts", "reviews", "consultations", "cms")


def _import_all():
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in module.name or ".management" in module.name:
                continue
            importlib.import_module(module.name)


def _ours(cls):
    seen, stack = set(), [cls]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
    return sorted((s for s in seen if s.__module__.split(".")[0] in APPS), key=lambda s: s.__qualname__)


def _plain_text_fields(field, path):
    if isinstance(field, serializers.ListField):
        yield from _plain_text_fields(field.child, f"{path}[]")
    elif isinstance(field, serializers.DictField):
        yield from _plain_text_fields(field.child, f"{path}{{}}")
    elif type(field) is serializers.CharField and not field.read_only:
        yield path


def test_every_text_field_we_read_refuses_a_number():
    get_resolver().url_patterns  # noqa: B018 - the URL modules import the API modules
    _import_all()
    found = _ours(serializers.Serializer)
    assert len(found) > 30
    plain = []
    for cls in found:
        try:
            fields = cls().fields
        except (AssertionError, TypeError, AttributeError):
            continue
        for name, field in fields.items():
            plain += _plain_text_fields(field, f"{cls.__module__}.{cls.__qualname__}.{name}")
    assert plain == [], "\n".join(plain)


@pytest.mark.parametrize("value", [2.95e-208, 7, True, ["a"], {"a": 1}])
def test_a_text_field_refuses_what_is_not_a_string(value):
    field = TextField(max_length=10)
    with pytest.raises(serializers.ValidationError):
        field.run_validation(value)
    assert field.run_validation(" 理由 ") == "理由"
