"""Reading and checking a workbook: the dry run that writes nothing. Each row becomes a planned
creation, update or "unchanged", or a list of errors with the spreadsheet's own row number."""

import datetime
import io
import zipfile
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from experts import services
from experts.models import Domain, Expert, Organization
from experts.workbook.columns import (
    CHOICE_FIELDS,
    COLUMNS,
    LABELS,
    MAX_BYTES,
    MAX_ROWS,
    REQUIRED,
    TEXT_FIELDS,
    choice_lookup,
)


@dataclass
class Row:
    number: int
    key: str = ""
    name: str = ""
    action: str = ""  # create, update, unchanged, error
    values: dict = field(default_factory=dict)
    domains: list = field(default_factory=list)
    username: str = ""
    changes: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    @property
    def messages(self):
        return [_("Row %(number)s: %(message)s") % {"number": self.number, "message": m} for m in self.errors]


@dataclass
class Plan:
    rows: list
    errors: list = field(default_factory=list)  # problems with the workbook as a whole

    def count(self, action):
        return sum(1 for row in self.rows if row.action == action)

    @property
    def error_rows(self):
        return [row for row in self.rows if row.action == "error"]

    @property
    def summary(self):
        return {action: self.count(action) for action in ("create", "update", "unchanged", "error")}


