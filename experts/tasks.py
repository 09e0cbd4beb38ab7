"""Background work for the roster, on Django's tasks framework (a database queue and
``manage.py db_worker`` in production; run at once on the embedded default)."""

from django.core.cache import cache
from django.tasks import task

from experts import services


@task
def expire_terms():
    """Daily: experts whose term has ended become ``expired``. Returns how many changed."""
    return len(services.expire_terms())


PROGRESS_TTL = 6 * 60 * 60


def progress_key(run_id):
    return f"experts:import:{run_id}"


def import_progress(run_id):
    """``{"state", "done", "total", "result", "errors"}`` of an import run, or ``None``."""
    return cache.get(progress_key(run_id))


def set_import_progress(run_id, **values):
    current = cache.get(progress_key(run_id)) or {}
    cache.set(progress_key(run_id), current | values, PROGRESS_TTL)


@task
def import_workbook(run_id, *, path, user_id, skip_rows):
    """Check again and write a workbook kept in private storage, reporting progress as it goes."""
    from django.contrib.auth import get_user_model
    from django.core.files.storage import storages

    from experts import workbook

    storage = storages["private"]
    user = get_user_model().objects.get(pk=user_id)
    set_import_progress(run_id, state="running", done=0, total=0)
    try:
        with storage.open(path, "rb") as upload:
            plan = workbook.check_workbook(upload)
        result = workbook.apply_plan(
            plan,
            by=user,
            skip_rows=skip_rows,
            progress=lambda done, total: set_import_progress(run_id, done=done, total=total),
        )
    except workbook.ImportRefused as refused:
        set_import_progress(run_id, state="failed", errors=[str(m) for m in refused.messages])
        return None
    finally:
        storage.delete(path)
    set_import_progress(run_id, state="done", result=result)
    return result
