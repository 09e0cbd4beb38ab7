"""The benchmark data generator: a city-scale roster, a session of reviews, opinions with versions.

    .venv/bin/python bench/generate.py                      # 500 experts, 50 reviews (SQLite, var/bench/data)
    .venv/bin/python bench/generate.py --experts 5000 --reviews 500 --versions 10 --pg

Idempotent and incremental: experts are keyed ``BENCH-000001``..., plans titled ``BENCH plan
00001``...; a second run adds only what is missing (so 500 -> 5,000 -> 50,000 reuses the rows).

Bulk inserts where history is not the point (users, domain links, guardian rows, opinions,
their points and kept versions, which are the opinion history and are written as the service
writes them); ``bulk_create_with_history`` for every model that simple-history tracks (experts,
organisations, conflicts, unavailability, plans, reviews, assignments), so each row has its
"created" history record with the generator's user and reason, as a service would leave it.

One review, the *showcase*, is built entirely through the real services (plan upload, draw,
acceptance, ten saves per opinion, submission, closing): five experts x ten points = the
50-point consolidation the document and page benchmarks read. A *busy* expert has a panel
seat on many reviews, for the task-list query count at 1 and at many rows.
"""

import argparse
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import common

REASON = "benchmark data generator"
CRITERIA = ("necessity", "feasibility", "soundness")
CONCLUSIONS = ("agree", "agree", "agree_with_revisions", "agree", "disagree")
SECTIONS = (
    "一、总体要求", "（一）指导思想。推动产业集聚。", "二、重点任务", "（一）提升自主创新能力。", "三、保障措施",
)  # fmt: skip
PASSWORD = "bench-password-1"  # noqa: S105 - every generated account's, on a throwaway database
SHOWCASE = "BENCH showcase: 沈阳市机器人产业三年行动计划"


def actors():
    from experts import roles
    from experts.demo import load_organizations, load_taxonomy
    from tests.conftest import make_user

    roles.ensure_roles()
    load_taxonomy()
    load_organizations()
    users = {}
    for role in (roles.SECRETARIAT, roles.COMMISSION):
        from django.contrib.auth import get_user_model

        existing = get_user_model().objects.filter(username=f"bench-{role}").first()
        users[role] = existing or make_user(role, username=f"bench-{role}", password=PASSWORD)
    return users[roles.SECRETARIAT], users[roles.COMMISSION]


def password_hash():
    from django.contrib.auth.hashers import make_password

    return make_password(PASSWORD)  # one hash for every generated account: setup only


def names(count, rng):
    from experts.demo import GIVEN, SURNAMES

    given = GIVEN + [a + b for a in "建国志明海涛晓丽文华" for b in "平军峰伟强敏静"]
    return [rng.choice(SURNAMES) + rng.choice(given) for _ in range(count)]


def specialties(rng):
    """One to three tags from the demo's, as the secretariat types them (commas)."""
    from experts.demo_data import SPECIALTIES

    tags = sorted({tag for tags in SPECIALTIES.values() for tag in tags.split(",")})
    return ",".join(rng.sample(tags, rng.randint(1, 3)))


def spelling(name, cache={}):  # noqa: B006 - a memo over the run
    from experts.names import name_initials, name_pinyin
    from experts.strokes import stroke_key

    if name not in cache:
        cache[name] = (name_pinyin(name), name_initials(name), stroke_key(name))
    return cache[name]


