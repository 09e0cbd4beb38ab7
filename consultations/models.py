"""The app's models, one module per concern; Django finds them here. Code imports each model
from its concern (``consultations.opinions.models`` ...)."""

from consultations.consolidation.models import AnswersReminder, Confirmation, Consolidation, GeneratedDocument
from consultations.honoraria.models import Payment, Rate
from consultations.inquiries.models import Consultation, ConsultationDocument, Question
from consultations.meetings.models import AgendaItem, Attendance, Meeting, Minutes, Vote
from consultations.opinions.models import Comment, Discussion, Opinion, OpinionVersion, Point, Presence, PresenceServer
from consultations.proposals.models import Proposal, ProposalAttachment
from consultations.responses.models import Response, ResponsePackage

__all__ = [
    "AgendaItem",
    "AnswersReminder",
    "Attendance",
    "Comment",
    "Confirmation",
    "Consolidation",
    "Consultation",
    "ConsultationDocument",
    "Discussion",
    "GeneratedDocument",
    "Meeting",
    "Minutes",
    "Opinion",
    "Payment",
    "OpinionVersion",
    "Point",
    "Presence",
    "PresenceServer",
    "Proposal",
    "ProposalAttachment",
    "Question",
    "Rate",
    "Response",
    "ResponsePackage",
    "Vote",
]
