"""The workbook's layout: its columns, which are required, and how choice cells are read."""

from django.utils import translation

from experts.models import Expert

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000

# (field, header). The headers are the template's, in Chinese, and are not translated: a
# workbook must read the same whichever language its author's browser uses. English field
# names are accepted as headers too.
COLUMNS = [
    ("key", "编号"),
    ("name", "姓名"),
    ("category", "类别"),
    ("title", "职称"),
    ("title_level", "职称级别"),
    ("position", "职务"),
    ("employer", "工作单位"),
    ("primary_domain", "主要领域代码"),
    ("domains", "其他领域代码"),
    ("specialties", "专长标签"),
    ("mobile", "手机"),
    ("email", "电子邮箱"),
    ("term_start", "任期开始"),
    ("term_end", "任期结束"),
    ("appointment_letter", "聘书文号"),
    ("status", "状态"),
    ("username", "账号"),
    ("biography", "简介"),
]
LABELS = dict(COLUMNS)
REQUIRED = ("key", "name", "category")
CHOICE_FIELDS = {"category": Expert.Category, "title_level": Expert.TitleLevel, "status": Expert.Status}
TEXT_FIELDS = ("title", "position", "specialties", "email", "appointment_letter", "biography")


def choice_lookup(choices):
    """Accept the code, the English label or the Chinese label of a choice."""
    lookup = {}
    for value, label in choices.choices:
        lookup[value.lower()] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                lookup[str(label).strip().lower()] = value
    return lookup
