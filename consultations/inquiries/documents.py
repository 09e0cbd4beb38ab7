"""A consultation's answers as documents to file, in the committee's official layout
(``consultations.doc_templates.official``) and as a spreadsheet. Made on request: a consultation's
answers are short, and what a document shows depends on the reader's rights (names or letters,
answers visible at this stage), so nothing is cached."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from consultations.doc_templates.official import append_text_row, chinese_number, number_parts, render_official_docx


def _parts(consultation, groups, answers, asked):
    overview = [_("Consultation: {title}.").format(title=consultation.title)]
    if asked:  # how many were asked and answered: for those who pose it (rules.sees_who_is_asked)
        overview.append(
            _("Experts asked: {n}; answers submitted: {m}.").format(
                n=consultation.recipients.count(), m=sum(1 for a in answers if a.submitted_at)
            )
        )
    if consultation.closes_at:
        due = timezone.localtime(consultation.closes_at).strftime("%Y-%m-%d %H:%M")
        overview.append(_("Answers due {date}.").format(date=due))
    parts = [
        {"heading": _("Overview"), "lines": overview},
        {"heading": _("Background"), "lines": consultation.background.splitlines() or [_("None.")]},
        {
            "heading": _("Answers by question"),
            "lines": [] if groups else [_("None.")],
            "groups": [
                {
                    "heading": f"（{chinese_number(index)}）{group['question'].text}",
                    "points": [
                        f"{number}. {p['text']}（{p['author']}）" for number, p in enumerate(group["points"], start=1)
                    ]
                    or [_("No answer to this question yet.")],
                }
                for index, group in enumerate(groups, start=1)
            ],
        },
    ]
    return number_parts(parts)


def docx_bytes(consultation, groups, answers, labels, *, asked=False):
    """``asked``: the reader may know how many experts were asked (the overview says so)."""
    rows = [
        {
            "name": labels[a.pk],
            "title": "" if labels[a.pk] != a.expert.name else a.expert.title,
            "role": _("Submitted") if a.submitted_at else _("Draft"),
            "confirmed": timezone.localtime(a.submitted_at).strftime("%Y-%m-%d %H:%M") if a.submitted_at else "",
        }
        for a in answers
    ]
    return render_official_docx(
        {
            "title": _("Answers to the consultation “{title}”").format(title=consultation.title),
            "subtitle": timezone.localtime(timezone.now()).strftime("%Y-%m-%d"),
            "parts": _parts(consultation, groups, answers, asked),
            "signature_title": _("The answers and their seals"),
            "signature_note": _("Each expert sealed their answer in the portal at the time shown; the digests follow."),
            "columns": [_("Expert"), _("Title"), _("State"), _("Submitted")],
            "panel": rows,
            "seal_line": "; ".join(f"{labels[a.pk]}: SHA-256 {a.digest}" for a in answers if a.digest),
        }
    )


def xlsx_bytes(consultation, groups, answers, labels, *, asked=False):
    """The points, one per row, and the seals; like the reader's page, no count of who was asked."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "answers"
    sheet.append([_("Question"), _("Point"), _("Expert"), _("Text")])
    for index, group in enumerate(groups, start=1):
        for p in group["points"]:
            append_text_row(sheet, [f"{index}. {group['question'].text}", p["id"], p["author"], p["text"]])
    sealed = workbook.create_sheet("seals")
    sealed.append([_("Expert"), _("Submitted"), _("SHA-256 digest")])
    for a in answers:
        submitted = timezone.localtime(a.submitted_at).strftime("%Y-%m-%d %H:%M") if a.submitted_at else ""
        sealed.append([labels[a.pk], submitted, a.digest])
    for ws in (sheet, sealed):
        for cell in ws[1]:
            cell.font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


BUILDERS = {"docx": docx_bytes, "xlsx": xlsx_bytes}
