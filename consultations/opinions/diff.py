"""Character-level comparison of two opinion versions, for Chinese as for any text.

``difflib.SequenceMatcher(autojunk=False)`` over characters: Chinese has no spaces to split
words on, and autojunk would treat frequent characters (的, 。) as noise. The HTML uses classes
only (``diff-ins``, ``diff-del``): the portal's CSP forbids inline styles.
"""

from difflib import SequenceMatcher

from django.utils.html import format_html, format_html_join

from reviews.criteria import label_of


def char_ops(before, after):
    """``[(op, text)]`` with op one of ``equal``, ``insert``, ``delete``."""
    ops = []
    matcher = SequenceMatcher(None, before or "", after or "", autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(("equal", before[i1:i2]))
            continue
        if tag in ("delete", "replace"):
            ops.append(("delete", before[i1:i2]))
        if tag in ("insert", "replace"):
            ops.append(("insert", after[j1:j2]))
    return ops


def render(ops):
    templates = {"equal": "{}", "insert": '<ins class="diff-ins">{}</ins>', "delete": '<del class="diff-del">{}</del>'}
    return format_html_join("", "{}", ((format_html(templates[op], text),) for op, text in ops))


def _scores_text(scores, criteria):
    """Each score under its criterion's name in the reader's language (``reviews.criteria``)."""
    return "; ".join(f"{label_of(criteria, key)}: {value}" for key, value in sorted((scores or {}).items()))


def compare(before, after, *, criteria=None):
    """Field by field: ``[{"field", "label_key", "before", "after", "html", "changed"}]``; the
    scores named by ``criteria`` (the review's).

    Points are matched by id; a point only in one version shows as wholly added or removed."""
    rows = []
    for field in ("conclusion", "summary"):
        rows.append(_row(field, before.get(field, ""), after.get(field, "")))
    rows.append(
        _row("scores", _scores_text(before.get("scores"), criteria), _scores_text(after.get("scores"), criteria))
    )
    old = {p["id"]: p for p in before.get("points", [])}
    new = {p["id"]: p for p in after.get("points", [])}
    order = [p["id"] for p in before.get("points", [])] + [
        p["id"] for p in after.get("points", []) if p["id"] not in old
    ]
    for point_id in order:
        a, b = old.get(point_id), new.get(point_id)
        row = _row(f"points.{point_id}", (a or {}).get("text", ""), (b or {}).get("text", ""))
        row["section"] = (b or a).get("section", "")
        rows.append(row)
    return rows


def _row(field, before, after):
    before, after = str(before or ""), str(after or "")
    return {
        "field": field,
        "before": before,
        "after": after,
        "changed": before != after,
        "html": render(char_ops(before, after)),
    }


def changes(before, after, *, criteria=None):
    """The changed fields only, as plain data (the API's ``changes``)."""
    return [
        {"field": row["field"], "before": row["before"], "after": row["after"]}
        for row in compare(before or {}, after, criteria=criteria)
        if row["changed"]
    ]
