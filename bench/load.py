"""Load test of the whole system: Locust against a production-configured server, in steps.

    .venv/bin/python bench/load.py                        # steps of 5, 10, 20 users, 20 s each
    .venv/bin/python bench/load.py --users 5 10 20 40 80 --seconds 30 --workers 2

What ``make run`` serves, configured for production: ``DJANGO_DEBUG=0`` (manifest static files
through WhiteNoise, cached templates), PostgreSQL (``wb_bench``), Redis for the channel layer and
the cache, and several ASGI worker processes: ``uvicorn --workers N config.asgi:application``
(daphne has no workers option; uvicorn is pinned in bench/requirements.txt), over HTTPS with a
self-signed certificate (the production settings mark cookies Secure). The data is the
generator's, plus ``load_demo`` for the public site's pages.

Each step is one headless Locust run (bench/locustfile.py: experts, the commission and public
readers, 6:2:12) at a fixed number of users; the line printed per step gives the throughput,
the median and p95 over all requests, the same without the sign-ins (each a deliberate password
hash, and every user signs in at the start of a short step) and the failures. The last line
names the first step whose p95 without sign-ins passed 300 ms (issue #10: "throughput and p95
at the point where p95 passes 300 ms").
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


def step(binary, port, users, seconds, data_path):
    prefix = common.BENCH_VAR / f"locust-{users}"
    subprocess.run(
        [str(binary), "-f", str(common.ROOT / "bench/locustfile.py"), "--headless", "-u", str(users),
         "-r", str(max(1, users // 2)), "-t", f"{seconds}s", "--host", f"https://127.0.0.1:{port}",
         "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"],
        env={**os.environ, "BENCH_LOCUST_USERS": str(data_path), "BENCH_LOCUST_TIMES": f"{prefix}_times.json"},
        check=False,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    with open(f"{prefix}_stats.csv") as f:
        rows = list(csv.DictReader(f))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    worst = max((r for r in rows if r["Name"] != "Aggregated"), key=lambda r: float(r["95%"] or 0))
    times = json.loads(Path(f"{prefix}_times.json").read_text()) or [0]
    return {
        "p95_no_signin": common.percentile(times, 95),
        "median_no_signin": common.percentile(times, 50),
        "rps": float(total["Requests/s"]),
        "median": float(total["50%"] or 0),
        "p95": float(total["95%"] or 0),
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "worst": f"{worst['Type']} {worst['Name']} p95 {worst['95%']} ms",
    }


def main(argv=None):
    parser = argparse.ArgumentParser(prog="bench/load.py")
    parser.add_argument("--users", type=int, nargs="+", default=[5, 10, 20])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
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
    crossed = None
    try:
        for users in args.users:
            r = step(binary, port, users, args.seconds, data_path)
            cond = f"{users} users (expert:commission:public 6:2:12), {args.seconds} s, uvicorn x{args.workers} workers"
            cond += f", public pages without {' '.join(args.without)}" if args.without else ""
            common.figure(
                f"load {users} users",
                f"{r['rps']:.1f} req/s, median {r['median']:.0f} ms, p95 {r['p95']:.0f} ms; without sign-ins median "
                f"{r['median_no_signin']:.0f} ms, p95 {r['p95_no_signin']:.0f} ms; {r['requests']} requests, "
                f"{r['failures']} failures; slowest: {r['worst']}", cond,
            )  # fmt: skip
            if crossed is None and r["p95_no_signin"] > 300:
                crossed = (users, r)
    finally:
        server.terminate()
        server.wait(timeout=60)
    if crossed:
        users, r = crossed
        common.figure(
            "load p95 (without sign-ins) passes 300 ms",
            f"at {users} users: {r['rps']:.1f} req/s, p95 {r['p95_no_signin']:.0f} ms "
            f"(with sign-ins {r['p95']:.0f} ms)",
        )
    else:
        common.figure("load p95 (without sign-ins) passes 300 ms", f"not within {args.users[-1]} users")


if __name__ == "__main__":
    main()
