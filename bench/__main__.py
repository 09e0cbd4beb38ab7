"""`make bench`: every benchmark, at a small size by default or the issue's sizes with
`--scale full`. Each benchmark is its own script and prints one line per figure."""

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZES = {
    "small": [
        ["draw.py", "--reviews", "50", "--experts", "500", "--no-invite"],
        ["opinion_live.py", "--saves", "100"],
    ],
    "full": [
        ["draw.py", "--reviews", "500", "--experts", "5000", "--no-invite"],
        ["opinion_live.py", "--saves", "500"],
    ],
}


def main():
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--scale", choices=sorted(SIZES), default="small")
    scale = parser.parse_args().scale
    failed = 0
    for script, *args in SIZES[scale]:
        print(f"== {script} {' '.join(args)}", flush=True)
        failed += subprocess.run([sys.executable, str(HERE / script), *args], check=False).returncode != 0
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
