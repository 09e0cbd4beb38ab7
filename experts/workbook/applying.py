"""Writing a checked plan through the roster's services, in one transaction."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from experts import services
from experts.models import Expert


class ImportRefused(Exception):
    def __init__(self, messages):
        super().__init__("; ".join(str(m) for m in messages))
        self.messages = messages


def apply_plan(plan, *, by, skip_rows=(), progress=None):
    """Write a checked plan in one transaction. Refuses (writing nothing) while a row with errors
    is not in ``skip_rows``. ``progress(done, total)`` is called as rows are written. Returns the
    summary ``{"created", "updated", "unchanged", "skipped"}``. The services check ``by``."""
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