def generate_experts(total, *, by, seed=2016):
    """Experts BENCH-000001.. up to ``total``, each with an account, 1-3 leaf domains, a term;
    about 85% active, 10% with a declared conflict, 5% with a period away."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from simple_history.utils import bulk_create_with_history

    from experts import roles
    from experts.models import Conflict, Domain, Expert, Organization, Unavailability

    have = Expert.objects.filter(key__startswith="BENCH-").count()
    if have >= total:
        return 0
    rng = random.Random(seed + have)
    leaves = list(Domain.objects.filter(parent__isnull=False).values_list("pk", flat=True))
    org_count = Organization.objects.filter(name__startswith="基准单位").count()
    want_orgs = max(20, total // 5)
    kinds = ["enterprise", "university", "institute", "association", "government"]
    if org_count < want_orgs:
        bulk_create_with_history(
            [Organization(name=f"基准单位{i:06d}", kind=kinds[i % 5]) for i in range(org_count, want_orgs)],
            Organization, batch_size=1000, default_user=by, default_change_reason=REASON,
        )  # fmt: skip
    org_names = dict(Organization.objects.filter(name__startswith="基准单位").values_list("pk", "name"))
    orgs = list(org_names)
    User = get_user_model()
    hashed = password_hash()
    numbers = range(have + 1, total + 1)
    users = User.objects.bulk_create(
        [User(username=f"bench-e{n:06d}", password=hashed, first_name="") for n in numbers], batch_size=1000
    )
    group = Group.objects.get(name=roles.EXPERT)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=group.pk) for u in users], batch_size=2000
    )
    statuses = ["active"] * 17 + ["candidate", "suspended", "expired"]
    experts = []
    tag_rng = random.Random(seed * 7 + have)  # apart from ``rng``: the other columns stay as they were
    for n, user, name in zip(numbers, users, names(len(users), rng), strict=True):
        pinyin, initials, strokes = spelling(name)
        start = date(2019 + n % 5, 1 + n % 12, 1)
        status = statuses[n % 20]
        experts.append(
            Expert(
                key=f"BENCH-{n:06d}", user=user, name=name, name_pinyin=pinyin, name_initials=initials,
                stroke_key=strokes, category=("entrepreneur", "specialist", "scholar")[n % 3],
                title=("研究员", "教授", "高级工程师", "董事长")[n % 4], employer_id=rng.choice(orgs),
                mobile=f"139{n:08d}", email=f"bench-e{n:06d}@example.com", status=status,
                term_start=start, term_end=start + timedelta(days=365 * 5) if status != "expired" else date(2024, 1, 1),
                specialties=specialties(tag_rng),
            )
        )  # fmt: skip
        experts[-1].fill_search_columns(employer_name=org_names[experts[-1].employer_id])  # bulk_create skips save
    experts = bulk_create_with_history(experts, Expert, batch_size=1000, default_user=by, default_change_reason=REASON)
    experts = list(Expert.objects.filter(key__in=[e.key for e in experts]).only("pk", "key"))
    through = Expert.domains.through
    through.objects.bulk_create(
        [through(expert_id=e.pk, domain_id=d) for e in experts for d in rng.sample(leaves, rng.randint(1, 3))],
        batch_size=2000,
    )
    Expert.objects.filter(pk__in=[e.pk for e in experts], primary_domain__isnull=True)  # kept null: optional
    today = date.today()
    conflicts = [
        Conflict(expert_id=e.pk, organization_id=rng.choice(orgs), reason="曾任职", declared_by=by,
                 until=None if i % 2 else today + timedelta(days=365))
        for i, e in enumerate(experts) if rng.random() < 0.10
    ]  # fmt: skip
    bulk_create_with_history(conflicts, Conflict, batch_size=1000, default_user=by, default_change_reason=REASON)
    away = [
        Unavailability(expert_id=e.pk, starts_on=today + timedelta(days=rng.randint(-30, 60)),
                       ends_on=today + timedelta(days=rng.randint(61, 120)), note="出国访问")
        for e in experts if rng.random() < 0.05
    ]  # fmt: skip
    bulk_create_with_history(away, Unavailability, batch_size=1000, default_user=by, default_change_reason=REASON)
    return len(experts)


def docx_file():
    from tests.reviews.conftest import docx_upload

    return docx_upload(paragraphs=SECTIONS)


def generate_reviews(total, *, by, versions, busy_seats, seed=13):
    """Plans ``BENCH plan 00001``.. with one version each (the same stored file), an open review
    of each with an accepted panel of five, guardian rows as the grant would leave them, and an
    opinion per seat saved ``versions`` times (points and kept versions)."""
    from django.contrib.auth.models import Permission
    from django.utils import timezone
    from simple_history.utils import bulk_create_with_history

    from consultations.opinions.canonical import digest
    from consultations.opinions.models import Opinion, OpinionVersion, Point
    from experts.models import Domain, Expert, Organization
    from reviews import services as review_services
    from reviews.models import (
        Assignment,
        Plan,
        PlanUserObjectPermission,
        PlanVersion,
        Review,
        ReviewUserObjectPermission,
    )  # fmt: skip

    have = Plan.objects.filter(title__startswith="BENCH plan ").count()
    if have >= total:
        return 0
    rng = random.Random(seed + have)
    government = list(Organization.objects.filter(kind="government").values_list("pk", flat=True))
    leaves = list(Domain.objects.filter(parent__isnull=False).values_list("pk", "code"))
    template = PlanVersion.objects.filter(plan__title__startswith="BENCH").first()
    if template is None:  # the first plan goes through the service, to store and convert one document
        first = review_services.create_plan(
            by=by, title="BENCH template plan", kind="action_plan",
            submitted_by=Organization.objects.get(pk=government[0]), domains=[leaves[0][1]],
        )  # fmt: skip
        template = review_services.add_plan_version(first, upload=docx_file(), by=by)
    kinds = ["special_plan", "implementation_scheme", "action_plan", "policy_measure", "major_project"]
    numbers = range(have + 1, total + 1)
    plans = bulk_create_with_history(
        [Plan(title=f"BENCH plan {n:05d} 战略性新兴产业专项规划", kind=kinds[n % 5],
              submitted_by_id=rng.choice(government), created_by=by, state="under_review") for n in numbers],
        Plan, batch_size=1000, default_user=by, default_change_reason=REASON,
    )  # fmt: skip
    plans = list(Plan.objects.filter(title__in=[p.title for p in plans]).order_by("pk"))
    plan_domains = {p.pk: rng.choice(leaves)[0] for p in plans}
    Plan.domains.through.objects.bulk_create(
        [Plan.domains.through(plan_id=pk, domain_id=d) for pk, d in plan_domains.items()]
    )
    pvs = PlanVersion.objects.bulk_create(
        [PlanVersion(plan=p, number=1, document=template.document.name, original_name="plan.docx",
                     sha256=template.sha256, uploaded_by=by, blocks=template.blocks) for p in plans]
    )  # fmt: skip
    now = timezone.now()
    reviews = bulk_create_with_history(
        [Review(plan=p, plan_version=v, mode="written" if i % 4 else "meeting", opens_at=now - timedelta(days=3),
                due_at=now + timedelta(days=11 + i % 10), meeting_at=now + timedelta(days=5) if not i % 4 else None,
                location="online" if not i % 4 else "", panel_size=5, state="open", created_by=by)
         for i, (p, v) in enumerate(zip(plans, pvs, strict=True))],
        Review, batch_size=1000, default_user=by, default_change_reason=REASON,
    )  # fmt: skip
    reviews = list(Review.objects.filter(plan__in=plans).order_by("pk"))
    Review.required_domains.through.objects.bulk_create(
        [Review.required_domains.through(review_id=r.pk, domain_id=plan_domains[r.plan_id]) for r in reviews]
    )
    active = list(Expert.objects.filter(key__startswith="BENCH-", status="active").values_list("pk", "user_id"))
    busy = active[0]
    seats = []
    for i, review in enumerate(reviews):
        panel = rng.sample(active[1:], 5)
        if have + i < busy_seats:
            panel[0] = busy
        seats.extend((review, pk, user_id) for pk, user_id in panel)
    assignments = bulk_create_with_history(
        [Assignment(review=r, expert_id=pk, state="accepted", reply_by=now, responded_at=now,
                    no_conflict_text="本人与该规划无利益冲突。", confidentiality_text="本人承诺保密。")
         for r, pk, _ in seats],
        Assignment, batch_size=1000, default_user=by, default_change_reason=REASON,
    )  # fmt: skip
    assignments = {
        (a.review_id, a.expert_id): a.pk for a in Assignment.objects.filter(review__in=reviews).only("review", "expert")
    }
    view_review = Permission.objects.get(codename="view_review", content_type__app_label="reviews")
    view_plan = Permission.objects.get(codename="view_plan", content_type__app_label="reviews")
    ReviewUserObjectPermission.objects.bulk_create(
        [ReviewUserObjectPermission(user_id=u, permission=view_review, content_object=r) for r, _, u in seats],
        batch_size=2000,
    )
    PlanUserObjectPermission.objects.bulk_create(
        [PlanUserObjectPermission(user_id=u, permission=view_plan, content_object_id=r.plan_id) for r, _, u in seats],
        batch_size=2000, ignore_conflicts=True,
    )  # fmt: skip
    opinions = Opinion.objects.bulk_create(
        [Opinion(review=r, expert_id=pk, assignment_id=assignments[(r.pk, pk)], conclusion=CONCLUSIONS[k % 5],
                 scores={c: rng.randint(3, 10) for c in CRITERIA}, summary=f"第{versions}稿：总体可行。",
                 version=versions, saved_at=now, saved_by_id=u)
         for k, (r, pk, u) in enumerate(seats)],
        batch_size=1000,
    )  # fmt: skip
    opinions = list(Opinion.objects.filter(review__in=reviews).order_by("pk"))
    points = Point.objects.bulk_create(
        [Point(opinion=o, section=SECTIONS[1 + 2 * j], text=f"建议细化第{j + 1}项任务的考核指标。", position=j)
         for o in opinions for j in range(2)],
        batch_size=2000,
    )  # fmt: skip
    by_opinion = {}
    for p in points:
        by_opinion.setdefault(p.opinion_id, []).append({"id": p.pk, "section": p.section, "text": p.text})
    kept = []
    for o in opinions:
        for number in range(1, versions + 1):
            content = {"conclusion": o.conclusion, "scores": o.scores, "summary": f"第{number}稿：总体可行。",
                       "points": by_opinion[o.pk]}  # fmt: skip
            kept.append(OpinionVersion(opinion=o, number=number, kind="named", reason=f"第{number}稿",
                                       content=content, digest=digest(content), opinion_version=number,
                                       by_id=o.saved_by_id, at=now - timedelta(hours=versions - number)))  # fmt: skip
    OpinionVersion.objects.bulk_create(kept, batch_size=2000)
    return len(reviews)


def build_showcase(*, by, versions):
    """The 50-point review through the real services; returns it (existing one if built)."""
    from consultations.consolidation.services import ensure_consolidation
    from consultations.opinions import services
    from experts.models import Domain, Organization
    from reviews import services as review_services
    from reviews.models import Assignment, Plan, Review
    from tests.consultations.consolidation_setup import CONCLUSIONS as SEALED
    from tests.consultations.consolidation_setup import SCORES

    existing = Review.objects.filter(plan__title=SHOWCASE).first()
    if existing and existing.state == "closed":
        return existing
    if existing:  # an earlier run stopped half-way: keep it under another name, build anew
        Plan.objects.filter(pk=existing.plan_id).update(title=f"BENCH unfinished showcase {existing.pk}")
    domain = Domain.objects.filter(parent__isnull=False, experts__key__startswith="BENCH-").order_by("code").first()
    plan = review_services.create_plan(
        by=by, title=SHOWCASE, kind="action_plan",
        submitted_by=Organization.objects.filter(kind="government").order_by("pk").first(), domains=[domain.code],
    )  # fmt: skip
    review_services.add_plan_version(plan, upload=docx_file(), by=by)
    from django.utils import timezone

    now = timezone.now()
    review = review_services.create_review(
        plan, by=by, opens_at=now - timedelta(days=1), due_at=now + timedelta(days=14), required_domains=[domain.code],
        panel_size=5, mode="meeting", meeting_at=now + timedelta(days=2), location="online",
        rules={"minimum_panel_size": 1},
    )  # fmt: skip
    review_services.draw_for_review(review, by=by, seed="bench-showcase")
    for assignment in Assignment.objects.filter(review=review).select_related("expert__user"):
        review_services.accept_assignment(assignment, by=assignment.expert.user, no_conflict=True, confidentiality=True)
    review_services.transition(review, "open", by=by)
    review.refresh_from_db()
    anchors = [b["section"] for b in review.plan_version.blocks] or [""]
    for index, opinion in enumerate(review.opinions.select_related("expert__user").order_by("expert__key")):
        user = opinion.expert.user
        for number in range(1, versions + 1):
            text = "第{}位专家第{}条：建议量化考核目标（{}稿）。"
            points = [{"section": anchors[j % len(anchors)], "text": text.format(index + 1, j + 1, number)}
                      for j in range(10)]  # fmt: skip
            opinion = services.save_opinion(
                opinion, by=user, expected_version=opinion.version, label=f"第{number}稿",
                data={"conclusion": SEALED[index % 5], "scores": SCORES[index % 5], "summary": f"意见{index + 1}。",
                      "points": with_ids(opinion, points)},
            )  # fmt: skip
        services.submit_opinion(opinion, by=user)
    review_services.transition(review, "closed", by=by)
    review.refresh_from_db()
    ensure_consolidation(review)
    return review


def with_ids(opinion, points):
    """Give the new texts the ids of the opinion's live points, so a later save edits them
    instead of adding ten more."""
    ids = list(opinion.points.filter(removed=False).order_by("position", "id").values_list("id", flat=True))
    return [{"id": pk, **point} for pk, point in zip(ids, points, strict=True)] if ids else points


def analyze():
    """Fresh planner statistics after bulk inserts, as autovacuum would give a live database
    (without them PostgreSQL plans for the empty tables it saw: seq scans and hash joins)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="bench/generate.py")
    parser.add_argument("--experts", type=int, default=500)
    parser.add_argument("--reviews", type=int, default=50)
    parser.add_argument("--versions", type=int, default=10)
    parser.add_argument("--busy", type=int, default=20, help="reviews on which one expert sits (task list)")
    common.pg_flag(parser)
    args = parser.parse_args(argv)
    common.setup(args.pg, name=args.data)
    run(experts=args.experts, reviews=args.reviews, versions=args.versions, busy=args.busy)


def run(*, experts, reviews, versions=10, busy=20):
    from django.db import transaction

    started = time.perf_counter()
    by, _ = actors()
    with transaction.atomic():
        made = generate_experts(experts, by=by)
    t_experts = time.perf_counter() - started
    with transaction.atomic():
        made_reviews = generate_reviews(reviews, by=by, versions=versions, busy_seats=busy)
    t_reviews = time.perf_counter() - started - t_experts
    if reviews:
        build_showcase(by=by, versions=versions)
    if made or made_reviews:
        analyze()
    total = time.perf_counter() - started
    common.figure(
        "generate",
        f"{made} experts in {t_experts:.1f} s, {made_reviews} reviews x 5 opinions x {versions} versions in "
        f"{t_reviews:.1f} s, total {total:.1f} s",
        f"target {experts} experts, {reviews} reviews",
    )


if __name__ == "__main__":
    main()
