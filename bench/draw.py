"""Benchmark of the batch panel draw (not a test): prints figures, checks every rule.

    .venv/bin/python bench/draw.py                   # 500 reviews x 5,000 experts, then the tight roster
    .venv/bin/python bench/draw.py --reviews 100 --experts 1000

Each instance is built in a throwaway SQLite database under a temporary directory (set
DATABASE_URL to measure PostgreSQL instead). The roster is written with bulk inserts (setup, not
timed). What is timed is ``reviews.draw.services.batch_draw_reviews`` end to end: reading the roster
and working out eligibility, the integer program (``scipy.optimize.milp``, HiGHS), and writing the
draws, assignments and invitations. Afterwards every panel is checked against the rules, the load
caps are summed and one draw of the batch is replayed with ``verify_draw``.

The tight instance (500 reviews x 1,250 experts, load cap 2: exactly as many seats as capacity)
also runs a greedy draw (review by review, first eligible in key order) to show the panels a
greedy method leaves short where the exact method fills them all.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(var_dir):
    os.environ["DJANGO_VAR_DIR"] = str(var_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.SMS_SENDER = "bench.draw.SilentSmsSender"
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


class SilentSmsSender:
    """A gateway (``core.sms.Gateway``'s interface) that takes every message and sends none."""

    name = "silent"

    def send(self, mobile, *, kind, params):
        from core.sms import Sent

        return Sent(message_id="silent")


def build(*, reviews, experts, load_cap, domains_per_review, seed=7):
    """A synthetic roster and ``reviews`` draft reviews in one quarter (bulk inserts: setup only)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from experts import roles
    from experts.models import Domain, Expert, Organization
    from reviews.models import Plan, PlanVersion, Review, default_criteria, default_rules

    rng = random.Random(seed)
    user = get_user_model().objects.create(username=f"bench-{seed}-{experts}")  # the secretariat draws
    roles.ensure_roles()  # the flush before each instance removed the groups
    user.groups.add(Group.objects.get(name=roles.SECRETARIAT))
    top = [Domain.objects.create(code=f"B{seed}-{i}", name=f"门类{i}") for i in range(1, 10)]
    leaves = [Domain.objects.create(code=f"B{seed}-{t}.{j}", name=f"领域{t}.{j}", parent=top[t - 1])
              for t in range(1, 10) for j in range(1, 4)]  # fmt: skip
    orgs = Organization.objects.bulk_create(
        Organization(name=f"单位{seed}-{i}", kind="government" if i % 5 == 0 else rng.choice(
            ["enterprise", "university", "institute", "association"]))
        for i in range(max(10, experts * 4 // 5))
    )  # fmt: skip
    civil = [org for org in orgs if org.kind != "government"]  # so that a full assignment exists when tight
    people = Expert.objects.bulk_create(
        Expert(key=f"B{seed}-{i}", name=f"专家{i}", category=("entrepreneur", "specialist", "scholar")[i % 3],
               employer=orgs[i % len(orgs)] if i < len(orgs) else rng.choice(civil), status="active",
               term_start=date(2020, 1, 1), term_end=date(2035, 12, 31)).fill_search_columns()
        for i in range(experts)
    )  # fmt: skip
    through = Expert.domains.through
    through.objects.bulk_create(
        through(expert_id=e.pk, domain_id=d.pk) for e in people for d in rng.sample(leaves, rng.randint(1, 3))
    )
    submitter = Organization.objects.create(name=f"提交单位{seed}", kind="government")
    opens = timezone.now() + timedelta(days=5)
    plans = Plan.objects.bulk_create(
        Plan(title=f"规划{i}", kind="special_plan", submitted_by=submitter) for i in range(reviews)
    )
    versions = PlanVersion.objects.bulk_create(
        PlanVersion(plan=p, number=1, document="bench.docx", original_name="bench.docx", sha256="0" * 64) for p in plans
    )
    rules = {**default_rules(), "load_cap_per_quarter": load_cap}
    batch = Review.objects.bulk_create(
        Review(plan=p, plan_version=v, opens_at=opens, due_at=opens + timedelta(days=14), panel_size=5, rules=rules,
               criteria=default_criteria(), created_by=user)
        for p, v in zip(plans, versions, strict=True)
    )  # fmt: skip
    if domains_per_review:
        Review.required_domains.through.objects.bulk_create(
            Review.required_domains.through(review_id=r.pk, domain_id=d.pk)
            for r in batch
            for d in rng.sample(top, domains_per_review)
        )
    return user, batch


def check(draws, load_cap):
    """Every rule on every panel, and the load caps; returns a list of problems (empty: all hold)."""
    from reviews.draw import constraints as engine

    problems, load = [], Counter()
    for draw in draws:
        by_id = {row[0]: row for row in draw.pool}
        panel = [by_id[i] for i in draw.selected]
        size = draw.rules["panel_size"]
        if len(panel) != size or len(set(draw.selected)) != size:
            problems.append(f"review {draw.review_id}: {len(panel)} of {size}")
        if sum(row[3] for row in panel) > engine.government_cap(size, draw.rules["government_share_max"]):
            problems.append(f"review {draw.review_id}: government share")
        orgs = [row[2] for row in panel]
        if len(orgs) != len(set(orgs)):
            problems.append(f"review {draw.review_id}: two from one organisation")
        excluded = {i for ids in draw.excluded.values() for i in ids}
        if excluded & set(draw.selected):
            problems.append(f"review {draw.review_id}: an excluded expert on the panel")
        present = {row[1] for row in draw.pool}
        if {row[1] for row in panel} != present:
            problems.append(f"review {draw.review_id}: a category missing")
        load.update(draw.selected)
    if load and max(load.values()) > load_cap:
        problems.append(f"an expert on {max(load.values())} panels (cap {load_cap})")
    return problems


def greedy_short(draws, load_cap):
    """Panels a review-by-review greedy draw (first eligible in key order) would leave short."""
    from reviews.draw.constraints import government_cap
    from reviews.draw.engine import candidate_key

    load, short = Counter(), 0
    for draw in draws:
        size = draw.rules["panel_size"]
        cap = government_cap(size, draw.rules["government_share_max"])
        order = sorted(draw.pool, key=lambda row, d=draw: candidate_key(d.seed, d.review_id, row[0]))
        panel, orgs, gov = [], set(), 0
        for row in order:
            if len(panel) == size:
                break
            if load[row[0]] >= load_cap or row[2] in orgs or (row[3] and gov >= cap):
                continue
            panel.append(row[0])
            orgs.add(row[2])
            gov += row[3]
        load.update(panel)
        short += len(panel) < size
    return short


def line(label, wall, cpu=None, note=""):
    cpu_text = f"CPU {cpu:6.2f} s" if cpu is not None else " " * 14
    print(f"{label:<36} {wall:8.2f} s   {cpu_text}   {note}".rstrip())


def run(name, *, reviews, experts, load_cap, domains_per_review, invite, greedy, seed):
    from django.core.management import call_command

    from reviews.draw.services import batch_draw_reviews
    from reviews.draw.verify import verify_draw

    call_command("flush", interactive=False, verbosity=0)  # each instance alone in the database
    started = time.perf_counter()
    user, batch = build(
        reviews=reviews, experts=experts, load_cap=load_cap, domains_per_review=domains_per_review, seed=seed
    )
    print(f"\n== {name}: {reviews} reviews x {experts} experts, load cap {load_cap} per quarter")
    print(f"setup (bulk inserts, not timed)      {time.perf_counter() - started:8.2f} s")
    cpu_started = time.process_time()
    draws, stats = batch_draw_reviews(batch, by=user, seed=f"bench-{name}", invite=invite)
    cpu = time.process_time() - cpu_started
    pairs = ", ".join(f"{r['per_category'] or 'all'}/category: {r['pairs']} pairs" for r in stats["rounds"])
    line("eligibility (roster + rules)", stats["eligibility_s"], stats["eligibility_cpu_s"])
    line("solve, all of it", stats["solve_s"], stats["solve_cpu_s"], f"rounds: {pairs}")
    line("  of which keys and pairs", stats["keys_s"], note="SHA-256 of every eligible pair, NumPy columns")
    line("  of which milp (HiGHS)", stats["milp_s"])
    line(f"write{' and invite' if invite else ''}, commit, after it", stats["write_s"], stats["write_cpu_s"])
    line("end to end", stats["total_s"], cpu, f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    problems = check(draws, load_cap)
    short = sum(len(d.selected) < d.rules["panel_size"] for d in draws)
    print(f"short panels: {short} of {len(draws)}")
    print(f"rules checked (size, distinct, government share, one per organisation, every category, load cap,"
          f" no excluded expert): {'all hold' if not problems else problems[:5]}")  # fmt: skip
    replay_started = time.perf_counter()
    verified, detail = verify_draw(draws[0])
    print(f"verify one draw (replays the batch)  {time.perf_counter() - replay_started:8.2f} s   {verified}: {detail}")
    if greedy:
        print(f"greedy review-by-review draw would leave {greedy_short(draws, load_cap)} panels short")


def single(*, experts, seed=3):
    """One review at a time, as the secretariat's screen does it: the quick unwitnessed draw, then
    commit and reveal (a real drand quicknet round, its BLS signature checked), and the replay."""
    from datetime import UTC, datetime

    from django.core.management import call_command

    from reviews.draw import services
    from reviews.draw.verify import verify_draw

    call_command("flush", interactive=False, verbosity=0)
    user, reviews = build(reviews=4, experts=experts, load_cap=2, domains_per_review=2, seed=seed)
    services.draw_for_review(reviews[3], by=user)  # warm: imports, first queries, the solver loaded
    print(f"\n== single draws: 1 review at a time x {experts} experts (warm)")
    timed = []

    def clock(label, function, **kwargs):
        started, cpu = time.perf_counter(), time.process_time()
        result = function(**kwargs)
        line(label, time.perf_counter() - started, time.process_time() - cpu)
        timed.append(result)
        return result

    clock("unwitnessed draw (commit+reveal)", services.draw_for_review, review=reviews[0], by=user)
    clock("commit (freeze pool, digest)", services.commit_draw, review=reviews[1], by=user,
          beacon={"source": "drand quicknet", "round": 657413}, witnesses=["公证员", "纪检"],
          now=datetime(2023, 9, 1, tzinfo=UTC))  # fmt: skip
    draw = clock("reveal (BLS, seed, draw, invite)", services.reveal_draw, review=reviews[1], by=user,
                 beacon_value="fc1873a13f3545aeade8401532ef5519920652eee6b0d2b19ca12643b87b3587",
                 beacon_signature="b713718a38ae728dfd477991af2822e08d2f305e47718cef9f7848ce4050e7be41076862b98fad56e9"
                 "1a6b85b89cd97b", witness_inputs=["7319", "春风"])  # fmt: skip
    verified = clock("verify witnessed (record+replay)", verify_draw, draw=draw)
    print(f"verified: {verified[0]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reviews", type=int, default=500)
    parser.add_argument("--experts", type=int, default=5000)
    parser.add_argument("--no-invite", action="store_true", help="time the draw without sending invitations")
    parser.add_argument("--skip-tight", action="store_true")
    parser.add_argument("--single-only", action="store_true", help="only the one-review draws (commit, reveal)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-draw-") as var_dir:
        setup_django(var_dir)
        single(experts=args.experts)
        if args.single_only:
            return
        run("roster", reviews=args.reviews, experts=args.experts, load_cap=2, domains_per_review=2,
            invite=not args.no_invite, greedy=False, seed=1)  # fmt: skip
        if not args.skip_tight:
            run("tight", reviews=args.reviews, experts=args.reviews * 5 // 2, load_cap=2, domains_per_review=0,
                invite=not args.no_invite, greedy=True, seed=2)  # fmt: skip


if __name__ == "__main__":
    main()
