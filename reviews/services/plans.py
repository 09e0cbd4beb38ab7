"""Writes for plans and their versions: submitting a plan, checking and storing a document."""

import hashlib
import io
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core.uploads import check_archive, safe_filename
from experts.models import Domain
from reviews import documents, rules
from reviews.history import save_with_history
from reviews.models import Plan, PlanVersion

MAX_DOCUMENT_BYTES = 30 * 1024 * 1024
DOCX_MAIN_PART = "word/document.xml"


@transaction.atomic
def create_plan(*, by, title, kind, submitted_by, domains=(), related_organizations=()):
    """A department's plan (the secretariat for any organisation, a department for its own)."""
    rules.require(
        rules.can_submit_plan, by, submitted_by.pk, message=_("You may submit plans for your own organisation only.")
    )
    if not (title or "").strip():
        raise ValidationError({"title": [_("A plan needs a title.")]})
    if kind not in Plan.Kind.values:
        raise ValidationError({"kind": [_("Choose one of the plan kinds.")]})
    plan = Plan(title=title.strip(), kind=kind, submitted_by=submitted_by, created_by=by)
    save_with_history(plan, by=by, reason="submitted")
    plan.domains.set(Domain.objects.filter(code__in=[getattr(d, "code", d) for d in domains]))
    plan.related_organizations.set(related_organizations)
    return plan


def check_document(name, data):
    """Accept a real .docx or .pdf only; raise ``ValidationError`` otherwise."""
    lower = name.lower()
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ValidationError(_("The document is larger than 30 MB."), code="too_large")
    if lower.endswith(".pdf"):
        if not data.startswith(b"%PDF-"):
            raise ValidationError(_("The file is named .pdf but is not a PDF document."), code="invalid")
        return
    if lower.endswith(".docx"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if DOCX_MAIN_PART not in archive.namelist():
                    raise ValidationError(_("The file is named .docx but is not a Word document."), code="invalid")
                check_archive(archive)  # zip bombs, too many parts, paths leaving the archive
        except zipfile.BadZipFile:
            raise ValidationError(_("The file is named .docx but is not a Word document."), code="invalid") from None
        return
    raise ValidationError(_("Only .docx and .pdf documents can be uploaded."), code="type")


@transaction.atomic
def add_plan_version(plan, *, upload, by, drafters=()):
    """Store a new numbered version of a plan's document; earlier versions stay as they were.
    ``drafters``: experts of the roster who took part in drafting it (excluded from its reviews
    and those of later versions while the rule ``exclude_drafters`` holds)."""
    rules.require(rules.can_add_version, by, plan, message=_("You may not add versions to this plan."))
    data = upload.read(MAX_DOCUMENT_BYTES + 1)
    check_document(upload.name, data)
    Plan.objects.select_for_update().filter(pk=plan.pk).first()  # serialise version numbering
    number = (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = PlanVersion(
        plan=plan,
        number=number,
        original_name=safe_filename(upload.name, max_length=200),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=by,
    )
    extension = ".pdf" if upload.name.lower().endswith(".pdf") else ".docx"
    version.document.save(f"plan-{plan.pk}-v{number}{extension}", ContentFile(data), save=False)
    version.blocks, version.conversion_error = documents.convert(upload.name, data)
    version.save()
    if drafters:
        version.drafters.set(drafters)
    return version
