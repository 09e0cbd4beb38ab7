"""The consultations app's models: reviewing work (opinions, consolidation, responses) and the
committee's other advice (consultations, proposals)."""

from .advice import Consultation, ConsultationDocument, Proposal, ProposalAttachment, Question
from .reviewing import (
    Notification,
    ReviewEvent,
    SmsMessage,
    Opinion,
    Point,
    OpinionVersion,
    Comment,
    Discussion,
    Presence,
    _private_storage,
    Consolidation,
    Confirmation,
    Response,
    ResponsePackage,
    GeneratedDocument,
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
