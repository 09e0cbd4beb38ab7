"""Chinese names: pinyin, initials for search (``zs`` finds 张三), and surname strokes for ordering."""

from pypinyin import Style, lazy_pinyin

# Surnames whose pinyin differs from the everyday reading of the character.
SURNAME_READINGS = {
    "单": "shan",
    "曾": "zeng",
    "仇": "qiu",
    "解": "xie",
    "朴": "piao",
    "区": "ou",
    "查": "zha",
    "乐": "yue",
    "尉迟": "yuchi",
    "万俟": "moqi",
    "缪": "miao",
    "翟": "zhai",
    "盖": "ge",
    "覃": "qin",
}


def name_pinyin(name):
    """Full pinyin, syllables separated by spaces, surname read as a surname."""
    for surname, reading in SURNAME_READINGS.items():
        if name.startswith(surname):
            return " ".join([reading, *lazy_pinyin(name[len(surname) :])]).strip()
    return " ".join(lazy_pinyin(name))


def name_initials(name):
    """Pinyin initials in lower case: 张三 → ``zs``. Latin letters pass through."""
    return "".join(syllable[0] for syllable in name_pinyin(name).split() if syllable).lower()


def pinyin_initials(text):
    """Initials of any text, for search over tags and employers."""
    return "".join(item[0] for item in lazy_pinyin(text, style=Style.FIRST_LETTER) if item).lower()
