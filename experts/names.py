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


# --- the roster search's indexed columns (experts/selectors.py::search_experts reads them) ---
# ``search_text`` holds every field the search matches, folded, one field a line: a trigram
# index answers ``LIKE '%query%'`` for queries of 4 characters or more. Trigrams cannot
# answer 1 or 2 characters (张伟, zw), so ``search_grams`` lists every distinct piece of 1 to
# 3 characters of the same fields as a word (`` 张 伟 张伟 z w zw ``): a trigram index answers
# ``LIKE '% 张伟 %'`` exactly. 3 characters go there too: PostgreSQL guesses that
# ``LIKE '%wtq%'`` matches 0.8% of the rows and reads the whole table, ``'% wtq %'`` 0.03%.
# Both only narrow the rows: the search still applies its own conditions, so its results do
# not depend on them beyond being a superset.


GRAM_LENGTH = 3  # queries this long or shorter are looked up in ``search_grams``


def search_fold(text):
    """Case-folded text: the same folding for the columns and for the query."""
    return (text or "").casefold()


def search_columns(*, name, pinyin, initials, key, specialties, employer):
    """``(search_text, search_grams)`` for an expert's searchable fields."""
    parts = [search_fold(value) for value in (name, pinyin, initials, key, specialties, employer)]
    grams = set()
    for part in parts:
        for index in range(len(part)):
            for length in range(1, GRAM_LENGTH + 1):
                gram = part[index : index + length]
                if len(gram) < length or any(char.isspace() for char in gram):
                    break
                grams.add(gram)
    return "\n".join(parts), f" {' '.join(sorted(grams))} " if grams else ""
