"""Seed (and re-seed) the demo data. Idempotent: rerunning moves relative dates forward and
updates rows in place (deterministic ids), it never duplicates them.

Things the bot created for demo citizens (absence reports, reschedule requests, messages) are kept.
"""

from __future__ import annotations

import calendar
import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.demo import data
from api.demo.locations import load_locations
from api.models.cases import TARGET_GROUPS, Case, CaseStatus
from api.models.citizens import Citizen
from api.models.closures import Closure
from api.models.meetings import Meeting
from api.models.payments import Payment, PaymentStatus
from api.models.plans import PlanItem
from api.models.users import User
from kkshared.holidays import closed_day


def demo_id(prefix: str, *parts: str) -> str:
    """A stable pseudonymous id for a demo row (same on every seed and every machine)."""
    digest = hashlib.sha256(":".join(("kk-demo", *parts)).encode()).hexdigest()[:10]
    return f"{prefix}-{digest}"


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and closed_day(day) is None


def working_day_on_or_after(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def working_day_on_or_before(day: date) -> date:
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def last_banking_day(year: int, month: int) -> date:
    return working_day_on_or_before(date(year, month, calendar.monthrange(year, month)[1]))


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass
class SeedSummary:
    users: int
    citizens: int
    meetings: int
    payments: int
    plan_items: int
    locations: int


def _upsert_users(session: Session) -> dict[str, User]:
    users = {}
    for spec in data.USERS:
        user = session.scalars(select(User).where(User.username == spec.username)).first()
        if user is None:
            user = User(id=demo_id("u", spec.username), username=spec.username)
            session.add(user)
        user.role = spec.role
        user.display_name = spec.display_name
        user.contact_email = spec.contact_email
        user.is_active = True
        users[spec.username] = user
    session.flush()
    return users


def _meeting_day(today: date, days_ahead: int) -> date:
    target = today + timedelta(days=days_ahead)
    return working_day_on_or_after(target) if days_ahead >= 0 else working_day_on_or_before(target)


def _seed_citizen(
    session: Session, spec: data.DemoCitizen, users: dict[str, User], today: date, tz: ZoneInfo
) -> tuple[int, int, int]:
    user = users[spec.username]
    citizen = session.scalars(select(Citizen).where(Citizen.user_id == user.id)).first()
    # A demo database migrated before foreign keys were switched off for SQLite migrations lost
    # the link (user_id NULL): the demo citizen is found by its id and linked again.
    citizen = citizen or session.get(Citizen, demo_id("c", spec.username))
    if citizen is None:
        citizen = Citizen(id=demo_id("c", spec.username))
        session.add(citizen)
    citizen.user_id = user.id
    citizen.name = spec.name
    citizen.phone = spec.phone
    citizen.preferred_channel = spec.preferred_channel
    citizen.sms_opt_out = False
    session.flush()

    case = session.scalars(select(Case).where(Case.citizen_id == citizen.id)).first()
    if case is None:
        case = Case(id=demo_id("sag", spec.username), citizen_id=citizen.id)
        session.add(case)
    case.target_group = spec.target_group
    case.benefit = TARGET_GROUPS[spec.target_group][1]
    case.caseworker_id = users[spec.caseworker].id
    case.status = CaseStatus.OPEN
    case.opened_on = today - timedelta(days=spec.case_opened_days_ago)

    meeting_ids = []
    for m in spec.meetings:
        meeting_id = demo_id("m", spec.username, m.key)
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            meeting = Meeting(id=meeting_id, citizen_id=citizen.id)
            session.add(meeting)
        meeting.caseworker_id = users[spec.caseworker].id
        meeting.starts_at = datetime.combine(_meeting_day(today, m.days_ahead), m.at, tzinfo=tz)
        meeting.duration_minutes = 45
        meeting.form = m.form
        meeting.meeting_type = m.meeting_type
        meeting.location_id = m.location_id
        meeting.place_note = m.place_note
        meeting.status = m.status
        meeting_ids.append(meeting_id)

    payment_ids = []
    this_month = today.replace(day=1)
    benefit = TARGET_GROUPS[spec.target_group][1]
    for offset in data.PAYMENT_MONTHS:
        month = _add_months(this_month, offset)
        payment_id = demo_id("p", spec.username, str(offset))
        payment = session.get(Payment, payment_id)
        if payment is None:
            payment = Payment(id=payment_id, citizen_id=citizen.id)
            session.add(payment)
        payment.pay_date = last_banking_day(month.year, month.month)
        payment.amount = spec.monthly_amount
        payment.status = PaymentStatus.PAID if payment.pay_date < today else PaymentStatus.PLANNED
        payment.description = f"{benefit.capitalize()} for {data.month_label(month)}"
        payment_ids.append(payment_id)

    plan_ids = []
    for order, item in enumerate(spec.plan):
        item_id = demo_id("pl", spec.username, item.key)
        row = session.get(PlanItem, item_id)
        if row is None:
            row = PlanItem(id=item_id, citizen_id=citizen.id)
            session.add(row)
        row.title = item.title
        row.description = item.description
        row.kind = item.kind
        row.status = item.status
        row.due_date = (
            working_day_on_or_after(today + timedelta(days=item.due_in_days))
            if item.due_in_days is not None
            else None
        )
        row.sort_order = order
        plan_ids.append(item_id)
    session.flush()

    # The seed owns the meetings, payments and plan of demo citizens: drop rows it no longer makes.
    for model, keep in ((Meeting, meeting_ids), (Payment, payment_ids), (PlanItem, plan_ids)):
        session.execute(
            delete(model)
            .where(model.citizen_id == citizen.id, model.id.not_in(keep))
            .execution_options(synchronize_session=False)
        )
    return len(meeting_ids), len(payment_ids), len(plan_ids)


def _seed_closure(session: Session, users: dict[str, User], today: date, tz: ZoneInfo) -> None:
    spec = data.DEMO_CLOSURE
    closure_id = demo_id("cl", spec.key)
    closure = session.get(Closure, closure_id)
    if closure is None:
        closure = Closure(id=closure_id)
        session.add(closure)
    day = working_day_on_or_after(today + timedelta(days=spec.days_ahead))
    closure.location_id = spec.location_id
    closure.starts_at = datetime.combine(day, spec.starts, tzinfo=tz)
    closure.ends_at = datetime.combine(day, spec.ends, tzinfo=tz)
    closure.reason = spec.reason
    closure.created_by = users[spec.created_by].id


def seed_demo(session: Session, tz: ZoneInfo, today: date | None = None) -> SeedSummary:
    """Create or refresh all demo rows. Flushes; the caller commits."""
    today = today or datetime.now(tz).date()
    location_ids = load_locations(session)
    users = _upsert_users(session)
    totals = [0, 0, 0]
    for spec in data.CITIZENS:
        counts = _seed_citizen(session, spec, users, today, tz)
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
    _seed_closure(session, users, today, tz)
    session.flush()
    return SeedSummary(
        users=len(users),
        citizens=len(data.CITIZENS),
        meetings=totals[0],
        payments=totals[1],
        plan_items=totals[2],
        locations=len(location_ids),
    )
