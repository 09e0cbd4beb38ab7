"""Live fan-out through the real ASGI server and Redis: N sockets on one review's channel.

    .venv/bin/python bench/fanout.py --clients 10 100 1000 [--saves 20]

Needs PostgreSQL and Redis (the server, the writer and the clients are separate processes, so the
in-memory layer cannot carry the messages): always runs on the ``--pg`` stack. It

1. starts ``daphne`` (``config.asgi:application``) as a subprocess on a free port, with
   ``--websocket_connect_timeout 300``: daphne's default of 5 s drops the handshakes that wait
   longer during a join storm (see docs/benchmarks.md, "fan-out");
2. starts a client process (the ``websockets`` library, asyncio) that opens N sockets on
   ``/ws/reviews/{id}/`` with the secretariat's session cookie, 25 at a time, and prints ``ready``;
3. saves one expert's opinion ``--saves`` times through ``consultations.opinions.services.save_opinion``
   (a pause between saves), stamping the wall clock in an ``on_commit`` hook registered *before*
   the service's own, i.e. at the commit that precedes the broadcast;
4. collects, from every socket, each ``opinion.saved`` it received and when.

Each socket's join broadcasts a ``presence`` event to those already there (N joins, about N²/2
messages); the saves start once every socket has received the last join's event (its ``seq`` is
read from the review's event log), and the time that took is printed with the connect figure:
the saves measure the fan-out, not the join storm's queue. "seq gaps" counts the events a socket
never received between the first and the last it did (reordering is not a gap).

Prints p50/p95/p99 of commit-to-receipt over all (socket, save) pairs, the messages lost (expected
N x saves minus received: must be 0), gaps in ``seq``, and the server's RSS growth per
connection. The connect phase is timed too (each join broadcasts a ``presence`` event to the
sockets already there). Target (issue #10): p95 under 500 ms at 1,000 clients.
"""

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------ client process

BATCH = 25  # sockets opening at once


async def client_main(url, cookie, count, saves, origin):
    import websockets

    received = [[] for _ in range(count)]
    seqs = [[] for _ in range(count)]
    done = asyncio.Event()
    started = time.perf_counter()

    async def one(index, ws):
        async for raw in ws:
            now = time.time()
            message = json.loads(raw)
            seqs[index].append(message.get("seq") or 0)
            if message.get("type") == "opinion.saved":
                received[index].append((message["version"], now))
                if sum(map(len, received)) >= count * saves:
                    done.set()

    sockets, tasks, opened, refused = [], [], [], 0

    async def open_one(index):
        nonlocal refused
        try:
            ws = await websockets.connect(
                url, additional_headers={"Cookie": cookie}, origin=origin, open_timeout=300, max_queue=None
            )
        except (OSError, TimeoutError, websockets.exceptions.WebSocketException):
            refused += 1
            return
        sockets.append(ws)
        opened.append(index)
        tasks.append(asyncio.create_task(one(index, ws)))

    for first in range(0, count, BATCH):  # a meeting's sockets arrive together, not one by one
        await asyncio.gather(*(open_one(i) for i in range(first, min(count, first + BATCH))))
    connected = time.perf_counter() - started
    print(json.dumps({"connected": len(sockets)}), flush=True)
    loop = asyncio.get_running_loop()
    last_seq = int(await loop.run_in_executor(None, sys.stdin.readline))  # the joins' last event
    while time.perf_counter() - started < 900 and any(max(seqs[i] or [0]) < last_seq for i in opened):
        await asyncio.sleep(0.2)  # the join storm's presence events still arriving
    drained = time.perf_counter() - started - connected
    ready = {"ready": len(sockets), "refused": refused, "connect_s": connected, "drain_s": drained}
    print(json.dumps(ready), flush=True)
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)  # "saved" or timeout
    try:
        await asyncio.wait_for(done.wait(), timeout=float(line.strip() or 10))
    except TimeoutError:
        pass
    for ws in sockets:
        await ws.close()
    gaps = sum(max(s) - min(s) + 1 - len(set(s)) for s in seqs if s)  # missing, not merely reordered
    print(json.dumps({"received": received, "gaps": gaps}), flush=True)


# ------------------------------------------------------------------ bench process


