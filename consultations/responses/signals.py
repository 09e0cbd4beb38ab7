"""What consultations asks of the committee site above it: a draft page made from answers to
points, waiting for the site's approval. The site (``cms``) connects a receiver to each signal
in its ``AppConfig.ready``; consultations never imports it.

A receiver makes the page and returns it; its refusal (``StateConflict``: no section to publish
under) or any failure rolls back the caller's transaction with it.

- ``conclusion_page_requested``: ``package`` (a finalised ``ResponsePackage``), ``by``,
  ``show_names`` (whether experts' names show, else letters);
- ``proposal_page_requested``: ``proposal`` (answered, adopted, consented to), ``by``.
"""

from django.dispatch import Signal
from django.utils.translation import gettext as _

from core.errors import StateConflict

conclusion_page_requested = Signal()
proposal_page_requested = Signal()


def drafted_page(signal, *, sender, **kwargs):
    """Send ``signal`` and return the page its receiver drafted."""
    pages = [page for _receiver, page in signal.send(sender=sender, **kwargs) if page is not None]
    if not pages:  # no site connected to make it
        raise StateConflict(_("The site has no conclusions section to publish under."))
    return pages[0]
