"""The roster as a workbook in the back office: the export (with the list's filters), the empty
template, and the import in three steps (upload and check, confirm, follow the task)."""

import uuid

from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from experts import audit, privacy, selectors, tasks, workbook
from experts.admin_views.access import require_roster_manager
from experts.admin_views.roster import RosterFilterSet
from experts.forms import ImportConfirmForm, ImportForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_view(request):
    """The roster (with the list's filters and search) as an .xlsx workbook. With
    ``experts.view_contact`` the contact details are in full (the workbook is re-imported), which
    counts as an unmasking and is recorded; without it they are masked."""
    require_roster_manager(request)
    queryset = selectors.roster()
    filters = RosterFilterSet(request.GET or None, queryset=queryset, request=request)
    if filters.is_valid():
        queryset = filters.qs
    experts = list(selectors.ordered_roster(selectors.search_experts(queryset, request.GET.get("q")), "strokes"))
    unmasked = privacy.unmask_many(request.user, experts, request=request, via="roster.xlsx")
    data = workbook.export_bytes(experts, viewer=request.user, unmasked=unmasked)
    audit.record(audit.EXPORT, actor=request.user, request=request, outcome=audit.SUCCESS, what="roster.xlsx")
    response = HttpResponse(data, content_type=XLSX)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="roster-{stamp}.xlsx"'
    return response


def template_view(request):
    require_roster_manager(request)
    response = HttpResponse(workbook.template_bytes(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="roster-template.xlsx"'
    return response


def _import_path(run_id):
    return f"imports/{run_id}.xlsx"


def _keep_checked(request, upload, plan):
    """Keep a checked workbook privately for the confirmation; returns the run's id."""
    run_id = uuid.uuid4().hex
    upload.seek(0)
    storages["private"].save(_import_path(run_id), ContentFile(upload.read()))
    tasks.set_import_progress(
        run_id,
        state="checked",
        user=request.user.pk,
        summary=plan.summary,
        error_rows=[row.number for row in plan.error_rows],
    )
    return run_id


def import_view(request):
    """Step 1: upload; the workbook is kept privately and checked (a dry run that writes nothing)."""
    require_roster_manager(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["workbook"]
        plan = workbook.check_workbook(upload)
        if not plan.errors:
            run_id = _keep_checked(request, upload, plan)
            confirm = ImportConfirmForm(initial={"run": run_id})
            return TemplateResponse(
                request, "experts/admin/import_preview.html", {"plan": plan, "confirm": confirm, "run": run_id}
            )
        for problem in plan.errors:
            form.add_error("workbook", problem)
    return TemplateResponse(request, "experts/admin/import.html", {"form": form})


def import_confirm_view(request):
    """Step 2: write it, as a task; rows with errors only if skipped on purpose."""
    require_roster_manager(request)
    if request.method != "POST":
        return redirect("experts_expert:import")
    form = ImportConfirmForm(request.POST)
    run = tasks.import_progress(form.data.get("run", "")) if form.is_valid() else None
    if run is None or run.get("user") != request.user.pk or run.get("state") != "checked":
        raise Http404
    run_id = form.cleaned_data["run"]
    if run["summary"]["error"] and not form.cleaned_data["skip_errors"]:
        messages.error(request, _("Some rows have errors. Fix the workbook, or tick the box to skip those rows."))
        storages["private"].delete(_import_path(run_id))
        return redirect("experts_expert:import")
    skip = run["error_rows"] if form.cleaned_data["skip_errors"] else []
    tasks.set_import_progress(run_id, state="queued", done=0, total=0)
    # The view has written nothing to the database, so there is no commit to wait for.
    tasks.import_workbook.enqueue(run_id, path=_import_path(run_id), user_id=request.user.pk, skip_rows=skip)
    return redirect("experts_expert:import_progress", run_id)


def import_progress_view(request, run_id):
    require_roster_manager(request)
    run = tasks.import_progress(run_id)
    if run is None or run.get("user") != request.user.pk:
        raise Http404
    template = "experts/admin/import_progress_results.html" if request.GET.get("partial") else None
    return TemplateResponse(request, template or "experts/admin/import_progress.html", {"run": run, "run_id": run_id})
