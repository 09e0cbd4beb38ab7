"""Who may write and who approves on the committee site. Idempotent; run by the demo loader and
after every migration.

- ``editors`` draft pages anywhere on the site but cannot publish: they submit to the workflow.
- ``secretariat`` (the role group) may write and publish, and approves the workflow's task.
- News, notices and conclusions sit under index pages with the approval workflow (so does the
  rest of the site), so anything an editor writes waits for the secretariat's approval before
  it is public. Wagtail keeps
  the revisions, the workflow history and the audit log.
"""

from django.contrib.auth.models import Group, Permission

from experts import roles

EDITORS = "editors"
WORKFLOW_NAME = "发布审批"
TASK_NAME = "秘书处审核"
EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page")
SECRETARIAT_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")
EDITOR_MODEL_PERMISSIONS = (
    ("wagtailadmin", "access_admin"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
)


def approval_page_types():
    from cms.models import ConclusionIndexPage, NewsIndexPage, NoticeIndexPage

    return (NewsIndexPage, NoticeIndexPage, ConclusionIndexPage)


def _grant_pages(group, page, codenames):
    from wagtail.models import GroupPagePermission

    permissions = Permission.objects.filter(
        content_type__app_label="wagtailcore", content_type__model="page", codename__in=codenames
    )
    for permission in permissions:
        GroupPagePermission.objects.get_or_create(group=group, page=page, permission=permission)


COLLECTION_PERMISSIONS = (
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
)


def _grant_collection(group):
    """Documents and images are permitted per collection in Wagtail: grant them on the root."""
    from wagtail.models import Collection, GroupCollectionPermission

    root = Collection.get_first_root_node()
    if root is None:
        return
    for app_label, codename in COLLECTION_PERMISSIONS:
        for permission in Permission.objects.filter(content_type__app_label=app_label, codename=codename):
            GroupCollectionPermission.objects.get_or_create(group=group, collection=root, permission=permission)


def approval_workflow():
    """The one-step workflow: the secretariat approves. Created on first use."""
    from wagtail.models import GroupApprovalTask, Workflow, WorkflowTask

    secretariat = Group.objects.get_or_create(name=roles.SECRETARIAT)[0]
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME)
    task.groups.add(secretariat)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task.task_ptr, defaults={"sort_order": 0})
    return workflow


def require_approval(page):
    """Put ``page`` and everything below it under the approval workflow."""
    from wagtail.models import WorkflowPage

    WorkflowPage.objects.update_or_create(page_id=page.pk, defaults={"workflow": approval_workflow()})


def ensure_publishing(**kwargs):
    """Groups, page permissions on the site's root, document and image permissions on the root
    collection, the workflow on the approval sections."""
    from wagtail.models import Site

    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        return None
    editors = Group.objects.get_or_create(name=EDITORS)[0]
    secretariat = Group.objects.get_or_create(name=roles.SECRETARIAT)[0]
    for app_label, codename in EDITOR_MODEL_PERMISSIONS:
        editors.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename=codename))
    _grant_pages(editors, site.root_page, EDITOR_PAGE_PERMISSIONS)
    _grant_pages(secretariat, site.root_page, SECRETARIAT_PAGE_PERMISSIONS)
    _grant_collection(editors)
    _grant_collection(secretariat)
    workflow = approval_workflow()
    # The whole site too, so that no page falls back to Wagtail's stock "Moderators approval"
    # workflow (whose group nobody is in); the sections keep their own link in case the site's
    # workflow is ever changed in the admin.
    require_approval(site.root_page)
    for model in approval_page_types():
        for page in model.objects.all():
            require_approval(page)
    return workflow
