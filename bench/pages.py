"""Pages and endpoints at scale: median and p95 server time and the query count.

    .venv/bin/python bench/pages.py --experts 5000 --reviews 500 [--pg] [--repeat 30]

Generates (or reuses) the data with bench/generate.py, then requests each page in-process with
Django's test Client (server time: URL resolution, middleware, view, template or serializer; no
network, no browser), ``--repeat`` times after one warm-up request, and counts the queries of one
request. Each list is requested at two lengths (1 row and many) so a count that grows with the
list shows. Beside the wall-clock figures, the median CPU time of this process per request: on a
machine shared with other work the wall clock includes waiting for a core, the CPU time does not
(PostgreSQL's own work is in neither, SQLite's is in both). Target (issue #10): p95 under 300 ms.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common, generate


def timed(client, url, repeat, headers):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    reset_queries()  # the request resets the log at its start: count from an empty one
    with CaptureQueriesContext(connection) as queries:
        client.get(url, **headers)
    count = len(queries)  # read now: the log is a window that the next request clears
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(url, **headers)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return times, count, statistics.median(cpu)


def clients():
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from experts.models import Expert

    User = get_user_model()
    signed_in = common.signed_in

    busy = (
        Expert.objects.filter(key__startswith="BENCH-")
        .annotate(n=Count("assignments"))
        .order_by("-n", "pk")
        .select_related("user")
        .first()
    )
    single = (
        Expert.objects.filter(key__startswith="BENCH-")
        .annotate(n=Count("assignments"))
        .filter(n=1)
        .select_related("user")
        .first()
    )
    return {
        "secretariat": signed_in(User.objects.get(username="bench-secretariat")),
        "commission": signed_in(User.objects.get(username="bench-commission")),
        "busy": (signed_in(busy.user), busy.n) if busy and busy.n else (None, 0),  # none when --only-roster
        "single": (signed_in(single.user), single.n) if single else (None, 0),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(prog="bench/pages.py")
    parser.add_argument("--experts", type=int, default=500)
    parser.add_argument("--reviews", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--only", default="", help="run the cases whose name contains this text")
    parser.add_argument("--only-roster", action="store_true", help="roster list and search only (50,000 run)")
    common.pg_flag(parser)
    args = parser.parse_args(argv)
    common.setup(args.pg, name=args.data)
    generate.run(experts=args.experts, reviews=0 if args.only_roster else args.reviews)
    from experts.models import Expert
    from reviews.models import Review

    c = clients()
    sec, com = c["secretariat"], c["commission"]
    (busy, busy_n), (single, _) = c["busy"], c["single"]
    en = {"HTTP_ACCEPT_LANGUAGE": "en"}
    total = Expert.objects.count()
    sample = Expert.objects.filter(key__startswith="BENCH-").order_by("pk")[total // 2]
    initials, surname = sample.name_initials, sample.name[:1]
    cases = [
        ("roster API, page of 1", sec, "/api/v1/experts/?page_size=1"),
        ("roster API, page of 50", sec, "/api/v1/experts/?page_size=50"),
        ("roster API, page of 200", sec, "/api/v1/experts/?page_size=200"),
        (f"roster API search ?q={initials} (pinyin initials)", sec, f"/api/v1/experts/?q={initials}&page_size=50"),
        (f"roster API search ?q={surname} (name)", sec, f"/api/v1/experts/?q={surname}&page_size=50"),
        ("Wagtail roster listing, page 1 of 50", sec, "/admin/experts/expert/"),
        (f"Wagtail roster search ?q={surname}", sec, f"/admin/experts/expert/?q={surname}"),
    ]
    if not args.only_roster:
        showcase = Review.objects.get(plan__title=generate.SHOWCASE)
        bulk = Review.objects.filter(plan__title__startswith="BENCH plan").order_by("pk").first()
        cases += [
            ("task list API ?mine=1, expert with 1 seat", single, "/api/v1/assignments/?mine=1"),
            (f"task list API ?mine=1, expert with {busy_n} seats", busy, "/api/v1/assignments/?mine=1"),
            ("portal home, expert with 1 seat", single, "/portal/"),
            (f"portal home, expert with {busy_n} seats", busy, "/portal/"),
            ("review board (5 opinions x 10 versions)", sec, f"/portal/reviews/{bulk.pk}/board/"),
            ("review board, showcase (5 x 10 points)", sec, f"/portal/reviews/{showcase.pk}/board/"),
            ("consolidation view, 50 points", com, f"/portal/reviews/{showcase.pk}/consolidation/"),
            ("consolidation API, 50 points", com, f"/api/v1/reviews/{showcase.pk}/consolidation/"),
            ("reviews API, page of 50", sec, "/api/v1/reviews/?page_size=50"),
        ]
    size = f"{total} experts, {Review.objects.count()} reviews"
    worst = 0
    for name, client, url in cases:
        if args.only not in name:
            continue
        times, queries, cpu = timed(client, url, args.repeat, en)
        worst = max(worst, common.percentile(times, 95))
        summary = f"{common.summary_ms(times)}, {queries} queries, Python CPU median {cpu * 1000:.1f} ms"
        common.figure(f"page {name}", summary, size)
    verdict = "met" if worst < 0.3 else "NOT met"
    common.figure("pages worst p95", f"{worst * 1000:.1f} ms (target < 300 ms: {verdict})", size)


if __name__ == "__main__":
    main()
