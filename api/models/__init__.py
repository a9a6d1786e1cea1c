"""All ORM models; importing this package registers every table on ``Base.metadata``."""

from api.models.absence import AbsenceKind, AbsenceReport, RequestStatus
from api.models.audit import AuditLogEntry
from api.models.cases import TARGET_GROUPS, Case, CaseStatus, TargetGroup
from api.models.citizens import Channel, Citizen
from api.models.closures import Closure
from api.models.feedback import Feedback, Rating
from api.models.idempotency import IdempotentRequest
from api.models.legal import LegalNoteRecord, LegalQuestion, NoteOrigin, QuestionStatus
from api.models.locations import Location, LocationChannel, LocationKind, OpeningHours
from api.models.meetings import (
    MEETING_TYPE_LABELS,
    Meeting,
    MeetingForm,
    MeetingStatus,
    MeetingType,
)
from api.models.messages import Message
from api.models.payments import Payment, PaymentStatus
from api.models.plans import PlanItem, PlanItemKind, PlanItemStatus
from api.models.references import ReferenceCounter
from api.models.reschedule import RescheduleRequest
from api.models.users import Role, User

__all__ = [
    "MEETING_TYPE_LABELS",
    "TARGET_GROUPS",
    "AbsenceKind",
    "AbsenceReport",
    "AuditLogEntry",
    "Case",
    "CaseStatus",
    "Channel",
    "Citizen",
    "Closure",
    "Feedback",
    "IdempotentRequest",
    "LegalNoteRecord",
    "LegalQuestion",
    "Location",
    "LocationChannel",
    "LocationKind",
    "Meeting",
    "MeetingForm",
    "MeetingStatus",
    "MeetingType",
    "NoteOrigin",
    "Message",
    "OpeningHours",
    "Payment",
    "PaymentStatus",
    "PlanItem",
    "PlanItemKind",
    "PlanItemStatus",
    "QuestionStatus",
    "Rating",
    "ReferenceCounter",
    "RequestStatus",
    "RescheduleRequest",
    "Role",
    "User",
]
