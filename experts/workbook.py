"""The roster as an .xlsx workbook: the template, the export, and the import.

An import is read and checked in full first (a dry run that changes nothing): each row becomes
a planned creation, update or "unchanged", or a list of errors ("第 N 行: ..." with the
spreadsheet's own row number). Nothing is written while any row has errors, unless the
secretariat skips those rows on purpose. Rows are matched to experts by the stable ``key``, so
importing the same workbook again changes nothing.
"""

import datetime
import io
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from experts import services
from experts.models import Domain, Expert, Organization
from experts.privacy import contact_for

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
REQUIRED = ("key", "name", "category")
CHOICE_FIELDS = {"category": Expert.Category, "title_level": Expert.TitleLevel, "status": Expert.Status}
TEXT_FIELDS = ("title", "position", "specialties", "email", "appointment_letter", "biography")


def _choice_lookup(choices):
    """Accept the code, the English label or the Chinese label of a choice."""
    lookup = {}
    for value, label in choices.choices:
        lookup[value.lower()] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                lookup[str(label).strip().lower()] = value
    return lookup


# --- writing ------------------------------------------------------------------------------


def _new_sheet():
    book = Workbook()
    sheet = book.active
    sheet.title = "专家名册"
    sheet.append([header for _field, header in COLUMNS])
    sheet.freeze_panes = "A2"
    for index, (_field, header) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(12, len(header) * 3)
    return book, sheet


def _save(book):
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template_bytes():
    """An empty workbook with the headers and one example row to overwrite."""
    book, sheet = _new_sheet()
    sheet.append(
        [
            "EXP-0001",
            "张三",
            "specialist",
            "教授级高级工程师",
            "senior",
            "总工程师",
            "沈阳自动化研究院",
            "2.1",
            "1.5",
            "工业机器人,机器视觉",
            "13812345678",
            "zhangsan@example.cn",
            "2026-01-01",
            "2028-12-31",
            "沈发改聘〔2026〕1号",
            "active",
            "",
            "",
        ]
    )
    notes = book.create_sheet("说明")
    notes.append(["列", "说明"])
    notes.append(["编号", "必填。每位专家唯一且不变；再次导入时按编号更新。"])
    notes.append(["类别", "entrepreneur / specialist / scholar（或中文名称）"])
    notes.append(["职称级别", "senior / deputy_senior / intermediate / none"])
    notes.append(["主要领域代码、其他领域代码", "领域代码，如 2.1；多个用逗号分隔"])
    notes.append(["状态", "candidate / active / suspended / expired / dismissed"])
    notes.append(["日期", "YYYY-MM-DD"])
    notes.append(["账号", "可选：为专家新建登录账号的用户名"])
    return _save(book)


def export_bytes(experts, *, viewer, unmasked=False):
    """The given experts as a workbook, contact details as ``viewer`` may see them (in full only
    when ``unmasked``: the caller recorded it with ``privacy.unmask_many``)."""
    book, sheet = _new_sheet()
    for expert in experts:
        contact = contact_for(viewer, expert, unmasked=unmasked)
        primary = expert.primary_domain.code if expert.primary_domain_id else ""
        others = [d.code for d in expert.domains.all() if d.code != primary]
        sheet.append(
            [
                expert.key,
                expert.name,
                expert.category,
                expert.title,
                expert.title_level,
                expert.position,
                expert.employer.name if expert.employer_id else "",
                primary,
                ",".join(others),
                expert.specialties,
                contact["mobile"],
                contact["email"],
                expert.term_start.isoformat() if expert.term_start else "",
                expert.term_end.isoformat() if expert.term_end else "",
                expert.appointment_letter,
                expert.status,
                expert.user.username if expert.user_id else "",
                expert.biography,
            ]
        )
    return _save(book)


# --- reading ------------------------------------------------------------------------------


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


