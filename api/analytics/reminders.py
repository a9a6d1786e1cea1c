"""Reminder analytics (issue 19): what the SMS reminders did, counted from the reminder log.

Counts only, no person: the numbers of ``GET /analytics/reminders`` and the section "SMS-
påmindelser" of ``/statistik`` (docs/analytics.md, "Reminders"). Definitions:

- a reminder's **day** is the local (Copenhagen) day it went into the SMS outbox (``queued_at``);
  one that was never queued (skipped, failed, still claimed) counts on the day it was claimed;
  weeks are ISO weeks, like the conversation analytics;
- **sent**: day-before reminders with status ``queued`` (in the SMS channel's outbox; the gateway's
  delivery reports are not read, so it means "accepted by the gateway" at best);
- **confirmed** / **cannot attend** / **new time**: of those, the citizen's answer ``reply`` (1, 2,
  3; the latest answer when the citizen answered twice);
- **no reply**: sent, no answer, and the meeting has begun (an answer after the start is refused);
  **awaiting reply**: sent, no answer yet, the meeting still ahead. So sent = confirmed + cannot
  attend + new time + no reply + awaiting reply;
- **closure alerts**: closure alerts queued (they ask for no answer);
- **skipped** (e.g. the number sent STOP) and **failed**: reminders the job claimed, not sent;
- **opt-ins** (a snapshot now, not per period): citizens opted in, of them reachable (a registered
  number and no STOP), and citizens who sent STOP (the case service keeps no date for a STOP),
  plus opt-ins whose latest change to "on" lies in the period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from api.analytics.report import period_start
from api.models.citizens import Citizen
from api.models.meetings import Meeting
from api.models.reminders import (
    MeetingAnswer,
    ReminderKind,
    ReminderLogEntry,
    ReminderOptIn,
    ReminderStatus,
)

# The counters of one period, in the order the page and the CSV show them.
COUNTERS = (
    "sent",
    "confirmed",
    "cannot_attend",
    "new_time",
    "no_reply",
    "awaiting_reply",
    "closure_alerts",
    "skipped",
    "failed",
)
_REPLIES = {
    MeetingAnswer.CONFIRMED: "confirmed",
    MeetingAnswer.CANNOT_ATTEND: "cannot_attend",
    MeetingAnswer.NEW_TIME: "new_time",
}


@dataclass
class ReminderCounts:
    sent: int = 0
    confirmed: int = 0
    cannot_attend: int = 0
    new_time: int = 0
    no_reply: int = 0
    awaiting_reply: int = 0
    closure_alerts: int = 0
    skipped: int = 0
    failed: int = 0

    def add(self, other: ReminderCounts) -> None:
        for name in COUNTERS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def replied(self) -> int:
        return self.confirmed + self.cannot_attend + self.new_time

    @property
    def reply_rate(self) -> float | None:
        """Answered / sent, of the reminders whose meeting has begun or that were answered."""
        decided = self.replied + self.no_reply
        return self.replied / decided if decided else None

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in COUNTERS} | {
            "replied": self.replied,
            "reply_rate": self.reply_rate,
        }


@dataclass(frozen=True)
class OptIns:
    opted_in: int  # citizens opted in now
    reachable: int  # of them: a registered number and no STOP
    sms_stopped: int  # citizens who sent STOP (all citizens, opted in or not)
    opted_in_in_period: int  # opt-ins whose latest change to "on" lies in the period


@dataclass
class ReminderReport:
    start: date
    end: date
    period: str
    rows: list[tuple[date, ReminderCounts]] = field(default_factory=list)  # every period
    totals: ReminderCounts = field(default_factory=ReminderCounts)
    opt_ins: OptIns = OptIns(0, 0, 0, 0)


def _bounds(start: date, end: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    first = datetime.combine(start, time(), tzinfo=tz).astimezone(UTC)
    last = datetime.combine(end + timedelta(days=1), time(), tzinfo=tz).astimezone(UTC)
    return first, last


def _periods(start: date, end: date, period: str) -> list[date]:
    step = timedelta(days=7 if period == "week" else 1)
    periods, current = [], period_start(start, period)
    while current <= end:
        periods.append(current)
        current += step
    return periods


def classify(
    kind: ReminderKind,
    status: ReminderStatus,
    reply: MeetingAnswer | None,
    meeting_start: datetime,
    now: datetime,
) -> tuple[str, ...]:
    """The counters one reminder-log row adds to (e.g. ``("sent", "confirmed")``)."""
    if status == ReminderStatus.SKIPPED:
        return ("skipped",)
    if status == ReminderStatus.FAILED:
        return ("failed",)
    if status != ReminderStatus.QUEUED:
        return ()  # claimed: being sent right now (or its job died; the lease decides)
    if kind == ReminderKind.CLOSURE:
        return ("closure_alerts",)
    if reply is not None:
        return ("sent", _REPLIES[reply])
    return ("sent", "no_reply" if meeting_start <= now else "awaiting_reply")


def _opt_ins(session: Session, first: datetime, last: datetime) -> OptIns:
    opted_in = ReminderOptIn.opted_in.is_(True)
    joined = select(func.count()).select_from(ReminderOptIn).where(opted_in)
    reachable = (
        select(func.count())
        .select_from(ReminderOptIn)
        .join(Citizen, Citizen.id == ReminderOptIn.citizen_id)
        .where(opted_in, Citizen.phone.is_not(None), Citizen.sms_opt_out.is_(False))
    )
    stopped = select(func.count()).select_from(Citizen).where(Citizen.sms_opt_out.is_(True))
    in_period = joined.where(ReminderOptIn.changed_at >= first, ReminderOptIn.changed_at < last)
    return OptIns(
        opted_in=session.scalar(joined) or 0,
        reachable=session.scalar(reachable) or 0,
        sms_stopped=session.scalar(stopped) or 0,
        opted_in_in_period=session.scalar(in_period) or 0,
    )


def build_reminder_report(
    session: Session,
    start: date,
    end: date,
    period: str,
    tz: ZoneInfo,
    now: datetime | None = None,
) -> ReminderReport:
    """The reminder counts per local day or ISO week of [start, end] and their totals."""
    now = now or datetime.now(UTC)
    first, last = _bounds(start, end, tz)
    queued, claimed = ReminderLogEntry.queued_at, ReminderLogEntry.claimed_at
    rows = session.execute(
        select(
            ReminderLogEntry.kind,
            ReminderLogEntry.status,
            ReminderLogEntry.reply,
            queued,
            claimed,
            Meeting.starts_at,
        )
        .join(Meeting, Meeting.id == ReminderLogEntry.meeting_id)
        .where(
            or_(
                and_(queued.is_not(None), queued >= first, queued < last),
                and_(queued.is_(None), claimed >= first, claimed < last),
            )
        )
    ).all()
    periods = _periods(start, end, period)
    by_period = {p: ReminderCounts() for p in periods}
    for kind, status, reply, queued_at, claimed_at, starts_at in rows:
        day = (queued_at or claimed_at).astimezone(tz).date()
        counts = by_period[period_start(day, period)]
        for name in classify(kind, status, reply, starts_at, now):
            setattr(counts, name, getattr(counts, name) + 1)
    report = ReminderReport(start, end, period, [(p, by_period[p]) for p in periods])
    for _, counts in report.rows:
        report.totals.add(counts)
    report.opt_ins = _opt_ins(session, first, last)
    return report
