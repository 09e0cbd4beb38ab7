"""Benchmark (not a test): how long an expert's save takes to reach the secretariat's open board.

    .venv/bin/python bench/opinion_live.py                 # SQLite + in-memory layer, 200 saves
    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python bench/opinion_live.py --saves 500

Builds an open review in a throwaway SQLite file under a temporary directory (or, with
DATABASE_URL set, in that database: point it at a scratch one), opens the review's channel as the secretariat
(the board page's socket) and times, for each save, ``consultations.opinions.services.save_opinion`` from
the call to the moment the ``opinion.saved`` message arrives on that socket: the transaction,
the event log row, the commit and the broadcast. Prints the median, 95th percentile and maximum.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=200)
    args = parser.parse_args()
    os.environ["DJANGO_VAR_DIR"] = tempfile.mkdtemp(prefix="bench-opinions-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}  # no mail printed
    settings.SMS_SENDER = "bench.common.SilentSmsSender"
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from asgiref.sync import async_to_sync
    from channels.db import database_sync_to_async
    from channels.testing import WebsocketCommunicator
    from django.db import connection

    from bench.common import signed_in
    from config.asgi import application
    from consultations.opinions import services
    from experts.roles import ensure_roles
    from tests.conftest import make_user
    from tests.consultations.conftest import build_open_review, panel_of

    ensure_roles()
    secretariat = make_user("secretariat", username=f"bench-sec-{time.time_ns()}")
    review = build_open_review(secretariat, start=int(time.time()) % 50000)
    opinion = panel_of(review)[0]
    client = signed_in(secretariat)  # with the second factor the back office's socket needs
    cookie = (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())

    async def run():
        socket = WebsocketCommunicator(
            application, f"/ws/reviews/{review.pk}/", headers=[(b"origin", b"http://localhost"), cookie]
        )
        assert (await socket.connect())[0]
        timings = []
        for k in range(args.saves):
            started = time.perf_counter()
            await database_sync_to_async(services.save_opinion)(
                opinion, by=opinion.expert.user, data={"summary": f"第{k}稿"}, expected_version=k
            )
            while (await socket.receive_json_from(timeout=10))["type"] != "opinion.saved":
                pass
            timings.append(time.perf_counter() - started)
        await socket.disconnect()
        return timings

    timings = sorted(async_to_sync(run)())
    layer = os.environ.get("REDIS_URL") and "Redis" or "in-memory"
    print(f"{connection.vendor} + {layer} layer, {len(timings)} saves reaching the board's socket")
    print(f"  median {statistics.median(timings) * 1000:.1f} ms")
    print(f"  p95    {timings[int(len(timings) * 0.95) - 1] * 1000:.1f} ms")
    print(f"  max    {timings[-1] * 1000:.1f} ms")


if __name__ == "__main__":
    main()