def _open(upload):
    """``(book, problems)``: the workbook, or why it cannot be read."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        return None, [_("The workbook is larger than 10 MB.")]
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        return None, [_("The workbook is larger than 10 MB.")]
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True), []
    except (InvalidFileException, KeyError, OSError, ValueError, TypeError, zipfile.BadZipFile):
        return None, [_("The file is not an .xlsx workbook. Start from the template.")]


def _header_fields(header):
    """The field of each column, from the headers (Chinese or field names); ``None`` if unknown."""
    by_header = {header_text: name for name, header_text in COLUMNS} | {name: name for name, _h in COLUMNS}
    return [by_header.get(str(cell).strip()) if cell is not None else None for cell in header]


def read_rows(upload):
    """``(rows, problems)``: each row a dict by field name plus its spreadsheet row number."""
    book, problems = _open(upload)
    if problems:
        return [], problems
    rows = book.worksheets[0].iter_rows(values_only=True)
    header = next(rows, None)
    if not header:
        return [], [_("The workbook is empty.")]
    fields = _header_fields(header)
    missing = [h for name, h in COLUMNS if name in REQUIRED and name not in fields]
    if missing:
        return [], [_("The first row lacks the columns: %(columns)s.") % {"columns": ", ".join(missing)}]
    result = []
    for number, cells in enumerate(rows, start=2):
        if number - 1 > MAX_ROWS:
            return [], [_("The workbook has more than %(max)s rows.") % {"max": MAX_ROWS}]
        if all(cell is None or str(cell).strip() == "" for cell in cells):
            continue
        values = {name: cell for name, cell in zip(fields, cells, strict=False) if name}
        values["_number"] = number
        result.append(values)
    book.close()
    return result, []


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value, label, errors):
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(_text(value))
    except ValueError:
        errors.append(_("%(column)s is not a date (YYYY-MM-DD): %(value)s") % {"column": label, "value": value})
        return None


class _Context:
    """What checking needs, loaded once for the whole workbook (not once per row)."""

    def __init__(self, keys):
        self.experts = {
            e.key: e for e in Expert.objects.filter(key__in=keys).select_related("employer", "primary_domain", "user")
        }
        self.expert_domains = {}
        for expert in self.experts.values():
            self.expert_domains[expert.pk] = set()
        links = Expert.domains.through.objects.filter(expert_id__in=[e.pk for e in self.experts.values()])
        for expert_id, code in links.values_list("expert_id", "domain__code"):
            self.expert_domains[expert_id].add(code)
        self.domains = {d.code: d for d in Domain.objects.all()}
        self.organizations = {o.name: o for o in Organization.objects.all()}
        self.choices = {name: choice_lookup(choices) for name, choices in CHOICE_FIELDS.items()}
        self.usernames = set(get_user_model().objects.values_list("username", flat=True))


def _check_identity(row, raw, seen_keys):
    """The required columns, and a key that no earlier row of the workbook used."""
    for name in REQUIRED:
        if not _text(raw.get(name)):
            row.errors.append(_("%(column)s is required.") % {"column": LABELS[name]})
    if row.key and row.key in seen_keys:
        row.errors.append(
            _("the key %(key)s also appears in row %(other)s.") % {"key": row.key, "other": seen_keys[row.key]}
        )
    elif row.key:
        seen_keys[row.key] = row.number


def _read_values(raw, context, errors):
    """The name, the text columns, the choices and the mobile number, as the services take them."""
    values = {"name": _text(raw.get("name"))}
    for name in TEXT_FIELDS:
        if name in raw:
            values[name] = _text(raw.get(name))
    for name, lookup in context.choices.items():
        text = _text(raw.get(name))
        if name not in raw or (not text and name != "category"):
            continue
        if text.lower() not in lookup:
            errors.append(_("%(column)s has an unknown value: %(value)s") % {"column": LABELS[name], "value": text})
        else:
            values[name] = lookup[text.lower()]
    if "mobile" in raw:
        try:
            values["mobile"] = services.clean_mobile(_text(raw.get("mobile")))
        except ValidationError:
            errors.append(_("the mobile number %(value)s is not 11 digits.") % {"value": _text(raw.get("mobile"))})
    return values


def _read_relations(raw, context, values, errors):
    """The employer and the primary domain into ``values``; returns every domain code of the row."""
    employer = _text(raw.get("employer"))
    if "employer" in raw:
        if employer and employer not in context.organizations:
            errors.append(_("unknown employer %(name)s: add the organisation first.") % {"name": employer})
        values["employer"] = context.organizations.get(employer)
    primary = _text(raw.get("primary_domain"))
    if "primary_domain" in raw:
        if primary and primary not in context.domains:
            errors.append(_("unknown domain code %(code)s.") % {"code": primary})
        values["primary_domain"] = context.domains.get(primary)
    codes = [c.strip() for c in _text(raw.get("domains")).replace("，", ",").split(",") if c.strip()]
    for code in codes:
        if code not in context.domains:
            errors.append(_("unknown domain code %(code)s.") % {"code": code})
    return sorted({*codes, *([primary] if primary else [])})


def _read_term(raw, values, errors):
    for name in ("term_start", "term_end"):
        if name in raw:
            values[name] = _date(raw.get(name), LABELS[name], errors)
    if values.get("term_start") and values.get("term_end") and values["term_end"] < values["term_start"]:
        errors.append(_("the term ends before it starts."))


def _check_row(raw, context, seen_keys):
    row = Row(number=raw["_number"], key=_text(raw.get("key")), name=_text(raw.get("name")))
    _check_identity(row, raw, seen_keys)
    row.values = _read_values(raw, context, row.errors)
    row.domains = _read_relations(raw, context, row.values, row.errors)
    _read_term(raw, row.values, row.errors)
    row.username = _text(raw.get("username"))
    if not row.errors:
        _check_fields(row)
    _plan_row(row, context)
    return row


def _check_fields(row):
    """The model's own field checks (lengths, email), without a query per row."""
    simple = {k: v for k, v in row.values.items() if k not in ("employer", "primary_domain")}
    try:
        Expert(key=row.key, **simple).full_clean(
            exclude=["user", "employer", "primary_domain"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            column = LABELS.get(name, name)
            row.errors.extend(f"{column}: {message}" for message in messages)


def _plan_row(row, context):
    existing = context.experts.get(row.key)
    if row.username and (existing is None or existing.user_id is None) and row.username in context.usernames:
        row.errors.append(_("the username %(name)s is already taken.") % {"name": row.username})
    if row.errors:
        row.action = "error"
        return
    if existing is None:
        row.action = "create"
        return
    status = row.values.get("status")
    if status and status != existing.status and status not in services.STATUS_TRANSITIONS[existing.status]:
        row.errors.append(
            _("an expert who is %(current)s cannot become %(new)s.")
            % {"current": existing.get_status_display(), "new": Expert.Status(status).label}
        )
        row.action = "error"
        return
    for name, value in row.values.items():
        current = getattr(existing, name)
        if current != value and not (current in (None, "") and value in (None, "")):
            row.changes.append(name)
    if set(row.domains) != context.expert_domains.get(existing.pk, set()) and row.domains:
        row.changes.append("domains")
    row.action = "update" if row.changes else "unchanged"


def check_workbook(upload):
    """The dry run: read and check every row; writes nothing."""
    raws, problems = read_rows(upload)
    if problems:
        return Plan(rows=[], errors=problems)
    if not raws:
        return Plan(rows=[], errors=[_("The workbook has no rows below the headers.")])
    context = _Context([_text(raw.get("key")) for raw in raws])
    seen = {}
    return Plan(rows=[_check_row(raw, context, seen) for raw in raws])
