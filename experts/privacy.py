"""The rules of contact details: who may see an expert's mobile and email, the masking
everyone else gets, and the audit record of each request to see them (the roster's other
rules are ``experts/rules.py``).

The one rule: contact details (mobile, email) are masked (``138****5678``, ``z***@example.cn``)
on every path, for everyone, except

- the expert themself, on their own record;
- a holder of ``experts.view_contact`` (the secretariat's group holds it; the commission does
  not) who asks for them on purpose: the "show contact details" action of the admin's expert
  page, ``GET /api/v1/experts/{id}/?unmask=1``, or the roster workbook export. Each such
  request writes a ``contact.unmask`` audit record (object, outcome); a request without the
  permission is refused and recorded as denied.

Pages, the API and exports all call ``contact_for`` (and ``unmask`` / ``unmask_many`` to ask);
nothing else decides.
"""

from django.core.exceptions import PermissionDenied

from core.masking import mask_email, mask_mobile
from experts import audit
from experts.rules import is_own

PERMISSION = "experts.view_contact"


def may_unmask(viewer):
    """The viewer holds the permission to ask for contact details in full."""
    return bool(viewer is not None and viewer.is_authenticated and viewer.has_perm(PERMISSION))


def can_see_contact(viewer, expert, *, unmasked=False):
    """Full contact details: the expert on their own record; a holder of the permission only
    when ``unmasked`` (a request that ``unmask`` / ``unmask_many`` has recorded)."""
    return is_own(viewer, expert) or (unmasked and may_unmask(viewer))


def contact_for(viewer, expert, *, unmasked=False):
    """``{"mobile", "email"}`` as ``viewer`` may see them (masked unless ``can_see_contact``)."""
    if can_see_contact(viewer, expert, unmasked=unmasked):
        return {"mobile": expert.mobile, "email": expert.email}
    return {"mobile": mask_mobile(expert.mobile), "email": mask_email(expert.email)}


def unmask(viewer, expert, *, request=None, via):
    """``viewer`` asks to see ``expert``'s contact details: recorded (``contact.unmask``), then
    returned in full; without the permission the refusal is recorded and ``PermissionDenied``
    raised. The expert's own record needs no asking and leaves no record."""
    if is_own(viewer, expert):
        return contact_for(viewer, expert)
    if not may_unmask(viewer):
        audit.record(audit.CONTACT_UNMASK, actor=viewer, request=request, obj=expert, outcome=audit.DENIED, via=via)
        raise PermissionDenied
    audit.record(audit.CONTACT_UNMASK, actor=viewer, request=request, obj=expert, outcome=audit.SUCCESS, via=via)
    return contact_for(viewer, expert, unmasked=True)


def unmask_many(viewer, experts, *, request=None, via):
    """Whether ``viewer`` sees the contact details of ``experts`` (a list) in full, e.g. in an
    export: one ``contact.unmask`` record naming how many and which, if the permission allows;
    ``False`` (and nothing recorded) otherwise, and the caller masks."""
    if not may_unmask(viewer) or not experts:
        return False
    audit.record(
        audit.CONTACT_UNMASK,
        actor=viewer,
        request=request,
        outcome=audit.SUCCESS,
        via=via,
        count=len(experts),
        experts=[expert.pk for expert in experts][:1000],
    )
    return True
