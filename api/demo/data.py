"""The demo population: synthetic people only (no real persons, no CPR numbers).

Dates are relative to "today" and are recomputed on every seed, so the demo never runs out of
upcoming meetings. Phone numbers start with 00 after +45, which is not a valid Danish subscriber
number, so no real person can be reached or identified by them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

from api.models.cases import TargetGroup
from api.models.citizens import Channel
from api.models.meetings import MeetingForm, MeetingStatus, MeetingType
from api.models.plans import PlanItemKind, PlanItemStatus
from api.models.users import Role


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    display_name: str
    contact_email: str | None = None


@dataclass(frozen=True)
class DemoMeeting:
    key: str
    days_ahead: int  # moved to the next working day; negative = in the past
    at: time
    form: MeetingForm
    meeting_type: MeetingType
    location_id: str | None
    place_note: str
    status: MeetingStatus = MeetingStatus.PLANNED


@dataclass(frozen=True)
class DemoPlanItem:
    key: str
    title: str
    kind: PlanItemKind
    status: PlanItemStatus
    due_in_days: int | None
    description: str | None = None


@dataclass(frozen=True)
class DemoCitizen:
    username: str
    name: str
    phone: str
    preferred_channel: Channel
    target_group: TargetGroup
    caseworker: str
    monthly_amount: Decimal
    case_opened_days_ago: int
    meetings: list[DemoMeeting] = field(default_factory=list)
    plan: list[DemoPlanItem] = field(default_factory=list)


USERS = [
    DemoUser("demo-borger", Role.CITIZEN, "Demo Borger"),
    DemoUser("demo-borger-syg", Role.CITIZEN, "Demo Borger Syg"),
    DemoUser("demo-borger-2", Role.CITIZEN, "Demo Borger To"),
    DemoUser(
        "demo-sagsbehandler", Role.STAFF, "Demo Sagsbehandler", "demo-sagsbehandler@example.invalid"
    ),
    DemoUser(
        "demo-sagsbehandler-2",
        Role.STAFF,
        "Demo Sagsbehandler To",
        "demo-sagsbehandler-2@example.invalid",
    ),
    DemoUser("demo-jurist", Role.JURIST, "Demo Jurist"),
    DemoUser("demo-admin", Role.ADMIN, "Demo Administrator"),
    DemoUser("demo-redaktoer", Role.EDITOR, "Demo Redaktør"),
]

F, T, V = MeetingForm.FYSISK, MeetingForm.TELEFON, MeetingForm.VIDEO

CITIZENS = [
    DemoCitizen(
        username="demo-borger",
        name="Demo Borger",
        phone="+4500000101",
        preferred_channel=Channel.SMS,
        target_group=TargetGroup.JOBPARAT_KONTANTHJAELP,
        caseworker="demo-sagsbehandler",
        monthly_amount=Decimal("11944.00"),
        case_opened_days_ago=120,
        meetings=[
            DemoMeeting(
                "past-1",
                -14,
                time(10, 0),
                F,
                MeetingType.JOBSAMTALE,
                "laerkevej",
                "Mødelokale 2, stuen.",
                MeetingStatus.HELD,
            ),
            DemoMeeting(
                "next-1",
                2,
                time(10, 0),
                F,
                MeetingType.JOBSAMTALE,
                "laerkevej",
                "Mødelokale 2, stuen. Tag gerne dit CV med.",
            ),
            DemoMeeting(
                "next-2",
                7,
                time(13, 0),
                T,
                MeetingType.JOBSAMTALE,
                None,
                "Din sagsbehandler ringer til dig på dit mobilnummer.",
            ),
            DemoMeeting(
                "next-3",
                14,
                time(11, 0),
                V,
                MeetingType.VIRKSOMHEDSSAMTALE,
                None,
                "Du får et link til videomødet i Digital Post dagen før.",
            ),
            DemoMeeting(
                "next-4",
                28,
                time(10, 30),
                F,
                MeetingType.INFORMATIONSMOEDE,
                "gammel-koege-landevej",
                "Informationsmøde om virksomhedspraktik.",
            ),
        ],
        plan=[
            DemoPlanItem(
                "goal",
                "Job som lagermedarbejder inden for 6 måneder",
                PlanItemKind.GOAL,
                PlanItemStatus.IN_PROGRESS,
                None,
            ),
            DemoPlanItem(
                "search",
                "Søg mindst 2 relevante job om ugen og skriv dem i din joblog",
                PlanItemKind.ACTIVITY,
                PlanItemStatus.IN_PROGRESS,
                None,
            ),
            DemoPlanItem(
                "cv", "Opdatér dit CV på Jobnet", PlanItemKind.DEADLINE, PlanItemStatus.PLANNED, 7
            ),
            DemoPlanItem(
                "praktik",
                "Virksomhedspraktik hos en lagervirksomhed (4 uger)",
                PlanItemKind.ACTIVITY,
                PlanItemStatus.PLANNED,
                21,
                "Aftales nærmere til samtalen om virksomhedsrettet tilbud.",
            ),
        ],
    ),
    DemoCitizen(
        username="demo-borger-syg",
        name="Demo Borger Syg",
        phone="+4500000102",
        preferred_channel=Channel.DIGITAL_POST,
        target_group=TargetGroup.SYGEDAGPENGE,
        caseworker="demo-sagsbehandler",
        monthly_amount=Decimal("17520.00"),
        case_opened_days_ago=60,
        meetings=[
            DemoMeeting(
                "next-1",
                3,
                time(11, 0),
                T,
                MeetingType.OPFOELGNINGSSAMTALE,
                None,
                "Din sagsbehandler ringer til dig.",
            ),
            DemoMeeting(
                "next-2",
                17,
                time(10, 0),
                F,
                MeetingType.OPFOELGNINGSSAMTALE,
                "sygedagpengecentret",
                "Opfølgningssamtale om delvis raskmelding.",
            ),
        ],
        plan=[
            DemoPlanItem(
                "goal",
                "Gradvis tilbage i dit job",
                PlanItemKind.GOAL,
                PlanItemStatus.IN_PROGRESS,
                None,
            ),
            DemoPlanItem(
                "hours",
                "Arbejd 15 timer om ugen (delvis raskmelding)",
                PlanItemKind.ACTIVITY,
                PlanItemStatus.IN_PROGRESS,
                None,
            ),
            DemoPlanItem(
                "doctor",
                "Aflevér statusattest fra din læge",
                PlanItemKind.DEADLINE,
                PlanItemStatus.PLANNED,
                10,
            ),
        ],
    ),
    DemoCitizen(
        username="demo-borger-2",
        name="Demo Borger To",
        phone="+4500000103",
        preferred_channel=Channel.CHAT,
        target_group=TargetGroup.UDDANNELSESPARAT_UDDANNELSESHJAELP,
        caseworker="demo-sagsbehandler-2",
        monthly_amount=Decimal("7402.00"),
        case_opened_days_ago=30,
        meetings=[
            DemoMeeting(
                "next-1",
                5,
                time(9, 30),
                F,
                MeetingType.JOBSAMTALE,
                "gammel-koege-landevej",
                "Samtale om uddannelsesplan.",
            ),
        ],
        plan=[
            DemoPlanItem(
                "goal",
                "Start på en erhvervsuddannelse",
                PlanItemKind.GOAL,
                PlanItemStatus.PLANNED,
                None,
            ),
        ],
    ),
]


# One demo closure (relative dates): Lærkevej closes early for a staff meeting.
@dataclass(frozen=True)
class DemoClosure:
    key: str
    location_id: str
    days_ahead: int
    starts: time
    ends: time
    reason: str
    created_by: str


DEMO_CLOSURE = DemoClosure(
    key="laerkevej-personalemoede",
    location_id="laerkevej",
    days_ahead=4,
    starts=time(12, 0),
    ends=time(16, 0),
    reason="Personalemøde (demodata)",
    created_by="demo-sagsbehandler",
)

PAYMENT_MONTHS = range(-3, 2)  # three past months, this month, next month


def month_label(day: date) -> str:
    names = (
        "januar",
        "februar",
        "marts",
        "april",
        "maj",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "december",
    )
    return f"{names[day.month - 1]} {day.year}"
