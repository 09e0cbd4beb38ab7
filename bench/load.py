"""Load test of the whole system: Locust against a production-configured server, in steps.

    .venv/bin/python bench/load.py                        # steps of 10, 20, 40, 60, 80 users, 30 s each
    .venv/bin/python bench/load.py --users 20 40 --seconds 60 --workers 2 --data full --experts 5000 --reviews 500

What ``make run`` serves, configured for production: ``DJANGO_DEBUG=0`` (manifest static files
through WhiteNoise, cached templates), PostgreSQL (``wb_bench``), Redis for the channel layer and
the cache, and several ASGI worker processes: ``uvicorn --workers N config.asgi:application``
(daphne has no workers option; uvicorn is pinned in bench/requirements.txt), over HTTPS with a
self-signed certificate (the production settings mark cookies Secure). The data is the
generator's, plus ``load_demo`` for the public site's pages.

Each step is one headless Locust run (bench/locustfile.py: experts, the commission and public
readers, 6:2:12) at a fixed number of users; the line printed per step gives the throughput,
the median and p95 over all requests, the same without the sign-ins (each a deliberate password
hash, and every user signs in at the start of a short step: reported apart, with the p95 of the
requests that began after the last sign-in) and the failures. The last line names the largest
step whose p95 without sign-ins stayed under 300 ms (issue #16: at least 40 users).
Locust lives in ``var/bench/locust-venv`` (created on first use from bench/requirements-locust.txt).
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common, generate

LOCUST_VENV = common.BENCH_VAR / "locust-venv"


def locust_binary():
    binary = LOCUST_VENV / "bin" / "locust"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(LOCUST_VENV)], check=True)
        pip, requirements = LOCUST_VENV / "bin" / "pip", common.ROOT / "bench/requirements-locust.txt"
        subprocess.run([str(pip), "install", "-q", "-r", str(requirements)], check=True)
    return binary


def users_file(without=()):
    """The accounts and ids the Locust users may use, from the benchmark database."""
    from django.db.models import Count
    from wagtail.models import Page

    from experts.models import Expert
    from reviews.models import Review

    experts = Expert.objects.filter(key__startswith="BENCH-", assignments__review__state="open")
    experts = experts.annotate(n=Count("assignments")).select_related("user").order_by("-n", "pk")[:200]
    data = {
        "password": generate.PASSWORD,
        "experts": [
            {
                "username": e.user.username,
                "reviews": list(e.assignments.filter(review__state="open").values_list("review_id", flat=True)),
            }
            for e in experts
        ],
        "commission": "bench-commission",
        "showcase": Review.objects.get(plan__title=generate.SHOWCASE).pk,
        "surnames": list("王李张刘陈杨赵黄周吴"),
        "public_pages": [
            p.url for p in Page.objects.live().filter(depth__gte=3).specific()[:30] if p.url and p.url not in without
        ]
        or ["/"],
    }
    path = common.BENCH_VAR / "locust-users.json"
    path.write_text(json.dumps(data, ensure_ascii=False))
    return path


def certificate():
    """A self-signed certificate for 127.0.0.1: production settings mark cookies Secure, so the
    load test speaks HTTPS as browsers would."""
    folder = common.BENCH_VAR / "tls"
    key, cert = folder / "key.pem", folder / "cert.pem"
    if not cert.exists():
        folder.mkdir(exist_ok=True)
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "365", "-subj", "/CN=127.0.0.1",
             "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True,
        )  # fmt: skip
    return key, cert


def start_server(port, workers):
    key, cert = certificate()
    log = open(common.BENCH_VAR / "load-server.log", "w")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "uvicorn"), "config.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers), "--no-access-log", "--log-level", "warning",
         "--ssl-keyfile", str(key), "--ssl-certfile", str(cert)],
        cwd=common.ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    import ssl
    import urllib.request

    unverified = ssl._create_unverified_context()  # noqa: S323 - our own self-signed certificate
    for _ in range(300):
        try:
            urllib.request.urlopen(f"https://127.0.0.1:{port}/accounts/login/", timeout=2, context=unverified)
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("the server did not answer within 150 s: see var/bench/load-server.log")


def step(binary, port, users, seconds, data_path, spawn_rate):
    prefix = common.BENCH_VAR / f"locust-{users}"
    subprocess.run(
        [str(binary), "-f", str(common.ROOT / "bench/locustfile.py"), "--headless", "-u", str(users),
         "-r", str(spawn_rate), "-t", f"{seconds}s", "--host", f"https://127.0.0.1:{port}",
         "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
        env={**os.environ, "BENCH_LOCUST_USERS": str(data_path), "BENCH_LOCUST_TIMES": f"{prefix}_times.json"},
        check=False,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    with open(f"{prefix}_stats.csv") as f:
        rows = list(csv.DictReader(f))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    others = [r for r in rows if r["Name"] != "Aggregated" and not r["Name"].startswith("/accounts/login/")]
    worst = max(others, key=lambda r: float(r["95%"] or 0))
    times = json.loads(Path(f"{prefix}_times.json").read_text())
    requests, signins = times["requests"] or [[0, 0, False, ""]], times["signins"]
    posts = [ms for _t, ms, _failed, name in signins if name.endswith("(POST)")] or [0]
    # After the last sign-in has been answered: every user is in, no password is being hashed.
    settled = max((t for t, *_rest in signins), default=0)
    steady = [ms for t, ms, *_rest in requests if t - ms / 1000 >= settled] or [0]
    return {
        "rps": float(total["Requests/s"]),
        "requests": len(times["requests"]),
        "failures": sum(1 for r in times["requests"] if r[2]),
        "median": common.percentile([r[1] for r in requests], 50),
        "p95": common.percentile([r[1] for r in requests], 95),
        "p99": common.percentile([r[1] for r in requests], 99),
        "steady_p95": common.percentile(steady, 95),
        "steady_n": len(steady),
        "settled": settled,
        "signins": len(posts) if signins else 0,
        "signin_failures": sum(1 for r in signins if r[2]),
        "signin_median": common.percentile(posts, 50),
        "signin_p95": common.percentile(posts, 95),
        "worst": f"{worst['Name']} p95 {worst['95%']} ms",
    }


def report(users, r, args):
    cond = f"{users} users (expert:commission:public 6:2:12), {args.seconds} s, spawn {spawn(users, args)}/s"
    cond += f", uvicorn --workers {args.workers}"
    cond += f", public pages without {' '.join(args.without)}" if args.without else ", /members/ in the mix"
    common.figure(
        f"load {users} users",
        f"{r['rps']:.1f} req/s; without sign-ins: median {r['median']:.0f} ms, p95 {r['p95']:.0f} ms, "
        f"p99 {r['p99']:.0f} ms, {r['requests']} requests, {r['failures']} failures; after the last sign-in "
        f"(from {r['settled']:.0f} s): p95 {r['steady_p95']:.0f} ms of {r['steady_n']}; sign-ins: {r['signins']}, "
        f"median {r['signin_median']:.0f} ms, p95 {r['signin_p95']:.0f} ms, {r['signin_failures']} failures; "
        f"slowest: {r['worst']}", cond,
    )  # fmt: skip


def spawn(users, args):
    return args.spawn_rate or max(1, users // 2)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="bench/load.py")
    parser.add_argument("--users", type=int, nargs="+", default=[10, 20, 40, 60, 80])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--spawn-rate", type=float, default=0, help="users started a second (default: all in 2 s)")
    parser.add_argument("--without", nargs="*", default=[], help="public pages the readers leave out, e.g. /members/")
    parser.add_argument("--experts", type=int, default=500)
    parser.add_argument("--reviews", type=int, default=50)
    parser.add_argument("--data", default="data", help="data set name (bench/common.py)")
    args = parser.parse_args(argv)
    common.setup(True, name=args.data)
    from django.core.management import call_command

    generate.run(experts=args.experts, reviews=args.reviews)
    with open(common.BENCH_VAR / "load-demo.log", "w") as log, redirect_stdout(log), redirect_stderr(log):
        call_command("load_demo", verbosity=0)  # the public site's pages (idempotent)
    data_path = users_file(without=args.without)
    binary = locust_binary()
    port = 8100 + os.getpid() % 500
    server = start_server(port, args.workers)
    passed = []
    try:
        # Warm both workers (imports, templates, the planner's caches) with an unmeasured step.
        step(binary, port, 10, 15, data_path, 5)
        for users in args.users:
            r = step(binary, port, users, args.seconds, data_path, spawn(users, args))
            report(users, r, args)
            if r["p95"] < 300:
                passed.append(users)
    finally:
        server.terminate()
        server.wait(timeout=60)
    best = max(passed, default=None)
    common.figure(
        "load: the most users with p95 (without sign-ins) under 300 ms",
        f"{best} users" if best else f"none of {' '.join(map(str, args.users))}",
    )


if __name__ == "__main__":
    main()
