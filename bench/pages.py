"""Pages and endpoints at scale: median and p95 server time and the query count.

    .venv/bin/python bench/pages.py --experts 5000 --reviews 500 [--pg] [--repeat 30]

Generates (or reuses) the data with bench/generate.py, then requests each page in-process with
Django's test Client (server time: URL resolution, middleware, view, template or serializer; no
network, no browser), ``--repeat`` times after one warm-up request, and counts the queries of one
request. Each list is requested at two lengths (1 row and many) so a count that grows with the
list shows. Beside the wall-clock figures, the median CPU time of this process per request: on a
machine shared with other work the wall clock includes waiting for a core, the CPU time does not
(PostgreSQL's own work is in neither, SQLite's is in both). Target (issue #10): p95 under 300 ms;
the roster search (issue #16) under 100 ms. ``--baseline`` runs the search as it was before its
index, for figures side by side:

    flock /tmp/bench.lock .venv/bin/python bench/pages.py --experts 50000 --only-roster --pg --only search [--baseline]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

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


def search_cases(sample, client):
    """The roster search through the API, one case per kind of query (issue #16: names,
    pinyin initials, employers, specialties), on a generated expert from mid-roster."""
    tags = sample.specialties.split(",")
    queries = [
        (sample.name_initials, "pinyin initials"),
        (sample.name_initials[:2], "pinyin initials, 2 letters"),
        (sample.name[:1], "name, a surname"),
        (sample.name[:2], "name, 2 characters"),
        (sample.name, "name, whole"),
        (sample.employer.name, "employer"),
        (tags[0][:2], "specialty, 2 characters"),
        (tags[0], "specialty, a whole tag"),
    ]
    return [
        (f"roster API search ?q={query} ({kind})", client, f"/api/v1/experts/?{urlencode({'q': query})}&page_size=50")
        for query, kind in queries
    ]


def explain(client, url, headers):
    """``--explain``: PostgreSQL's plan, as run, of each query of one request that searches."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(url, **headers)
    for query in queries.captured_queries:
        if "search_" in query["sql"] or "UPPER(" in query["sql"]:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + query["sql"])
                print("\n".join(row[0] for row in cursor.fetchall()), end="\n\n", flush=True)


def baseline():
    """``--baseline``: the search's own conditions without the indexed narrowing, as it ran
    before (issue #16), for figures side by side on the same data and the same machine."""
    from django.db.models import Q

    from experts import selectors

    selectors.search_narrowing = lambda query: Q()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="bench/pages.py")
    parser.add_argument("--experts", type=int, default=500)
    parser.add_argument("--reviews", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--only", default="", help="run the cases whose name contains this text")
    parser.add_argument("--only-roster", action="store_true", help="roster list and search only (50,000 run)")
    parser.add_argument("--baseline", action="store_true", help="the roster search without its index (as before)")
    parser.add_argument("--explain", action="store_true", help="print the plans of the search queries (PostgreSQL)")
    common.pg_flag(parser)
    args = parser.parse_args(argv)
    common.setup(args.pg, name=args.data)
    generate.run(experts=args.experts, reviews=0 if args.only_roster else args.reviews)
    if args.baseline:
        baseline()
    from experts.models import Expert
    from reviews.models import Review

    c = clients()
    sec, com = c["secretariat"], c["commission"]
    (busy, busy_n), (single, _) = c["busy"], c["single"]
    en = {"HTTP_ACCEPT_LANGUAGE": "en"}
    total = Expert.objects.count()
    sample = Expert.objects.filter(key__startswith="BENCH-").select_related("employer").order_by("pk")[total // 2]
    cases = [
        ("roster API, page of 1", sec, "/api/v1/experts/?page_size=1"),
        ("roster API, page of 50", sec, "/api/v1/experts/?page_size=50"),
        ("roster API, page of 200", sec, "/api/v1/experts/?page_size=200"),
        *search_cases(sample, sec),
        ("Wagtail roster listing, page 1 of 50", sec, "/admin/experts/expert/"),
        (f"Wagtail roster search ?q={sample.name[:1]}", sec, f"/admin/experts/expert/?q={sample.name[:1]}"),
        (f"Wagtail roster search ?q={sample.name[:2]}", sec, f"/admin/experts/expert/?q={sample.name[:2]}"),
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
    worst = worst_search = 0
    for name, client, url in cases:
        if args.only not in name:
            continue
        if args.explain:
            print(f"--- {name}: {url}", flush=True)
            explain(client, url, en)
        times, queries, cpu = timed(client, url, args.repeat, en)
        worst = max(worst, common.percentile(times, 95))
        if "roster API search" in name:
            worst_search = max(worst_search, common.percentile(times, 95))
        summary = f"{common.summary_ms(times)}, {queries} queries, Python CPU median {cpu * 1000:.1f} ms"
        common.figure(f"page {name}", summary, size)
    if worst_search:
        verdict = "met" if worst_search < 0.1 else "NOT met"
        common.figure("roster search worst p95", f"{worst_search * 1000:.1f} ms (target < 100 ms: {verdict})", size)
    verdict = "met" if worst < 0.3 else "NOT met"
    common.figure("pages worst p95", f"{worst * 1000:.1f} ms (target < 300 ms: {verdict})", size)


if __name__ == "__main__":
    main()
