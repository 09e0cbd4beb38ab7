"""The consultations app's models: reviewing work (opinions, consolidation, responses) and the
committee's other advice (consultations, proposals)."""

from consultations.models.advice import Consultation, ConsultationDocument, Proposal, ProposalAttachment, Question
from consultations.models.reviewing import (
    Comment,
    Confirmation,
    Consolidation,
    Discussion,
    GeneratedDocument,
    Notification,
    Opinion,
    OpinionVersion,
    Point,
    Presence,
    Response,
    ResponsePackage,
    ReviewEvent,
    SmsMessage,
    _private_storage,
)

__all__ = [
    "_private_storage",
    "Comment",
    "Confirmation",
    "Consolidation",
    "Consultation",
    "ConsultationDocument",
    "Discussion",
    "GeneratedDocument",
    "Notification",
    "Opinion",
    "OpinionVersion",
    "Point",
    "Presence",
    "Proposal",
    "ProposalAttachment",
    "Question",
    "Response",
    "ResponsePackage",
    "ReviewEvent",
    "SmsMessage",
]