def read_rows(upload):
    """``(rows, problems)``: each row a dict by field name plus its spreadsheet row number."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        return [], [_("The workbook is larger than 10 MB.")]
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        return [], [_("The workbook is larger than 10 MB.")]
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError, TypeError, zipfile.BadZipFile):
        return [], [_("The file is not an .xlsx workbook. Start from the template.")]
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if not header:
        return [], [_("The workbook is empty.")]
    by_header = {header_text: name for name, header_text in COLUMNS} | {name: name for name, _h in COLUMNS}
    fields = [by_header.get(str(cell).strip()) if cell is not None else None for cell in header]
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
        self.choices = {name: _choice_lookup(choices) for name, choices in CHOICE_FIELDS.items()}
        from django.contrib.auth import get_user_model

        self.usernames = set(get_user_model().objects.values_list("username", flat=True))


def _check_row(raw, context, seen_keys):
    labels = dict(COLUMNS)
    row = Row(number=raw["_number"], key=_text(raw.get("key")), name=_text(raw.get("name")))
    errors = row.errors
    for name in REQUIRED:
        if not _text(raw.get(name)):
            errors.append(_("%(column)s is required.") % {"column": labels[name]})
    if row.key and row.key in seen_keys:
        errors.append(
            _("the key %(key)s also appears in row %(other)s.") % {"key": row.key, "other": seen_keys[row.key]}
        )
    elif row.key:
        seen_keys[row.key] = row.number
    values = {"name": row.name}
    for name in TEXT_FIELDS:
        if name in raw:
            values[name] = _text(raw.get(name))
    for name, lookup in context.choices.items():
        text = _text(raw.get(name))
        if name not in raw or (not text and name != "category"):
            continue
        if text.lower() not in lookup:
            errors.append(_("%(column)s has an unknown value: %(value)s") % {"column": labels[name], "value": text})
        else:
            values[name] = lookup[text.lower()]
    if "mobile" in raw:
        try:
            values["mobile"] = services.clean_mobile(_text(raw.get("mobile")))
        except ValidationError:
            errors.append(_("the mobile number %(value)s is not 11 digits.") % {"value": _text(raw.get("mobile"))})
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
    row.domains = sorted({*codes, *([primary] if primary else [])})
    for name in ("term_start", "term_end"):
        if name in raw:
            values[name] = _date(raw.get(name), labels[name], errors)
    if values.get("term_start") and values.get("term_end") and values["term_end"] < values["term_start"]:
        errors.append(_("the term ends before it starts."))
    row.values = values
    row.username = _text(raw.get("username"))
    if not errors:
        _check_fields(row, labels)
    _plan_row(row, context)
    return row


def _check_fields(row, labels):
    """The model's own field checks (lengths, email), without a query per row."""
    simple = {k: v for k, v in row.values.items() if k not in ("employer", "primary_domain")}
    try:
        Expert(key=row.key, **simple).full_clean(
            exclude=["user", "employer", "primary_domain"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            column = labels.get(name, name)
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


class ImportRefused(Exception):
    def __init__(self, messages):
        super().__init__("; ".join(str(m) for m in messages))
        self.messages = messages


def apply_plan(plan, *, by, skip_rows=(), progress=None):
    """Write a checked plan in one transaction. Refuses (writing nothing) while a row with errors
    is not in ``skip_rows``. ``progress(done, total)`` is called as rows are written. Returns the
    summary ``{"created", "updated", "unchanged", "skipped"}``."""
    skip_rows = set(skip_rows)
    if plan.errors:
        raise ImportRefused(plan.errors)
    unresolved = [row for row in plan.error_rows if row.number not in skip_rows]
    if unresolved:
        raise ImportRefused([m for row in unresolved for m in row.messages])
    reason = _("Imported from a workbook")
    counts = {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0}
    todo = [row for row in plan.rows if row.action in ("create", "update")]
    counts["unchanged"] = plan.count("unchanged")
    counts["skipped"] = len(plan.error_rows)
    try:
        with transaction.atomic():
            for done, row in enumerate(todo, start=1):
                _write_row(row, by=by, reason=reason)
                counts["created" if row.action == "create" else "updated"] += 1
                if progress is not None:
                    progress(done, len(todo))
    except ValidationError as error:
        message = _("Row %(number)s: %(message)s")
        raise ImportRefused([message % {"number": row.number, "message": m} for m in error.messages])
    return counts


def _write_row(row, *, by, reason):
    values = dict(row.values)
    status = values.pop("status", None)
    if row.action == "create":
        # The first record may start in any status: a roster kept elsewhere has its history.
        services.create_expert(
            by=by,
            reason=reason,
            key=row.key,
            domains=row.domains,
            username=row.username or None,
            status=status or Expert.Status.CANDIDATE,
            **values,
        )
        return
    expert = Expert.objects.get(key=row.key)
    services.update_expert(expert, by=by, reason=reason, domains=row.domains or None, **values)
    if status and status != expert.status:
        services.change_expert_status(expert, status=status, by=by, reason=reason)
