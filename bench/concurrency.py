"""Opinion saves under concurrency: 50 writers, saves per second, p95, zero lost updates.

    .venv/bin/python bench/concurrency.py [--writers 50] [--saves 10] [--pg]

Each writer is a thread with its own database connection calling
``consultations.opinions.services.save_opinion`` the way a client uses ``If-Match``: read the opinion,
save with ``expected_version``; on ``StaleVersion`` read again and retry, until each of its
``--saves`` edits is accepted. Two rounds: *shared*, all writers on one opinion (an expert's
laptop, phone and tablet, multiplied: the worst case for the compare-and-set), and *spread*,
each writer on its own opinion (a panel saving at once). Lost updates: the opinion's final
version must equal its start plus the saves accepted, and every accepted edit's text must be
in a kept version or the live row (the last).
"""

import argparse
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common, generate


def writer(opinion_id, saves, tag, results):
    from django.db import connection

    from consultations.opinions import services
    from consultations.opinions.models import Opinion
    from core.errors import StaleVersion

    accepted, attempts, latencies = 0, 0, []
    try:
        while accepted < saves:
            started = time.perf_counter()
            while True:
                attempts += 1
                opinion = Opinion.objects.select_related("review", "expert__user").get(pk=opinion_id)
                try:
                    services.save_opinion(
                        opinion, by=opinion.expert.user, data={"summary": f"{tag}-{accepted}"},
                        expected_version=opinion.version,
                    )  # fmt: skip
                    break
                except StaleVersion:
                    continue
            latencies.append(time.perf_counter() - started)
            accepted += 1
    finally:
        connection.close()
    results.append((accepted, attempts, latencies))


def round_(name, opinion_ids, writers, saves):
    from consultations.opinions.models import Opinion

    before = {pk: v for pk, v in Opinion.objects.filter(pk__in=set(opinion_ids)).values_list("pk", "version")}
    results = []
    threads = [threading.Thread(target=writer, args=(opinion_ids[i], saves, f"w{i}", results)) for i in range(writers)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    accepted = sum(r[0] for r in results)
    attempts = sum(r[1] for r in results)
    latencies = [x for r in results for x in r[2]]
    after = dict(Opinion.objects.filter(pk__in=set(opinion_ids)).values_list("pk", "version"))
    lost = accepted - sum(after[pk] - before[pk] for pk in before)
    cond = f"{writers} writer threads x {saves} saves, {name}"
    common.figure(f"saves {name} throughput", f"{accepted / elapsed:.1f} saves/s ({accepted} in {elapsed:.1f} s)", cond)
    common.figure(f"saves {name} latency (incl. retries)", common.summary_ms(latencies), cond)
    common.figure(
        f"saves {name} lost updates", f"{lost} (attempts {attempts}, stale and retried {attempts - accepted})", cond
    )
    return lost


def main(argv=None):
    parser = argparse.ArgumentParser(prog="bench/concurrency.py")
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--saves", type=int, default=10)
    parser.add_argument("--experts", type=int, default=500)
    parser.add_argument("--reviews", type=int, default=50)
    common.pg_flag(parser)
    args = parser.parse_args(argv)
    common.setup(args.pg, name=args.data)
    generate.run(experts=args.experts, reviews=args.reviews)
    from consultations.opinions.models import Opinion

    ids = list(
        Opinion.objects.filter(review__plan__title__startswith="BENCH plan", submitted_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[: args.writers]
    )
    lost = round_("shared (one opinion)", [ids[0]] * args.writers, args.writers, args.saves)
    lost += round_("spread (one opinion each)", ids, min(args.writers, len(ids)), args.saves)
    sys.exit(1 if lost else 0)


if __name__ == "__main__":
    main()
