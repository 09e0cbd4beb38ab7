"""Demo data for the roster, drawn from the source document (shared/seed/).

Every function is idempotent: it looks records up by their natural key before creating them.
"""

import io
import random
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from experts import roles
from experts.demo_accounts import demo_second_factor
from experts.demo_data import (
    ASSOCIATIONS,
    CONFLICT_REASONS,
    ENTERPRISES,
    FIRST_EXPERT_PROFILE,
    GIVEN,
    GOVERNMENT,
    INSTITUTES,
    OTHER_STATUSES,
    PARKS,
    SPECIALTIES,
    STATUS_REASONS,
    SURNAMES,
    TAXONOMY,
    TITLES,
    UNIVERSITIES,
)
from experts.models import Domain, Expert, Organization


def load_taxonomy():
    for code, name, name_en, children in TAXONOMY:
        parent, _ = Domain.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en})
        for child_code, child_name, child_en in children:
            Domain.objects.get_or_create(
                code=child_code, defaults={"name": child_name, "name_en": child_en, "parent": parent}
            )


def load_organizations():
    city = Organization.objects.get_or_create(name=GOVERNMENT[0], defaults={"kind": Organization.Kind.GOVERNMENT})[0]
    for name in GOVERNMENT[1:]:
        Organization.objects.get_or_create(name=name, defaults={"kind": Organization.Kind.GOVERNMENT, "parent": city})
    groups = [
        (PARKS, Organization.Kind.OTHER),
        (ENTERPRISES, Organization.Kind.ENTERPRISE),
        (UNIVERSITIES, Organization.Kind.UNIVERSITY),
        (INSTITUTES, Organization.Kind.INSTITUTE),
        (ASSOCIATIONS, Organization.Kind.ASSOCIATION),
    ]
    for names, kind in groups:
        for name in names:
            Organization.objects.get_or_create(name=name, defaults={"kind": kind})


