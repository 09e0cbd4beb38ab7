"""Who may write and who approves on the committee site. Idempotent; run by the demo loader and
after every migration.

- ``editors`` draft pages anywhere on the site but cannot publish: they submit to the workflow.
- ``secretariat`` (the role group) may write and publish, and approves the workflow's task.
- News, notices and conclusions sit under index pages with the approval workflow (so does the
  rest of the site), so anything an editor writes waits for the secretariat's approval before
  it is public. Wagtail keeps
  the revisions, the workflow history and the audit log.
- Conclusions and adopted proposals arrive from consultations (``consultations.responses.signals``,
  received here, connected in ``CmsConfig.ready``) as draft pages submitted to that workflow,
  inside the consultations service's transaction: a refusal or a failure here undoes it all.
"""

from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from core.errors import StateConflict
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


# ---------------------------------------------------------------- pages drafted from consultations


def conclusions_index():
    """The section conclusions and proposals are published under; ``StateConflict`` without one."""
    from cms.models import ConclusionIndexPage

    index = ConclusionIndexPage.objects.order_by("path").first()
    if index is None:
        raise StateConflict(_("The site has no conclusions section to publish under."))
    return index


def _response_row(*, section, point, expert, status, reason):
    """A row of a page's table of responses (``blocks.ResponseRowBlock``), its texts cut to fit."""
    row = {"section": section, "point": point[:2000], "expert": expert, "status": status, "reason": reason[:2000]}
    return ("response", row)


def draft_conclusion_page(sender, *, package, by, show_names, **kwargs):
    """Receiver of ``conclusion_page_requested``: a draft ``ConclusionPage`` of a finalised
    response package (experts' names shown or not), submitted to the approval workflow."""
    from cms.models import ConclusionPage

    index = conclusions_index()
    review = package.review
    lines = review.consolidation.group_opinion.splitlines()
    opinion = "".join(f"<p>{escape(line)}</p>" for line in lines if line.strip())
    rows = [
        _response_row(
            section=row["section"],
            point=row["text"],
            expert=row["expert_name"],
            status=row["status"],
            reason=row["reason"],
        )
        for row in package.responses
    ]
    page = ConclusionPage(
        title=_("Conclusion on “{plan}”").format(plan=review.plan.title)[:255],
        slug=f"review-{review.pk}",
        plan_title=review.plan.title,
        concluded_on=timezone.localdate(package.finalised_at),
        opinion=opinion or "<p></p>",
        responses=rows,
        show_expert_names=bool(show_names),
        live=False,
        owner=by,
    )
    index.add_child(instance=page)
    page.save_revision(user=by, log_action=True)
    approval_workflow()
    workflow = page.get_workflow()
    if workflow is not None:
        workflow.start(page, by)
    return page


def draft_proposal_page(sender, *, proposal, by, **kwargs):
    """Receiver of ``proposal_page_requested``: a draft ``ProposalPage`` of an adopted proposal
    (each answered suggestion with the department that answered it), submitted to the workflow."""
    from cms.models import ProposalPage
    from consultations.proposals.selectors import answered_points, answering_department

    index = conclusions_index()
    rows = [
        _response_row(
            section=getattr(answering_department(p), "name", ""),
            point=p.text,
            expert="",
            status=p.response.status,
            reason=p.response.reason,
        )
        for p in answered_points(proposal)
    ]
    page = ProposalPage(
        title=_("Expert proposal: {title}").format(title=proposal.title)[:255],
        slug=f"proposal-{proposal.pk}",
        author_name=proposal.author.name,
        answered_on=timezone.localdate(),
        problem=proposal.problem,
        responses=rows,
        live=False,
        owner=by,
    )
    index.add_child(instance=page)
    page.save_revision(user=by, log_action=True)
    workflow = page.get_workflow() or approval_workflow()
    workflow.start(page, by)
    return page
