"""Writes for plans, reviews, draws and assignments."""

import hashlib
import io
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from experts.models import Domain

from .models import Plan, PlanVersion

MAX_DOCUMENT_BYTES = 30 * 1024 * 1024
DOCX_MAIN_PART = "word/document.xml"


@transaction.atomic
def create_plan(*, by, title, kind, submitted_by, domains=(), related_organizations=()):
    plan = Plan(title=title, kind=kind, submitted_by=submitted_by, created_by=by)
    plan._history_user = by
    plan.save()
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
        except zipfile.BadZipFile:
            raise ValidationError(_("The file is named .docx but is not a Word document."), code="invalid") from None
        return
    raise ValidationError(_("Only .docx and .pdf documents can be uploaded."), code="type")


@transaction.atomic
def add_plan_version(plan, *, upload, by):
    """Store a new numbered version of a plan's document; earlier versions stay as they were."""
    data = upload.read(MAX_DOCUMENT_BYTES + 1)
    check_document(upload.name, data)
    Plan.objects.select_for_update().filter(pk=plan.pk).first()  # serialise version numbering
    number = (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = PlanVersion(
        plan=plan,
        number=number,
        original_name=upload.name[-200:],
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=by,
    )
    extension = ".pdf" if upload.name.lower().endswith(".pdf") else ".docx"
    version.document.save(f"plan-{plan.pk}-v{number}{extension}", ContentFile(data), save=False)
    version.save()
    return version
