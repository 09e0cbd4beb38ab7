"""What the consolidation's documents (.docx, .pdf, .xlsx) say, shared by the three: the parts
under their official headings (一、（一）1.), the signature table with each member's answer to the
group opinion, the seal line, and the independence record of each opinion. Reservations, refusals
and missing answers are shown in full, as dissent is (§30)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consultations.consolidation.charts import conclusion_label
from consultations.doc_templates.official import chinese_number, number_parts
from consultations.responses.models import Response


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _fmt(value):
    return "—" if value is None else f"{value:.2f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------- content shared by the documents


def response_text(response):
    if not response:
        return _("not answered yet")
    label = dict(Response.Status.choices)[response["status"]]
    return f"{label}: {response['reason']}" if response["reason"] else str(label)


def document_content(data):
    """The ordered parts of the document (headings 一、（一）1.), from ``consolidate(...)``."""
    review = data["review"]
    consolidation = data["consolidation"]
    scores = data["scores"]
    parts = [
        {
            "heading": _("Overview"),
            "lines": [
                _("Plan: {plan} (version {version}).").format(
                    plan=review.plan.title, version=review.plan_version.number
                ),
                _("Mode: {mode}; panel of {n}; {m} sealed opinion(s).").format(
                    mode=review.get_mode_display(), n=len(data["panel"]), m=len(data["opinions"])
                ),
            ],
        },
        {
            "heading": _("Conclusions"),
            "lines": [f"{conclusion_label(c)}: {n}" for c, n in data["tallies"].items()]
            + [_("Agreement: {state}.").format(state=agreement_label(data["agreement"]))],
        },
        {
            "heading": _("Scores"),
            "lines": [
                _(
                    "{label}: mean {mean}, median {median}, minimum {min}, maximum {max}, spread {stdev} (of {scale})."
                ).format(
                    label=row["label"],
                    mean=_fmt(row["mean"]),
                    median=_fmt(row["median"]),
                    min=_fmt(row["min"]),
                    max=_fmt(row["max"]),
                    stdev=_fmt(row["stdev"]),
                    scale=row["scale"],
                )
                for row in scores.values()
            ],
        },
        {"heading": _("Group opinion"), "lines": consolidation.group_opinion.splitlines() or [_("(not written yet)")]},
        {"heading": _("Points by section of the plan"), "lines": [], "groups": _point_groups(data)},
        {
            "heading": _("Dissenting opinions"),
            "lines": [
                line
                for o in data["dissent"]
                for line in [f"{o.author}（{conclusion_label(o.conclusion)}）: {o.summary}"]
                + [f"— {p.text}" for p in o.live]
            ]
            + [
                f"{c.expert.name if (c.expert_id and data['names']) else ''} {c.text}".strip()
                for c in data["dissent_comments"]
            ]
            or [_("None.")],
        },
        independence_part(data),
    ]
    parts.insert(4, answers_part(data))
    return number_parts(parts)


def answer_text(confirmation):
    """One member's answer as the documents write it: the answer, its time, and its text."""
    if confirmation is None:
        return _("not answered yet")
    line = f"{confirmation.get_kind_display()} {_local(confirmation.at)}"
    return f"{line}: {confirmation.text}" if confirmation.text else line


def answers_part(data):
    """Each member's answer to the group opinion; reservations and refusals in full."""
    consolidation = data["consolidation"]
    lines = [f"{m['name']}: {answer_text(m['confirmation'])}" for m in data["panel"]]
    if consolidation.confirm_by:
        lines.append(_("Answers were due by {at}.").format(at=_local(consolidation.confirm_by)))
    return {"heading": _("Answers of the panel to the group opinion"), "lines": lines or [_("None.")]}


def independence_rows(data):
    """``(author, could read the others from, changed after reading, [change lines])`` per opinion."""
    rows = []
    for opinion in data["opinions"]:
        record = opinion.independence
        changes = [
            _("version {number} ({kind}, {at}): {what}").format(
                number=c["number"], kind=c["kind_label"], at=_local(c["at"]), what=c["summary"]
            )
            for c in record["changes"]
        ]
        rows.append((opinion.author, _local(record["read_others_at"]), record["changed_after_reading_others"], changes))
    return rows


def independence_part(data):
    """For each opinion: whether it was changed after its author could read the others', and how."""
    lines = []
    for author, read_from, changed, changes in independence_rows(data):
        if changed:
            lines.append(
                _("{author}: changed after reading the others' opinions (readable from {at}).").format(
                    author=author, at=read_from
                )
            )
            lines += [f"— {line}" for line in changes]
        else:
            lines.append(_("{author}: not changed after reading the others' opinions.").format(author=author))
    return {"heading": _("Independence of the opinions"), "lines": lines or [_("None.")]}


def _point_groups(data):
    groups = []
    response = _("Response")  # outside the f-string: makemessages does not look inside one
    for index, group in enumerate(data["groups"], start=1):
        title = group["title"] or (group["section"] or _("General"))
        groups.append(
            {
                "heading": f"（{chinese_number(index)}）{title}",
                "points": [
                    f"{number}. {p['text']}（{p['author']}）{response}: {response_text(p['response'])}"
                    for number, p in enumerate(group["points"], start=1)
                ],
            }
        )
    return groups


def agreement_label(state):
    return {
        "unanimous": _("unanimous"),
        "mixed": _("mixed"),
        "conflicting": _("conflicting"),
    }.get(state, _("no sealed opinion"))


def panel_rows(data):
    """The signature table: each member with their answer, its time and its text."""
    return [
        {
            "name": member["name"],
            "title": member["title"],
            "role": _("Chair") if member["chair"] else _("Member"),
            "confirmed": answer_text(member["confirmation"]),
        }
        for member in data["panel"]
    ]


SEALED_BY = {
    "chair": gettext_lazy("by the chair"),
    "secretariat": gettext_lazy("by the secretariat"),
    "all_answered": gettext_lazy("when every member had answered"),
    "deadline": gettext_lazy("at the confirmation deadline"),
}


def sealed_by_label(role):
    return str(SEALED_BY.get(role, ""))


def title(data):
    return _("Expert panel opinion on “{plan}”").format(plan=data["review"].plan.title)


def seal_line(data):
    consolidation = data["consolidation"]
    if consolidation.sealed_at:
        return _("Sealed {at} {by}, version {version}, SHA-256 {digest}").format(
            at=_local(consolidation.sealed_at),
            by=sealed_by_label(data["sealed_by"]),
            version=consolidation.version,
            digest=consolidation.digest,
        )
    return _("Version {version}, not yet sealed.").format(version=consolidation.version)
