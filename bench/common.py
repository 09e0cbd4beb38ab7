"""What every benchmark shares: its own database, the conditions line, percentiles.

Benchmarks never touch the dev database. On SQLite they use ``var/bench/<name>/db.sqlite3``
(``DJANGO_VAR_DIR``); with ``--pg`` (or ``BENCH_PG=1``) the PostgreSQL database ``wb_bench``
on 127.0.0.1 (``BENCH_DATABASE_URL`` to point elsewhere) and Redis (``REDIS_URL``, default
redis://127.0.0.1:6379/0) with the channel and cache prefix ``bench``.
"""

import os
import platform
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_VAR = ROOT / "var" / "bench"
PG_URL = "postgres://postgres@127.0.0.1:5432/wb_bench"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def use_stack(pg, *, name="data"):
    """Point the settings at the benchmark database; call before ``django.setup()``."""
    var = BENCH_VAR / (f"{name}-pg" if pg else name)
    os.environ["DJANGO_VAR_DIR"] = str(var)
    var.mkdir(parents=True, exist_ok=True)
    (BENCH_VAR / "static").mkdir(exist_ok=True)
    if not (var / "static").exists():  # one collectstatic (compressing every file) for all data sets
        (var / "static").symlink_to(BENCH_VAR / "static", target_is_directory=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["CHANNELS_PREFIX"] = os.environ["CACHE_PREFIX"] = "bench"
    production()
    if pg:
        url = os.environ.get("BENCH_DATABASE_URL", PG_URL)
        os.environ["DATABASE_URL"] = url if name == "data" else f"{url}_{name.replace('-', '_')}"
        os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
        ensure_pg_database(os.environ["DATABASE_URL"])
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ.pop("REDIS_URL", None)


def production():
    """Settings as deployed (DEBUG off: no query log, cached templates, manifest static files),
    minus the HTTPS redirect: the benchmarks speak plain HTTP on 127.0.0.1."""
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    os.environ.setdefault("DJANGO_CSRF_TRUSTED_ORIGINS", "http://127.0.0.1,http://localhost")
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")


def ensure_pg_database(url):
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", [name]).fetchone():
            conn.execute(f'create database "{name}"')


def setup(pg, *, name="data", migrate=True):
    use_stack(pg, name=name)
    import django

    django.setup()
    from django.conf import settings

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.SMS_SENDER = "bench.common.SilentSmsSender"
    settings.ALLOWED_HOSTS = ["*"]
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        if not (settings.STATIC_ROOT / "staticfiles.json").exists():
            call_command("collectstatic", interactive=False, verbosity=0)


class SilentSmsSender:
    """A gateway (``core.sms.Gateway``'s interface) that takes every message and sends none."""

    name = "silent"

    def send(self, mobile, *, kind, params):
        from core.sms import Sent

        return Sent(message_id="silent")


def machine():
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:
        mem_kb = 0
    return f"{os.cpu_count()} cores {cpu}, {mem_kb / 1024 / 1024:.0f} GiB RAM, Python {platform.python_version()}"


def load():
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def stack():
    from django.conf import settings
    from django.db import connection

    layer = "Redis" if "redis" in settings.CHANNEL_LAYERS["default"]["BACKEND"].lower() else "in-memory"
    return f"{'PostgreSQL' if connection.vendor == 'postgresql' else 'SQLite'} + {layer}"


def conditions(extra=""):
    """The line that goes with every figure: machine, stack, load average, data size."""
    return f"[{machine()}; {stack()}; {load()}{'; ' + extra if extra else ''}]"


def percentile(values, p):
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def summary_ms(values):
    return (
        f"median {statistics.median(values) * 1000:.1f} ms, p95 {percentile(values, 95) * 1000:.1f} ms, "
        f"max {max(values) * 1000:.1f} ms (n={len(values)})"
    )


def figure(name, value, cond=""):
    print(f"{name}: {value} {conditions(cond)}", flush=True)


def pg_flag(parser):
    parser.add_argument("--data", default="data", help="data set name: var/bench/<name>, database wb_bench_<name>")
    parser.add_argument("--pg", action="store_true", default=os.environ.get("BENCH_PG") == "1",
                        help="PostgreSQL wb_bench + Redis instead of SQLite + in-memory")  # fmt: skip


def signed_in(user):
    """A test Client signed in as ``user``, its session verified with a second factor when the
    account needs one (a confirmed authenticator is made for the benchmark account)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    try:
        import django_otp
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from experts import second_factor
    except ImportError:
        return client
    if second_factor.requires_second_factor(user):
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
        session = client.session
        session[django_otp.DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