def run_round(count, saves, *, opinion, cookie, port, server_pid):
    from django.db import transaction
    from django.db.models import Max

    from consultations.opinions import services
    from consultations.opinions.models import Presence
    from reviews.models import ReviewEvent

    url = f"ws://127.0.0.1:{port}/ws/reviews/{opinion.review_id}/"
    Presence.objects.filter(review_id=opinion.review_id).delete()  # left by a server stopped mid-run
    before = rss_kib(server_pid)
    client = subprocess.Popen(
        [sys.executable, __file__, "--client", url, cookie, str(count), str(saves), f"http://127.0.0.1:{port}"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    json.loads(client.stdout.readline())  # all sockets open
    last_seq = ReviewEvent.objects.filter(review_id=opinion.review_id).aggregate(m=Max("seq"))["m"] or 0
    client.stdin.write(f"{last_seq}\n")
    client.stdin.flush()
    ready = json.loads(client.stdout.readline())
    after = rss_kib(server_pid)
    committed = {}
    for _ in range(saves):
        opinion.refresh_from_db()
        stamp = {}
        with transaction.atomic():
            transaction.on_commit(lambda s=stamp: s.setdefault("at", time.time()))
            saved = services.save_opinion(
                opinion, by=opinion.expert.user, data={"summary": f"扇出测试{time.time_ns()}"},
                expected_version=opinion.version,
            )  # fmt: skip
        committed[saved.version] = stamp["at"]
        time.sleep(0.2)
    client.stdin.write("60\n")
    client.stdin.flush()
    result = json.loads(client.stdout.readline())
    client.wait(timeout=120)
    latencies = [at - committed[v] for socket_msgs in result["received"] for v, at in socket_msgs if v in committed]
    lost = ready["ready"] * saves - len(latencies)
    cond = f"{count} clients on one review channel, {saves} saves, daphne 1 process"
    common.figure(
        f"fan-out {count} connect",
        f"{ready['connect_s']:.1f} s for the sockets to open ({ready['ready']} open, {ready['refused']} refused), "
        f"then {ready['drain_s']:.1f} s until every socket had the joins' last presence event", cond,
    )  # fmt: skip
    if latencies:
        p = {q: common.percentile(latencies, q) * 1000 for q in (50, 95, 99)}
        verdict = "" if count < 1000 else f" (target p95 < 500 ms: {'met' if p[95] < 500 else 'NOT met'})"
        common.figure(
            f"fan-out {count} commit-to-receipt",
            f"p50 {p[50]:.1f} ms, p95 {p[95]:.1f} ms, p99 {p[99]:.1f} ms{verdict}", cond,
        )  # fmt: skip
    common.figure(f"fan-out {count} lost", f"{lost} messages lost, {result['gaps']} seq gaps", cond)
    common.figure(f"fan-out {count} memory", f"{(after - before) / count:.1f} KiB server RSS per connection", cond)
    return lost


def main(argv=None):
    parser = argparse.ArgumentParser(prog="bench/fanout.py")
    parser.add_argument("--clients", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--experts", type=int, default=500)
    parser.add_argument("--reviews", type=int, default=50)
    parser.add_argument("--data", default="data", help="data set name (bench/common.py)")
    args = parser.parse_args(argv)
    common.setup(True, name=args.data)
    from django.contrib.auth import get_user_model

    from bench import generate
    from consultations.opinions.models import Opinion

    generate.run(experts=args.experts, reviews=args.reviews)
    opinion = Opinion.objects.filter(review__plan__title__startswith="BENCH plan", review__state="open").order_by(
        "pk").select_related("expert__user").first()  # fmt: skip
    browser = common.signed_in(get_user_model().objects.get(username="bench-secretariat"))
    cookie = f"sessionid={browser.cookies['sessionid'].value}"
    port = free_port()
    log = open(common.BENCH_VAR / "fanout-daphne.log", "w")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "daphne"), "-b", "127.0.0.1", "-p", str(port),
         "--websocket_connect_timeout", "300", "config.asgi:application"],
        cwd=common.ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        lost = sum(
            run_round(n, args.saves, opinion=opinion, cookie=cookie, port=port, server_pid=server.pid)
            for n in args.clients
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # still closing a thousand sockets
            server.kill()
            server.wait()
    sys.exit(1 if lost else 0)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        url, cookie, count, saves, origin = sys.argv[2:7]
        asyncio.run(client_main(url, cookie, int(count), int(saves), origin))
    else:
        main()
