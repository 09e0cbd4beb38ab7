"""The year report's screens: the portal page (the commission and the secretariat), the Wagtail
admin page (the secretariat, registered in ``admin.py``) and the .docx/.xlsx exports.
Everyone else gets 404, as for anything they may not see (``rules``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template.response import TemplateResponse

from consultations.year_report import documents as output
from consultations.year_report import selectors
from consultations.year_report.rules import may_file_year_report, may_read_year_report
from experts import audit
from experts.selectors import large_text_for


def _context(request, *, large):
    year, error = selectors.parse_year(request.GET.get("year"))
    if error:
        messages.error(request, error)
    report = selectors.full_report(year)
    for row in [report["total"], *report["kinds"], *report["domains"], *report["departments"]]:
        row["rate_text"] = selectors.percent(row["adoption_rate"])
    return {
        "report": report,
        "years": selectors.report_years(),
        "charts": {key: output.chart_svg(geometry) for key, geometry in output.charts(report, large=large).items()},
        "outcome_labels": selectors.outcome_labels(),
        "method_lines": output.method_lines(),
        "overview_lines": output.overview_lines(report),
        "title": output.title_of(report),
    }


@login_required
def year_report_page(request):
    if not may_read_year_report(request.user):
        raise Http404
    context = _context(request, large=large_text_for(request.user))
    return render(request, "consultations/year_report/page.html", {**context, "table_class": "data"})


def year_report_admin(request):
    """The same report in the secretariat's back office (Wagtail admin checks the sign-in)."""
    if not may_file_year_report(request.user):
        raise Http404
    context = _context(request, large=False)
    return TemplateResponse(request, "consultations/year_report/admin.html", {**context, "table_class": "listing"})


@login_required
def year_report_document(request, kind):
    """``?year=``: the report as .docx or .xlsx, made now; recorded in the audit trail."""
    if not may_read_year_report(request.user) or kind not in output.BUILDERS:
        raise Http404
    year, error = selectors.parse_year(request.GET.get("year"))
    if error:
        return HttpResponseBadRequest(error, content_type="text/plain; charset=utf-8")
    report = selectors.full_report(year)
    content = output.BUILDERS[kind](report)
    audit.record(
        audit.EXPORT,
        actor=request.user,
        request=request,
        outcome=audit.SUCCESS,
        export=f"year-report.{kind}",
        year=year,
    )
    response = HttpResponse(content, content_type=output.CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{output.filename(report, kind)}"'
    return response
