"""The roster's demo data as plain values: the industry taxonomy and the organisations of the
source document (shared/seed/), and what the fictional experts are made of."""

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

# expert01 is the first account a newcomer tries: an entrepreneur at a machine-tool maker, in the
# fields of the robot and the aviation plans and a party to neither, so the reviews demo seats them
# on both (a pending invitation, an opinion to write). The others are generated.
FIRST_EXPERT = "expert01"
FIRST_EXPERT_PROFILE = {"employer": "铁西数控机床有限公司", "primary_domain": "2.1", "domains": ["2.1", "2.2"]}

# The last four demo experts show the other statuses; the first 36 stay active so draws work.
OTHER_STATUSES = {37: "suspended", 38: "candidate", 39: "expired", 40: "dismissed"}
STATUS_REASONS = {
    "suspended": "赴外地挂职一年，暂停履职",
    "expired": "任期届满",
    "dismissed": "本人申请辞去委员职务",
}
# Employers from which some experts declare a conflict (an advisory role, a relative's employer).
CONFLICT_REASONS = ["担任该企业技术顾问", "配偶在该单位任职", "近三年与该单位有合作项目"]
