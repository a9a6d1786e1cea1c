"""All ORM models; importing this package registers every table on ``Base.metadata``."""

from api.models.absence import AbsenceKind, AbsenceReport, RequestStatus
from api.models.analytics import (
    AnalyticsAnswer,
    AnalyticsConversation,
    AnalyticsFeedback,
    AnalyticsQuestion,
    AnalyticsState,
)
from api.models.assistant_status import AssistantStatusRecord
from api.models.audit import AuditLogEntry
from api.models.cases import TARGET_GROUPS, Case, CaseStatus, TargetGroup
from api.models.catalogue import (
    CatalogueDraft,
    CatalogueEntryRecord,
    CatalogueState,
    CatalogueVersion,
    EntryStatus,
    VersionAction,
)
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
from api.models.reminders import (
    MeetingAnswer,
    MeetingConfirmation,
    ReminderKind,
    ReminderLogEntry,
    ReminderOptIn,
    ReminderStatus,
)
from api.models.reschedule import RescheduleRequest
from api.models.users import Role, User

__all__ = [
    "MEETING_TYPE_LABELS",
    "TARGET_GROUPS",
    "AbsenceKind",
    "AbsenceReport",
    "AnalyticsAnswer",
    "AnalyticsConversation",
    "AnalyticsFeedback",
    "AnalyticsQuestion",
    "AnalyticsState",
    "AssistantStatusRecord",
    "AuditLogEntry",
    "Case",
    "CatalogueDraft",
    "CatalogueEntryRecord",
    "CatalogueState",
    "CatalogueVersion",
    "CaseStatus",
    "Channel",
    "Citizen",
    "Closure",
    "EntryStatus",
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
    "MeetingAnswer",
    "MeetingConfirmation",
    "ReminderKind",
    "ReminderLogEntry",
    "ReminderOptIn",
    "ReminderStatus",
    "RequestStatus",
    "RescheduleRequest",
    "Role",
    "User",
    "VersionAction",
]
