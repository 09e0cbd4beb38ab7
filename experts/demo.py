"""Demo data for the roster, drawn from the source document (shared/seed/).

Every function is idempotent: it looks records up by their natural key before creating them.
"""

import io
import random
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from experts import roles
from experts.demo_accounts import demo_second_factor
from experts.models import Domain, Expert, Organization

# The national classification of strategic emerging industries (国家统计局《战略性新兴产业分类(2018)》):
# its nine top-level categories, with the source document's industries beneath them.
TAXONOMY = [
    (
        "1",
        "新一代信息技术产业",
        "New-generation information technology",
        [
            ("1.1", "下一代信息网络产业", "Next-generation information networks"),
            ("1.2", "电子核心产业", "Core electronics"),
            ("1.3", "新兴软件和新型信息技术服务", "Software and new information technology services"),
            ("1.4", "互联网与云计算、大数据服务", "Internet, cloud computing and big data services"),
            ("1.5", "人工智能", "Artificial intelligence"),
        ],
    ),
    (
        "2",
        "高端装备制造产业",
        "High-end equipment manufacturing",
        [
            ("2.1", "机器人及智能制造装备产业", "Robots and intelligent manufacturing equipment"),
            ("2.2", "航空装备产业", "Aviation equipment"),
            ("2.3", "卫星及应用产业", "Satellites and applications"),
            ("2.4", "轨道交通装备产业", "Rail transit equipment"),
            ("2.5", "海洋工程装备产业", "Marine engineering equipment"),
        ],
    ),
    (
        "3",
        "新材料产业",
        "New materials",
        [
            ("3.1", "先进钢铁材料", "Advanced steel materials"),
            ("3.2", "先进有色金属材料", "Advanced non-ferrous materials"),
            ("3.3", "前沿新材料", "Frontier new materials"),
        ],
    ),
    (
        "4",
        "生物产业",
        "Biotechnology",
        [
            ("4.1", "生物医药产业", "Biomedicine"),
            ("4.2", "生物医学工程产业", "Biomedical engineering"),
            ("4.3", "生物农业及相关产业", "Bio-agriculture"),
        ],
    ),
    (
        "5",
        "新能源汽车产业",
        "New-energy vehicles",
        [
            ("5.1", "新能源汽车整车制造", "New-energy vehicle manufacturing"),
            ("5.2", "新能源汽车装置、配件制造", "New-energy vehicle components"),
        ],
    ),
    (
        "6",
        "新能源产业",
        "New energy",
        [
            ("6.1", "核电产业", "Nuclear power"),
            ("6.2", "风能产业", "Wind power"),
            ("6.3", "太阳能产业", "Solar power"),
            ("6.4", "智能电网产业", "Smart grid"),
        ],
    ),
    (
        "7",
        "节能环保产业",
        "Energy saving and environmental protection",
        [
            ("7.1", "高效节能产业", "Energy efficiency"),
            ("7.2", "先进环保产业", "Advanced environmental protection"),
            ("7.3", "资源循环利用产业", "Resource recycling"),
        ],
    ),
    (
        "8",
        "数字创意产业",
        "Digital creative industries",
        [
            ("8.1", "数字创意技术设备制造", "Digital creative technology equipment"),
            ("8.2", "数字文化创意活动", "Digital cultural and creative activities"),
        ],
    ),
    (
        "9",
        "相关服务业",
        "Related services",
        [
            ("9.1", "新技术与创新创业服务", "New technology and entrepreneurship services"),
            ("9.2", "其他相关服务", "Other related services"),
        ],
    ),
]

GOVERNMENT = [
    "沈阳市人民政府",
    "沈阳市发展和改革委员会",
    "沈阳市经济和信息化委员会",
    "沈阳市科学技术局",
    "沈阳市财政局",
    "沈阳市环境保护局",
    "沈阳市统计局",
    "沈阳市规划和国土资源局",
    "沈阳市人力资源和社会保障局",
    "沈阳市对外贸易经济合作局",
    "铁西区人民政府",
    "浑南区人民政府",
    "沈北新区人民政府",
    "苏家屯区人民政府",
    "法库县人民政府",
]
PARKS = ["中德装备园", "法库通用航空产业园", "沈阳节能环保产业园"]
# Fictional enterprises, universities and institutes.
ENTERPRISES = [
    "沈阳智造机器人有限公司",
    "北方通航装备股份有限公司",
    "浑河信息服务有限公司",
    "辽沈新材料科技有限公司",
    "盛京生物医药有限公司",
    "沈北新能源汽车有限公司",
    "东陵节能环保集团",
    "铁西数控机床有限公司",
]
UNIVERSITIES = ["东北工业大学", "沈阳理工学院", "辽河大学"]
INSTITUTES = ["沈阳自动化研究院", "沈阳材料科学研究院", "辽宁航空工程研究所"]
ASSOCIATIONS = ["沈阳市机器人产业协会"]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
GIVEN = [
    "建国",
    "志强",
    "海燕",
    "晓明",
    "丽华",
    "文博",
    "振华",
    "红梅",
    "立新",
    "秀英",
    "国栋",
    "玉兰",
    "德胜",
    "春生",
    "明远",
    "静怡",
    "卫东",
    "淑珍",
    "宏伟",
    "雅琴",
]
TITLES = [
    ("教授", "senior"),
    ("研究员", "senior"),
    ("教授级高级工程师", "senior"),
    ("高级工程师", "deputy_senior"),
    ("副教授", "deputy_senior"),
    ("副研究员", "deputy_senior"),
    ("工程师", "intermediate"),
    ("高级经济师", "deputy_senior"),
]
SPECIALTIES = {
    "2.1": "工业机器人,智能制造,机器视觉",
    "2.2": "通用航空,航空发动机,机载设备",
    "1.3": "软件工程,信息服务,工业互联网",
    "1.4": "大数据,云计算",
    "3.3": "石墨烯,高温合金",
    "4.1": "生物医药,创新药",
    "5.1": "动力电池,整车集成",
    "6.2": "风电装备",
    "7.1": "余热利用,节能诊断",
    "7.2": "大气治理,固废处理",
    "1.5": "人工智能,机器人控制",
    "2.4": "轨道交通装备",
    "6.4": "智能电网,储能",
}


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
        if role == roles.SECRETARIAT:
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


# The last four demo experts show the other statuses; the first 36 stay active so draws work.
OTHER_STATUSES = {37: "suspended", 38: "candidate", 39: "expired", 40: "dismissed"}
STATUS_REASONS = {
    "suspended": "赴外地挂职一年，暂停履职",
    "expired": "任期届满",
    "dismissed": "本人申请辞去委员职务",
}
# Employers from which some experts declare a conflict (an advisory role, a relative's employer).
CONFLICT_REASONS = ["担任该企业技术顾问", "配偶在该单位任职", "近三年与该单位有合作项目"]


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
