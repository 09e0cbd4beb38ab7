"""`make bench`: every benchmark, at a small size by default or the issue's sizes with
`--scale full`. Each benchmark is its own script and prints one line per figure.

Small (under 10 minutes on an idle 2-core machine once the benchmark databases exist): 500
experts and 50 reviews, on SQLite + in-memory and on PostgreSQL + Redis; fan-out to 10 and 100
sockets; a short Locust ramp. Full: the issue's sizes (5,000 experts, 500 reviews, 1,000
sockets, the roster at 50,000). The data sets persist under var/bench/ and in the PostgreSQL
databases wb_bench, wb_bench_full, wb_bench_50k: a second run generates nothing again.
Docs: docs/benchmarks.md.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SMALL = ["--experts", "500", "--reviews", "50"]
FULL = ["--experts", "5000", "--reviews", "500", "--busy", "50", "--data", "full"]
FULL_RUN = ["--experts", "5000", "--reviews", "500", "--data", "full"]
SIZES = {
    "small": [
        ["draw.py", "--reviews", "50", "--experts", "500", "--no-invite"],
        ["opinion_live.py", "--saves", "100"],
        ["generate.py", *SMALL],
        ["pages.py", *SMALL, "--repeat", "20"],
        ["documents.py", *SMALL, "--repeat", "2"],
        ["concurrency.py", *SMALL, "--saves", "2"],
        ["generate.py", *SMALL, "--pg"],
        ["pages.py", *SMALL, "--repeat", "20", "--pg"],
        ["concurrency.py", *SMALL, "--saves", "2", "--pg"],
        ["fanout.py", *SMALL, "--clients", "10", "100", "--saves", "10"],
        ["load.py", *SMALL, "--users", "5", "10", "20", "--seconds", "15"],
    ],
    "full": [
        ["draw.py", "--reviews", "500", "--experts", "5000", "--no-invite"],
        ["opinion_live.py", "--saves", "500"],
        ["generate.py", *FULL],
        ["pages.py", *FULL_RUN, "--repeat", "50"],
        ["documents.py", *FULL_RUN, "--repeat", "3"],
        ["concurrency.py", *FULL_RUN, "--saves", "10"],
        ["generate.py", *FULL, "--pg"],
        ["pages.py", *FULL_RUN, "--repeat", "50", "--pg"],
        ["documents.py", *FULL_RUN, "--repeat", "3", "--pg"],
        ["concurrency.py", *FULL_RUN, "--saves", "10", "--pg"],
        ["pages.py", "--experts", "50000", "--data", "50k", "--only-roster", "--repeat", "30", "--pg"],
        ["fanout.py", *FULL_RUN, "--clients", "10", "100", "1000", "--saves", "20"],
        ["load.py", *FULL_RUN, "--users", "5", "10", "20", "40", "80", "--seconds", "30"],
        ["load.py", *FULL_RUN, "--users", "5", "10", "20", "40", "80", "--seconds", "30", "--without", "/members/"],
    ],
}


def main():
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--scale", choices=sorted(SIZES), default="small")
    parser.add_argument("--only", default="", help="run the steps whose script name contains this text")
    args = parser.parse_args()
    failed = 0
    started = time.perf_counter()
    for script, *rest in SIZES[args.scale]:
        if args.only not in script:
            continue
        print(f"== {script} {' '.join(rest)}", flush=True)
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}  # never the dev db
        failed += subprocess.run([sys.executable, str(HERE / script), *rest], check=False, env=env).returncode != 0
    print(f"== {args.scale} benchmarks done in {time.perf_counter() - started:.0f} s, {failed} failed", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
