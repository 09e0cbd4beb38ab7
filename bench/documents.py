"""Document generation for a 50-point consolidation: .docx, .pdf and .xlsx times.

    .venv/bin/python bench/documents.py [--pg] [--repeat 3]

Uses the generator's showcase review (five sealed opinions of ten points each, built through
the services) and times ``consultations.consolidation.documents`` builders on ``consolidate(review)``: the
gathering of the data once, then each builder ``--repeat`` times (the first .pdf includes
WeasyPrint's font loading, reported separately). Targets (issue #10): .docx under 5 s, .pdf
under 15 s.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common, generate

TARGETS = {"docx": 5.0, "pdf": 15.0}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="bench/documents.py")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--experts", type=int, default=500)
    parser.add_argument("--reviews", type=int, default=50)
    common.pg_flag(parser)
    args = parser.parse_args(argv)
    common.setup(args.pg, name=args.data)
    generate.run(experts=args.experts, reviews=args.reviews)
    from django.utils import translation

    from consultations.consolidation.documents import BUILDERS
    from consultations.consolidation.selectors import consolidate
    from reviews.models import Review

    review = Review.objects.get(plan__title=generate.SHOWCASE)
    translation.activate("zh-hans")
    started = time.perf_counter()
    data = consolidate(review)
    gathered = time.perf_counter() - started
    cond = f"{len(data['points'])} points, {len(data['opinions'])} opinions"
    common.figure("document data (consolidate)", f"{gathered * 1000:.1f} ms", cond)
    for kind, build in BUILDERS.items():
        times, size = [], 0
        for _ in range(args.repeat):
            started = time.perf_counter()
            size = len(build(data))
            times.append(time.perf_counter() - started)
        target = TARGETS.get(kind)
        verdict = f" (target < {target:.0f} s: {'met' if max(times) < target else 'NOT met'})" if target else ""
        common.figure(
            f"document .{kind}",
            f"first {times[0]:.2f} s, then best {min(times[1:] or times):.2f} s, {size // 1024} KiB{verdict}", cond,
        )  # fmt: skip


if __name__ == "__main__":
    main()
