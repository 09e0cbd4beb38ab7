"""The consolidation's charts as server-rendered SVG: readable without JavaScript, in print and
in the PDF. Every text in them is escaped."""

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from consultations.opinions.models import Opinion


def conclusion_label(value):
    return str(Opinion.Conclusion(value).label) if value in Opinion.Conclusion.values else ""


def tally_chart(tallies):
    """Horizontal bars, one per conclusion: readable without JavaScript, in print and in the PDF."""
    rows = list(tallies.items())
    title = escape(_("Conclusions"))  # outside the f-string: makemessages does not look inside one
    top = max([n for _c, n in rows] + [1])
    height = 34 * len(rows) + 10
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 400 {height}" width="400" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{title}</title>'
    ]
    for index, (conclusion, count) in enumerate(rows):
        y = 10 + 34 * index
        width = 0 if not count else max(4, int(200 * count / top))
        parts.append(
            f'<text x="0" y="{y + 17}" font-size="13">{escape(conclusion_label(conclusion))}</text>'
            f'<rect x="160" y="{y + 4}" width="{width}" height="18" fill="#1f5f99"/>'
            f'<text x="{166 + width}" y="{y + 18}" font-size="13">{count}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def spread_chart(scores):
    """Per criterion: each score as a dot, the min-max range as a line, the mean as a bar."""
    rows = list(scores.items())
    title = escape(_("Spread of the scores"))
    height = 40 * len(rows) + 20
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 400 {height}" width="400" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{title}</title>'
    ]
    for index, (_key, row) in enumerate(rows):
        y = 20 + 40 * index
        scale = row["scale"] or 1

        def x(value, scale=scale):
            return 180 + int(200 * value / scale)

        parts.append(
            f'<text x="0" y="{y + 5}" font-size="13">{escape(str(row["label"])[:14])}</text>'
            f'<line x1="180" y1="{y}" x2="380" y2="{y}" stroke="#ccc"/>'
        )
        if row["count"]:
            parts.append(
                f'<line x1="{x(row["min"])}" y1="{y}" x2="{x(row["max"])}" y2="{y}" stroke="#1f5f99" stroke-width="3"/>'
                f'<rect x="{x(row["mean"]) - 1}" y="{y - 9}" width="3" height="18" fill="#b22222"/>'
            )
            for value in row["values"]:
                parts.append(f'<circle cx="{x(value)}" cy="{y}" r="4" fill="#1f5f99" fill-opacity="0.6"/>')
        parts.append(f'<text x="180" y="{y + 22}" font-size="11">0</text>')
        parts.append(f'<text x="370" y="{y + 22}" font-size="11">{scale}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
