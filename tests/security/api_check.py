"""``make api-check``: Schemathesis against the schema a real server serves (docs/api.md, section 5).

A daphne on a free port serves the demo (as ``make run`` does, in a var directory of its own);
the Schemathesis CLI runs every check (its default: all of them, with the exemptions of
``schema_exemptions.POSITIVE_EXEMPT`` written to a config file) against ``/api/schema/`` as an expert and as the
secretariat, with two seeds, 30 examples per operation. ``DELETE /auth/token/`` is left out (it
would revoke the token the run uses; the test suite fuzzes it anonymously). Text without the
NUL character: Django refuses it in every text field (400), which the schema does not say.
The two callers run side by side for each seed (one generates its cases while the server answers
the other's). Exit 1 when Schemathesis found anything; the Schemathesis run itself is timed.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tests.security.schema_exemptions import POSITIVE_EXEMPT

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SEEDS = (20261207, 1)
EXAMPLES = os.environ.get("SCHEMATHESIS_EXAMPLES", "30")
PHASES = os.environ.get("SCHEMATHESIS_PHASES", "examples,fuzzing")
# A review's archive renders three PDFs in the request: 3-5 s alone, past Schemathesis's default
# 10 s on a loaded two-core machine (CI, 2026-12-07). A slow answer is not a schema finding.
REQUEST_TIMEOUT = "60"


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def post_json(url, body):
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})  # noqa: S310 (ours)
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (http://127.0.0.1)
        return json.load(response)


def wait_for(url):
    for _ in range(600):
        try:
            urllib.request.urlopen(url, timeout=5).close()  # noqa: S310 (http://127.0.0.1)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"no answer from {url}")


def tokens(env, base):
    password = os.environ.get("DEMO_PASSWORD", "").strip()
    password = password or (Path(env["DJANGO_VAR_DIR"]) / "demo_password.txt").read_text().strip()
    code = subprocess.run(
        [sys.executable, "manage.py", "demo_code"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.split()[-1]
    url = f"{base}/api/v1/auth/token/"
    return {
        "expert": post_json(url, {"username": "expert01", "password": password})["token"],
        "secretariat": post_json(url, {"username": "secretariat", "password": password, "otp": code})["token"],
    }


def config_file(var):
    """The operations where a schema-valid request may rightly be refused (``POSITIVE_EXEMPT``)."""
    sections = [
        f'[[operations]]\ninclude-name = "{label}"\nchecks.positive_data_acceptance.enabled = false\n'
        for label in POSITIVE_EXEMPT
    ]
    path = var / "schemathesis.toml"
    path.write_text("\n".join(sections))
    return path


def schemathesis(base, token, seed, report):
    """Start one Schemathesis run; its output goes to a file beside its report."""
    command = [
        str(BIN / "st"), "--config-file", str(report.parent / "schemathesis.toml"),
        "run", f"{base}/api/schema/?format=json",
        "-H", f"Authorization: Bearer {token}", "-H", "Accept-Language: en",
        "--phases", PHASES, "-n", EXAMPLES, "--seed", str(seed),
        "--exclude-operation-id", "auth_token_destroy", "--generation-allow-x00", "false",
        "--request-timeout", REQUEST_TIMEOUT,
        "--report", "junit", "--report-junit-path", str(report),
    ]  # fmt: skip
    log = report.with_suffix(".log").open("w")
    return subprocess.Popen(command, cwd=report.parent, stdout=log, stderr=subprocess.STDOUT)  # cache in var


def main():
    signal.signal(signal.SIGTERM, lambda *args: sys.exit(143))  # stop the server on the way out
    var = Path(tempfile.mkdtemp(prefix="api-check-"))
    env = {**os.environ, "DJANGO_VAR_DIR": str(var)}
    env.pop("DATABASE_URL", None)  # its own SQLite database: the run writes
    manage(env, "migrate", "--noinput")
    manage(env, "load_demo")
    config_file(var)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=(var / "daphne.log").open("w"),
    )  # fmt: skip
    try:
        wait_for(f"{base}/api/schema/")
        callers, started, failed = tokens(env, base), time.monotonic(), []
        for seed in SEEDS:  # the callers side by side: one generates while the server answers the other
            runs = {who: schemathesis(base, token, seed, var / f"{who}-{seed}.xml") for who, token in callers.items()}
            for name, run in runs.items():
                run.wait()
                output = (var / f"{name}-{seed}.log").read_text()
                print(f"\n==== Schemathesis as {name}, seed {seed} ====\n{output}", flush=True)
                if run.returncode:
                    failed.append(f"{name}, seed {seed}")
        print(f"\nSchemathesis: {time.monotonic() - started:.0f} s; daphne's log: {var / 'daphne.log'}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    if failed:
        raise SystemExit("Schemathesis found failures: " + "; ".join(failed))


if __name__ == "__main__":
    main()
