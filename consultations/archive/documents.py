"""The documents of a review's archive, as PDF/A-3b for filing: the record of the review (every
part of the archive in one readable document), the consolidated opinion (the consolidation's own
builder, ``consultations.consolidation.documents``) and the draw certificate where the draw has
one; and the archive's README."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.consolidation import documents as consolidation_documents
from consultations.consolidation.selectors import consolidate
from core.pdf import html_to_pdf
from reviews.models import Draw

PDF_VARIANT = "pdf/a-3b"


def record_pdf(review, data, *, made_at):
    """Every part of the archive in one document (the JSON files hold the same data)."""
    title = _("Record of the review of “{plan}”").format(plan=review.plan.title)
    context = {**data, "title": title, "made_at": made_at.strftime("%Y-%m-%d %H:%M")}
    return html_to_pdf(render_to_string("consultations/archive/record.html", context), variant=PDF_VARIANT)


def consolidation_pdf(review):
    """The consolidated opinion as filed, named in full."""
    return consolidation_documents.pdf_bytes(consolidate(review, names=True), variant=PDF_VARIANT)


def _record_url(draw):
    try:
        path = reverse("api-draw-record", args=[draw.pk])
    except NoReverseMatch:
        path = reverse("api-draw", args=[draw.pk])
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def draw_certificate(review):
    """The draw certificate as PDF/A, or ``None`` (no draw, or no certificate in this system)."""
    draw = Draw.objects.filter(review=review).select_related("review__plan").first()
    if draw is None:
        return None
    try:
        from reviews.draw import certificate
    except ImportError:
        return None
    return certificate.certificate_pdf(
        certificate.certificate_context(draw, record_url=_record_url(draw)), variant=PDF_VARIANT
    )


README = """Archive of review {review}: {plan}
评审档案 {review}：{plan}
Made / 生成时间: {made_at}

Every file of this archive is listed in manifest.json with its size, its SHA-256 and its SM3
(GB/T 32905-2016) digest. To check the archive as a whole, from the workbench's source:

    python -m reviews.verify {name}

It checks every file's two digests, replays the panel draw from draw/record.json, and ends with a
line starting "OK". By hand: compute SHA-256 and SM3 of each file and compare with manifest.json;
compare the SHA-256 and SM3 of manifest.json itself with the audit record "archive.made" of the
system that made it. The layout and the formats are described in docs/archive.md.

本档案每个文件的大小、SHA-256 和 SM3（GB/T 32905-2016）摘要都列在 manifest.json 中。
在工作台源代码目录下运行上面的命令即可整体核验：逐一核对两种摘要，并根据 draw/record.json
重演专家抽取，最后一行以 "OK" 开头。也可以手工计算每个文件的 SHA-256 和 SM3 与 manifest.json
比对；manifest.json 本身的 SHA-256 和 SM3 应与系统审计记录 "archive.made" 中记下的一致。

review.json                        the review and its plan / 评审与规划
plan/version-N.*, versions.json    the plan versions as uploaded / 规划各版本原件
draw/record.json                   the draw's self-contained record / 抽取记录
documents/draw-certificate.pdf     the draw certificate (PDF/A) / 抽取证书
panel/declarations.json            each member's declarations with times / 无利益冲突与保密承诺
opinions/opinions.json             sealed opinions, kept versions, independence / 意见、版本与独立性记录
discussion/comments.json           the discussion / 讨论记录
consolidation/group-opinion.json   the group opinion and every answer to it / 专家组意见及确认、保留意见
responses/responses.json           the responses to every point, the feedback / 采纳情况及反馈
audit/audit.json                   the audit records of the review / 审计记录
documents/consolidation.pdf        the consolidated opinion (PDF/A) / 专家组综合意见
documents/record.pdf               all of the above in one document (PDF/A) / 全部记录
"""


def readme(review, made_at):
    return README.format(
        review=review.pk,
        plan=review.plan.title,
        made_at=timezone.localtime(made_at).isoformat(),
        name=f"review-{review.pk}.zip",
    )
