"""Live fan-out through real ASGI servers and Redis: N sockets of N different users on one review's
channel, several server arrangements side by side in one run.

    flock /tmp/bench.lock .venv/bin/python bench/fanout.py --clients 1000 [--saves 20]
        [--variants core-daphne1-socket pubsub-daphne2 ...] [--profile DIR]

Needs PostgreSQL and Redis (server, writer and clients are separate processes): always the
``--pg`` stack. A variant is a channel layer (``CHANNEL_LAYER=core``: channels_redis's list layer,
today's; ``pubsub``: ``RedisPubSubChannelLayer``) and a server: ``daphneK`` is K daphne processes
on one listening socket (the parent binds it, each gets it with ``--fd``), ``uvicornK`` is
``uvicorn --workers K``; a third part ``-socket`` makes every socket a member of the review's
group (``LIVE_FANOUT=socket``: today's design, a copy of each message per socket) instead of one
member per server process handing each message, encoded once, to its own sockets (``core.fanout``,
the default). ``--profile DIR`` records each server process with py-spy (raw stacks, the join and
the saves apart). For each variant the benchmark

1. starts the server(s) and waits for the port;
2. starts ``--client-procs`` client processes (the ``websockets`` library, asyncio) that open the
   N sockets on ``/ws/reviews/{id}/``, 25 at a time per process, each socket with its own
   commission member's session: join time = until every handshake answered;
3. waits until every socket's latest ``presence`` event lists all N users (the true list, as the
   event log says it); a socket that never gets it by the deadline counts as a presence update
   lost, and so does every ``seq`` gap;
4. saves one expert's opinion ``--saves`` times through ``consultations.opinions.services.save_opinion``
   0.2 s apart, stamping the wall clock in an ``on_commit`` hook registered before the service's
   own; commit -> receipt over all (socket, save) pairs, ``opinion.saved`` lost = N x saves -
   received;
5. reports the servers' RSS growth per socket and the client processes' CPU (a client near 100%
   of a core would be the bottleneck, not the server).
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

BATCH = 25  # sockets opening at once, per client process
VARIANTS = ["core-daphne1-socket", "pubsub-daphne2-socket", "core-daphne1", "core-daphne2", "pubsub-daphne1",
            "pubsub-daphne2", "pubsub-daphne3", "pubsub-uvicorn2"]  # fmt: skip
TICK = os.sysconf("SC_CLK_TCK")


def proc_stat(pid):
    """(RSS KiB, CPU seconds) of a process."""
    try:
        rss = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                   if line.startswith("VmRSS:"))  # fmt: skip
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return rss, (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, StopIteration):
        return 0, 0.0


def children(pid):
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def load():
    return os.getloadavg()[0]


# ------------------------------------------------------------------ client process


async def client_main(url, cookies, saves, origin, everyone):
    import websockets

    count = len(cookies)
    received = [[] for _ in range(count)]
    seqs = [[] for _ in range(count)]
    latest = [None] * count  # the users of the latest presence event (by seq) each socket had
    done = asyncio.Event()
    started = time.perf_counter()

    async def one(index, ws):
        async for raw in ws:
            now = time.time()
            message = json.loads(raw)
            seq = message.get("seq") or 0
            if message.get("type") == "presence" and seq >= max(seqs[index] or [0]):
                latest[index] = len(message["users"])
            seqs[index].append(seq)
            if message.get("type") == "opinion.saved":
                received[index].append((message["version"], now))
                if sum(map(len, received)) >= count * saves:
                    done.set()

    sockets, tasks, refused = [], [], 0

    async def open_one(index):
        nonlocal refused
        try:
            ws = await websockets.connect(url, additional_headers={"Cookie": cookies[index]}, origin=origin,
                                          open_timeout=60, max_queue=None)  # fmt: skip
        except (OSError, TimeoutError, websockets.exceptions.WebSocketException):
            refused += 1
            return
        sockets.append(ws)
        tasks.append(asyncio.create_task(one(index, ws)))

    for first in range(0, count, BATCH):
        await asyncio.gather(*(open_one(i) for i in range(first, min(count, first + BATCH))))
    connected = time.perf_counter() - started
    print(json.dumps({"connected": len(sockets), "refused": refused, "connect_s": connected}), flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.readline)  # every client process is connected
    while time.perf_counter() - started < connected + 60 and any(n != everyone for n in latest):
        await asyncio.sleep(0.1)
    settled = time.perf_counter() - started
    print(json.dumps({"settled_s": settled, "without_full_list": sum(n != everyone for n in latest)}), flush=True)
    line = await loop.run_in_executor(None, sys.stdin.readline)  # saves done: how long to wait
    try:
        await asyncio.wait_for(done.wait(), timeout=float(line.strip() or 10))
    except TimeoutError:
        pass
    gaps = sum(max(s) - min(s) + 1 - len(set(s)) for s in seqs if s)  # missing, not merely reordered
    print(json.dumps({"received": received, "gaps": gaps}), flush=True)
    for ws in sockets:
        await ws.close()


# ------------------------------------------------------------------ servers


def start_servers(variant, port, log):
    """The variant's server processes on ``port``: (Popen list, pids to measure)."""
    layer, server, *per_socket = variant.split("-")
    env = {**os.environ, "CHANNEL_LAYER": layer, "LIVE_FANOUT": "socket" if per_socket else "process"}
    bin_dir = Path(sys.executable).parent
    if server.startswith("uvicorn"):
        cmd = [str(bin_dir / "uvicorn"), "config.asgi:application", "--host", "127.0.0.1", "--port", str(port),
               "--workers", server[len("uvicorn"):], "--ws", "websockets", "--log-level", "warning"]  # fmt: skip
        return [subprocess.Popen(cmd, cwd=common.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)]
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(4096)
    fd = listener.fileno()
    procs = [
        subprocess.Popen(
            [str(bin_dir / "daphne"), "--fd", str(fd), "--websocket_connect_timeout", "60", "config.asgi:application"],
            cwd=common.ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=[fd],
        )  # fmt: skip
        for _ in range(int(server[len("daphne") :]))
    ]
    listener.close()
    return procs


