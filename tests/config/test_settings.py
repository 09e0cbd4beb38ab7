"""Start-up rules of config/settings.py, checked in fresh interpreters with a given environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BASE_ENV = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "config.settings", "HOME": str(ROOT)}


def django_check(**env):
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**BASE_ENV, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_values(*expressions, **env):
    """``expressions`` evaluated in one fresh interpreter started with ``env``: their printed values."""
    shown = ", ".join(f"str({expression})" for expression in expressions)
    code = f"import django; django.setup(); from django.conf import settings; print(*[{shown}], sep=chr(10))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**BASE_ENV, **env}, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().split("\n")


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"DJANGO_DEBUG": "0"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "k" * 60}, "DJANGO_ALLOWED_HOSTS"),
    ],
)
def test_production_without_required_variable_refuses_to_start(env, missing):
    result = django_check(**env)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        f"Configuration error: {missing} must be set when DJANGO_DEBUG is off (see docs/deployment.md)."
    )


def test_no_environment_runs_the_embedded_default():
    assert settings_values(
        "settings.DATABASES['default']['ENGINE']",
        "settings.CHANNEL_LAYERS['default']['BACKEND']",
        "settings.TIME_ZONE",
        "settings.LANGUAGE_CODE",
    ) == ["django.db.backends.sqlite3", "channels.layers.InMemoryChannelLayer", "Asia/Shanghai", "zh-hans"]


def test_database_and_redis_urls_switch_to_postgresql_and_redis():
    env = {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/x", "REDIS_URL": "redis://127.0.0.1:6379/3"}
    layer = "settings.CHANNEL_LAYERS['default']['BACKEND']"
    assert settings_values(
        "settings.DATABASES['default']['ENGINE']",
        layer,  # one PUBLISH per event, fanned out per process
        "settings.CACHES['default']['BACKEND']",
        # redis-py 8's socket timeout must stay above channels-redis's 5 s blocking wait.
        "settings.CHANNEL_LAYERS['default']['CONFIG']['hosts'][0]['socket_timeout'] > 5",
        **env,
    ) == [
        "django.db.backends.postgresql",
        "channels_redis.pubsub.RedisPubSubChannelLayer",
        "django.core.cache.backends.redis.RedisCache",
        "True",
    ]
    assert settings_values(layer, CHANNEL_LAYER="core", **env) == ["channels_redis.core.RedisChannelLayer"]