def portrait(seed, initial):
    """A generated portrait: a coloured square with the surname, as a JPEG."""
    from PIL import Image, ImageDraw, ImageFont

    rng = random.Random(seed)
    colour = tuple(rng.randint(60, 180) for _ in range(3))
    image = Image.new("RGB", (320, 400), colour)
    draw = ImageDraw.Draw(image)
    draw.ellipse((90, 70, 230, 210), fill=(240, 224, 210))
    draw.rounded_rectangle((50, 230, 270, 420), radius=60, fill=(40, 44, 52))
    try:
        font = ImageFont.truetype("NotoSansCJK-Regular.ttc", 64)
    except OSError:
        font = None
    if font is not None:
        draw.text((160, 140), initial, fill=(60, 60, 60), font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def demo_experts():
    """The 40 demo experts as plain data, generated from a fixed seed."""
    rng = random.Random(20161)
    leaves = [code for code in SPECIALTIES]
    employers = ENTERPRISES + UNIVERSITIES + INSTITUTES + GOVERNMENT[2:6] + ASSOCIATIONS
    people = []
    for index in range(40):
        surname = SURNAMES[index % len(SURNAMES)]
        name = surname + GIVEN[(index * 7) % len(GIVEN)]
        primary = leaves[index % len(leaves)]
        second = leaves[(index * 5 + 3) % len(leaves)]
        category = ("entrepreneur", "specialist", "scholar")[index % 3]
        employer = employers[(index * 3) % len(employers)]
        title, level = TITLES[index % len(TITLES)]
        people.append(
            {
                "key": f"DEMO-{index + 1:03d}",
                "username": f"expert{index + 1:02d}",
                "name": name,
                "category": category,
                "title": title,
                "title_level": level,
                "employer": employer,
                "primary_domain": primary,
                "domains": sorted({primary, second}),
                "specialties": SPECIALTIES[primary],
                "mobile": f"13{rng.randint(100000000, 999999999)}",
                "portrait_seed": index,
            }
        )
    people[0].update(FIRST_EXPERT_PROFILE)
    return people


def load_accounts(password):
    """Demo sign-ins: secretariat, commission, department. Experts get theirs with the roster."""
    User = get_user_model()
    accounts = [
        ("secretariat", roles.SECRETARIAT, "秘书处", "李"),
        ("commission", roles.COMMISSION, "发改委", "王"),
        ("department", roles.DEPARTMENT, "发改委规划处", "张"),
    ]
    for username, role, last, first in accounts:
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": first, "last_name": last})
        if created:
            user.set_password(password)
            user.save()
        user.groups.add(Group.objects.get(name=role))
        if role in settings.SECOND_FACTOR_ROLES:
            demo_second_factor(user)


def load_experts(password, *, by=None):
    from django.contrib.auth.hashers import make_password
    from django.core.files.uploadedfile import SimpleUploadedFile

    from experts import services

    User = get_user_model()
    organizations = {org.name: org for org in Organization.objects.all()}
    domains = {domain.code: domain for domain in Domain.objects.all()}
    password_hash = make_password(password)  # hashed once: forty slow hashes of one password add nothing
    for person in demo_experts():
        if Expert.objects.filter(key=person["key"]).exists():
            continue
        username = person["username"]
        expert = services.create_expert(
            by=by,
            send_sign_in=False,  # demo accounts sign in with the demo password
            reason="演示数据",
            key=person["key"],
            name=person["name"],
            category=person["category"],
            title=person["title"],
            title_level=person["title_level"],
            employer=organizations[person["employer"]],
            primary_domain=domains[person["primary_domain"]],
            specialties=person["specialties"],
            mobile=person["mobile"],
            email=f"{username}@example.cn",
            status="candidate" if OTHER_STATUSES.get(int(person["key"][5:])) == "candidate" else "active",
            public_fields=["title", "employer", "domains", "photo"],
            domains=person["domains"],
            username=None if User.objects.filter(username=username).exists() else username,
        )
        if expert.user_id:
            User.objects.filter(pk=expert.user_id).update(password=password_hash)
        photo = SimpleUploadedFile("portrait.jpg", portrait(person["portrait_seed"], person["name"][0]), "image/jpeg")
        services.set_expert_photo(expert, upload=photo, by=by)


def roster_details(index, today):
    """Term, status, conflicts and unavailable periods of demo expert ``index`` (1-based)."""
    term_start = date(2024, 1, 1)
    term_end = date(2027, 12, 31)
    if index in (4, 12, 21):  # a few terms end soon: the roster flags them
        term_end = today + timedelta(days=20 + index)
    if index == 39:
        term_end = today - timedelta(days=30)
    details = {
        "term_start": term_start,
        "term_end": term_end,
        "appointment_letter": f"沈发改聘〔2024〕{index}号",
        "status": OTHER_STATUSES.get(index, "active"),
        "conflicts": [],
        "periods": [],
    }
    if index % 5 == 0:
        details["conflicts"].append(
            (ENTERPRISES[index % len(ENTERPRISES)], CONFLICT_REASONS[index % len(CONFLICT_REASONS)])
        )
    if index % 7 == 0:
        start = today + timedelta(days=10 + index)
        details["periods"].append((start, start + timedelta(days=6), "出国访问"))
    return details


def load_roster_details(*, by=None):
    """Give the demo experts terms, statuses, conflicts and unavailable periods. Idempotent: each
    part is added only where it is missing."""
    from django.utils import timezone

    from experts import services

    today = timezone.localdate()
    organizations = {org.name: org for org in Organization.objects.filter(name__in=ENTERPRISES)}
    experts = Expert.objects.filter(key__startswith="DEMO-").prefetch_related("conflicts", "unavailable_periods")
    for expert in experts:
        index = int(expert.key.split("-")[1])
        details = roster_details(index, today)
        if expert.term_end is None:
            services.update_expert(
                expert,
                by=by,
                reason="演示数据：聘任",
                term_start=details["term_start"],
                term_end=details["term_end"],
                appointment_letter=details["appointment_letter"],
            )
        if not expert.conflicts.all():
            for name, reason in details["conflicts"]:
                if organizations.get(name) and organizations[name].pk != expert.employer_id:
                    services.declare_conflict(expert, organization=organizations[name], reason=reason, by=by)
        if not expert.unavailable_periods.all():
            for starts_on, ends_on, note in details["periods"]:
                services.add_unavailability(expert, starts_on=starts_on, ends_on=ends_on, note=note, by=by)
        target = details["status"]
        if expert.status == Expert.Status.ACTIVE and target != "active" and not expert.status_reason:
            if target == "candidate":
                continue  # an active member cannot become a candidate; new loads create them as one
            services.change_expert_status(expert, status=target, by=by, reason=STATUS_REASONS[target])


def load(password):
    load_taxonomy()
    load_organizations()
    load_accounts(password)
    load_experts(password)
    load_roster_details()