def server_pids(procs):
    pids = []
    for proc in procs:
        workers = children(proc.pid)
        pids.extend(workers if workers else [proc.pid])
    return pids


def stop(procs):
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:  # still closing a thousand sockets
            proc.kill()
            proc.wait()


def stop_spies(spies):
    for spy in spies:
        spy.send_signal(2)  # SIGINT: py-spy writes what it sampled
    for spy in spies:
        spy.wait(timeout=60)


def wait_for_port(port):
    """Until the server answers HTTP (a listening socket handed over with --fd accepts TCP at once)."""
    import urllib.error
    import urllib.request

    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("server did not start")


# ------------------------------------------------------------------ bench process


def start_clients(url, cookies, saves, procs):
    share = -(-len(cookies) // procs)
    clients = []
    for n in range(procs):
        part = cookies[n * share : (n + 1) * share]
        clients.append(subprocess.Popen(
            [sys.executable, __file__, "--client", url, str(saves), url.replace("ws://", "http://").split("/ws/")[0],
             str(len(cookies))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        ))  # fmt: skip
        clients[-1].stdin.write(json.dumps(part) + "\n")
        clients[-1].stdin.flush()
    return clients


def tell(clients, line):
    for client in clients:
        client.stdin.write(line + "\n")
        client.stdin.flush()


def read_all(clients):
    return [json.loads(client.stdout.readline()) for client in clients]


def save_many(opinion, saves):
    from django.db import transaction

    from consultations.opinions import services

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
    return committed


def use_layer(layer):
    """The writer (this process) sends through the same layer as the variant's servers."""
    import importlib

    from channels.layers import channel_layers
    from django.conf import settings

    import config.settings

    os.environ["CHANNEL_LAYER"] = layer
    settings.CHANNEL_LAYERS = importlib.reload(config.settings).CHANNEL_LAYERS
    channel_layers.backends = {}


def profile(pids, out, phase):
    """``py-spy record`` (raw stacks) of each server process for one phase; ``stop`` ends them."""
    if not out:
        return []
    spy = Path(sys.executable).parent / "py-spy"
    return [subprocess.Popen([str(spy), "record", "--pid", str(pid), "--format", "raw", "--rate", "200",
                              "--nonblocking", "-o", f"{out}/{phase}-{pid}.txt"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for pid in pids]  # fmt: skip


def run_variant(variant, *, cookies, opinion, saves, client_procs, profile_dir=None):
    from consultations.opinions.models import Presence

    use_layer(variant.split("-")[0])
    Presence.objects.filter(review_id=opinion.review_id).delete()  # left by a server stopped mid-run
    port = _free_port()
    log = open(common.BENCH_VAR / f"fanout-{variant}.log", "w")
    procs = start_servers(variant, port, log)
    try:
        wait_for_port(port)
        time.sleep(3.0)  # every process of the variant up (they start together)
        pids = server_pids(procs)
        before = [proc_stat(pid) for pid in pids]
        spies = profile(pids, profile_dir, f"{variant}-join")
        url = f"ws://127.0.0.1:{port}/ws/reviews/{opinion.review_id}/"
        clients = start_clients(url, cookies, saves, client_procs)
        joined = read_all(clients)
        stop_spies(spies)
        tell(clients, "go")
        settled = read_all(clients)
        after = [proc_stat(pid) for pid in pids]
        client_cpu0 = [proc_stat(c.pid)[1] for c in clients]
        server_cpu0 = [proc_stat(pid)[1] for pid in pids]
        spies = profile(pids, profile_dir, f"{variant}-saves")
        t0 = time.perf_counter()
        committed = save_many(opinion, saves)
        tell(clients, "60")
        results = read_all(clients)
        elapsed = time.perf_counter() - t0
        stop_spies(spies)
        client_cpu = [proc_stat(c.pid)[1] - c0 for c, c0 in zip(clients, client_cpu0, strict=True)]
        server_cpu = sum(proc_stat(pid)[1] - c0 for pid, c0 in zip(pids, server_cpu0, strict=True))
        for client in clients:
            client.wait(timeout=120)
    finally:
        stop(procs)
    return report(variant, len(cookies), saves, joined=joined, settled=settled, results=results,
                  committed=committed, rss=(before, after), cpu=(client_cpu, server_cpu, elapsed))  # fmt: skip


def report(variant, count, saves, *, joined, settled, results, committed, rss, cpu):
    opened = sum(j["connected"] for j in joined)
    refused = sum(j["refused"] for j in joined)
    join_s = max(j["connect_s"] for j in joined)
    settle_s = max(s["settled_s"] for s in settled)
    latencies = [at - committed[v] for r in results for msgs in r["received"] for v, at in msgs if v in committed]
    lost = opened * saves - len(latencies)
    presence_lost = sum(s["without_full_list"] for s in settled) + refused
    gaps = sum(r["gaps"] for r in results)
    before, after = rss
    per_socket = (sum(a for a, _ in after) - sum(b for b, _ in before)) / max(opened, 1)
    client_cpu, server_cpu, elapsed = cpu
    p = {q: common.percentile(latencies, q) * 1000 for q in (50, 95, 99)} if latencies else {}
    row = {
        "variant": variant, "sockets": opened, "refused": refused, "join_s": round(join_s, 1),
        "presence_settled_s": round(settle_s, 1), "p50_ms": round(p.get(50, 0)), "p95_ms": round(p.get(95, 0)),
        "p99_ms": round(p.get(99, 0)), "saved_lost": lost, "presence_lost": presence_lost, "seq_gaps": gaps,
        "kib_per_socket": round(per_socket, 1),
        "client_cpu_pct": [round(100 * c / elapsed) for c in client_cpu],
        "server_cpu_pct": round(100 * server_cpu / elapsed), "load": round(load(), 1),
    }  # fmt: skip
    cond = f"{count} sockets ({count} users) on one review, {saves} saves, {variant}"
    common.figure(f"fan-out {variant}", json.dumps(row, ensure_ascii=False), cond)
    return row


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def watchers(count):
    """``count`` commission members (they see every review) and a session cookie for each."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from experts import roles

    users = get_user_model()
    group = Group.objects.get(name=roles.COMMISSION)
    existing = set(users.objects.filter(username__startswith="bench-watch-").values_list("username", flat=True))
    fresh = [users(username=f"bench-watch-{n}") for n in range(count) if f"bench-watch-{n}" not in existing]
    users.objects.bulk_create(fresh)
    chosen = list(users.objects.filter(username__in=[f"bench-watch-{n}" for n in range(count)]))
    group.user_set.add(*chosen)
    return [f"sessionid={common.signed_in(user).cookies['sessionid'].value}" for user in chosen]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="bench/fanout.py")
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--variants", nargs="+", default=VARIANTS)
    parser.add_argument("--client-procs", type=int, default=2)
    parser.add_argument("--experts", type=int, default=500)
    parser.add_argument("--reviews", type=int, default=50)
    parser.add_argument("--data", default="data", help="data set name (bench/common.py)")
    parser.add_argument("--profile", metavar="DIR", help="py-spy raw stacks of the servers, join and saves apart")
    args = parser.parse_args(argv)
    common.setup(True, name=args.data)
    from bench import generate
    from consultations.opinions.models import Opinion

    generate.run(experts=args.experts, reviews=args.reviews)
    opinion = Opinion.objects.filter(review__plan__title__startswith="BENCH plan", review__state="open").order_by(
        "pk").select_related("expert__user").first()  # fmt: skip
    cookies = watchers(args.clients)
    rows = [
        run_variant(
            v,
            cookies=cookies,
            opinion=opinion,
            saves=args.saves,
            client_procs=args.client_procs,
            profile_dir=args.profile,
        )  # fmt: skip
        for v in args.variants
    ]
    print(json.dumps(rows, ensure_ascii=False, indent=1))
    sys.exit(1 if any(r["saved_lost"] for r in rows) else 0)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        url, saves, origin, everyone = sys.argv[2:6]
        cookies = json.loads(sys.stdin.readline())
        asyncio.run(client_main(url, cookies, int(saves), origin, int(everyone)))
    else:
        main()
