"""The site's hooks into the Wagtail admin."""

from wagtail import hooks

from cms.publishing import approval_page_types, require_approval


@hooks.register("after_create_page")
def approval_for_new_sections(request, page):
    """A news, notice or conclusion section made in the admin gets the approval workflow at once."""
    if isinstance(page.specific, approval_page_types()):
        require_approval(page)
