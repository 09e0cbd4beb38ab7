"""Who sees and does what with consultations: the one module every path asks (pages, the API,
the socket, the exports, the counts). Everything else answers 404 (or closes 4403) when it says no.

- The secretariat and the commission see every consultation and pose them.
- An expert sees a consultation only while they are one of its ``recipients`` and still active
  (a draft has no recipients yet, so no expert sees a draft).
- Nobody else sees any: departments and auditors (who read the audit trail only) get 404.

Answers: the author always sees their own; the secretariat and the commission see every
*submitted* answer (drafts are the author's alone); a recipient sees the others' submitted
answers before the close only when ``answers_shared``, and after the close always. Names give
way to "Expert A, B, C" when the consultation is ``anonymous``, for everyone but the secretariat
(who keeps the roster anyway).
"""

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.inquiries.models import Consultation
from consultations.opinions.models import Opinion, Point
from experts import roles
from experts.models import Expert

ACTIVE = "active"


def poses_consultations(user):
    """Create, edit, open and close: the secretariat and the commission."""
    return user.is_authenticated and (roles.has_role(user, roles.SECRETARIAT) or roles.has_role(user, roles.COMMISSION))


def sees_every_consultation(user):
    return poses_consultations(user)


def sees_who_is_asked(user):
    """Who else was asked and how many answered (the API's ``addressed_experts``,
    ``recipients_count`` and ``submitted_count``, the page's "Who is asked", an export's overview):
    those who pose consultations. An expert asked learns neither, anonymous or not."""
    return poses_consultations(user)


def _as_recipient(user):
    return Q(recipients__user=user, recipients__status=ACTIVE)


def consultations_visible_to(user):
    """The consultations ``user`` may see, as a queryset (no duplicates)."""
    if not user.is_authenticated:
        return Consultation.objects.none()
    if sees_every_consultation(user):
        return Consultation.objects.all()
    if not roles.has_role(user, roles.EXPERT):
        return Consultation.objects.none()
    ids = Consultation.objects.filter(_as_recipient(user)).values("pk")
    return Consultation.objects.filter(pk__in=ids)


def visible_consultation(user, consultation_id):
    """The consultation if ``user`` may see it, else ``None`` (the caller answers 404)."""
    if isinstance(consultation_id, bool) or not isinstance(consultation_id, int):
        return None
    return consultations_visible_to(user).filter(pk=consultation_id).first()


def is_recipient(user, consultation):
    """An active expert the consultation reached: writes (while open) and reads their own answer."""
    if not user.is_authenticated or not roles.has_role(user, roles.EXPERT):
        return False
    return consultation.recipients.filter(user=user, status=ACTIVE).exists()


def can_see_consultation(user, consultation):
    return visible_consultation(user, consultation.pk) is not None


def others_visible(user, consultation):
    """Whether ``user`` may read the other experts' submitted answers now."""
    if sees_every_consultation(user):
        return True
    if not is_recipient(user, consultation):
        return False
    return consultation.state == Consultation.State.CLOSED or consultation.answers_shared


def answer_filter(user, consultation):
    """The one visibility rule for the answers of ``consultation``, as a filter on ``Opinion``."""
    nothing = Q(pk__in=[])
    if not user.is_authenticated:
        return nothing
    own = Q(expert__user=user) if is_recipient(user, consultation) else nothing
    if others_visible(user, consultation):
        return own | Q(submitted_at__isnull=False)
    return own


def names_shown(user, consultation):
    """Experts are named unless the consultation is anonymous (the secretariat always sees names)."""
    return not consultation.anonymous or roles.has_role(user, roles.SECRETARIAT)


def answers_visible_to(user, consultation):
    """The answers ``user`` may read, each with its live points (``live``) in order."""
    points = Point.objects.filter(removed=False).select_related("question", "response").order_by("position", "id")
    return (
        Opinion.objects.filter(consultation=consultation)
        .filter(answer_filter(user, consultation))
        .select_related("expert")
        .prefetch_related(Prefetch("points", queryset=points, to_attr="live"))
        .order_by("id")
    )


def can_watch_board(user, consultation):
    """The live board of answers arriving: those who pose consultations."""
    return sees_every_consultation(user)


def letter_name(index):
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    label = letters[index % 26] + (str(index // 26 + 1) if index >= 26 else "")
    return _("Expert {letter}").format(letter=label)


def author_labels(user, consultation, answers):
    """``{answer id: the expert's name, or "Expert A"}`` as ``user`` may know them. Letters follow
    the order the answers were started among those submitted, so every reader (and every export)
    gives the same expert the same letter; a draft is only ever its author's, who sees their name."""
    if names_shown(user, consultation):
        return {a.pk: a.expert.name for a in answers}
    order = list(
        Opinion.objects.filter(consultation=consultation, submitted_at__isnull=False)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    position = {pk: index for index, pk in enumerate(order)}
    return {a.pk: letter_name(position[a.pk]) if a.pk in position else a.expert.name for a in answers}


# ---------------------------------------------------------------- writing an answer


def accepts_answers(consultation, *, now=None):
    """Open and not past its closing time (the periodic task may not have closed it yet): the one
    rule for both the refusal of a late save and whether the answer page is editable."""
    now = now or timezone.now()
    past = consultation.closes_at is not None and consultation.closes_at <= now
    return consultation.state == Consultation.State.OPEN and not past


def refusal_to_answer(answer, consultation, *, by):
    """Why ``by`` may not write ``answer`` now, or ``None``: its author, still an active
    recipient, while ``consultation`` accepts answers."""
    if answer.expert.user_id != getattr(by, "id", None):
        return _("Only its author writes an answer.")
    if answer.expert.status != Expert.Status.ACTIVE or not consultation.recipients.filter(pk=answer.expert_id).exists():
        return _("You are not asked in this consultation.")
    if consultation.state != Consultation.State.OPEN:
        if consultation.state == Consultation.State.CLOSED:
            return _("The consultation is closed: the answer is read-only.")
        return _("Answers are written once the consultation is open.")
    if not accepts_answers(consultation):
        # Past its closing time but not yet closed by the periodic task: the deadline still holds.
        return _("The consultation closed at {time:%Y-%m-%d %H:%M}: the answer is read-only.").format(
            time=timezone.localtime(consultation.closes_at)
        )
    return None


# ---------------------------------------------------------------- answering the points of answers


def can_see_answer_point(user, point):
    """A point of a sealed answer, for whoever may read that answer now."""
    answer = point.opinion
    if answer.submitted_at is None or not can_see_consultation(user, answer.consultation):
        return False
    return Opinion.objects.filter(pk=answer.pk).filter(answer_filter(user, answer.consultation)).exists()


def can_answer_answer_point(user, point):
    """The commission answers the points of a consultation's sealed answers."""
    return user.is_authenticated and roles.has_role(user, roles.COMMISSION) and can_see_answer_point(user, point)
