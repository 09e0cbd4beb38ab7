"""Who may see and handle honoraria: every "may" of the concern, once.

The secretariat sets the rates, computes a review's payments, marks them paid and exports the
payment sheet (with account numbers in full, audited); an expert sees their own payments only;
anyone else sees none (404)."""

from reviews import rules as review_rules
from reviews.models import Review

# The review's work is done: its honoraria can be computed (closed and every state after it).
PAYABLE_STATES = (Review.State.CLOSED, Review.State.CONSOLIDATED, Review.State.RESPONDED, Review.State.ARCHIVED)


def may_manage_honoraria(user):
    """The rates, the computation, marking paid, the payment sheet: the secretariat."""
    return bool(user is not None and user.is_authenticated and review_rules.is_secretariat(user))


def may_read_honoraria(user, review):
    """A review's honoraria list: the secretariat (all rows) and an expert who may see the review
    (their own row only: ``selectors.payments_for`` filters). Everyone else: 404."""
    if may_manage_honoraria(user):
        return True
    return review_rules.is_expert(user) and review_rules.can_view_review(user, review)


def sees_every_payment(user):
    return may_manage_honoraria(user)


def is_payable(review):
    """A review whose honoraria can be computed: closed or later."""
    return review.state in PAYABLE_STATES
