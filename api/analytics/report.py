"""The numbers of the analytics pages and ``GET /analytics/report``, from the analytics tables
(and the legal tickets in ``legal_questions``).

Periods are local days or ISO weeks (Monday-Sunday) by the conversation's start. Conversations
without a user message are left out everywhere.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from api.analytics.facts import CHANNELS
from api.analytics.feedback import UNKNOWN_CHANNEL
from api.analytics.grouping import QuestionGroup, UnansweredQuestion, group_questions
from api.analytics.writer import COUNTERS
from api.models.analytics import (
    AnalyticsAnswer,
    AnalyticsConversation,
    AnalyticsFeedback,
    AnalyticsQuestion,
)
from api.models.legal import LegalQuestion

PERIODS = ("day", "week")
MAX_DAYS = 366
UNANSWERED_LIMIT = 1000  # newest questions grouped
TOP_ANSWERS = 25
ALL_CHANNELS = "all"

# Every counter the job stores per conversation, summed per day and channel; feedback is counted
# from the feedback rows (below) and answers per entry (the top answers).
SUMMED = tuple(name for name in COUNTERS if name not in ("answers", "feedback_up", "feedback_down"))


@dataclass
class Counts:
    conversations: int = 0
    contained: int = 0
    messages: int = 0
    turns: int = 0
    fallbacks: int = 0
    dont_know: int = 0
    low_confidence: int = 0
    handovers: int = 0
    forms_sent: int = 0
    feedback_up: int = 0
    feedback_down: int = 0
    legal_asked: int = 0
    legal_answered: int = 0
    legal_clarify: int = 0
    legal_refused: int = 0
    legal_escalated: int = 0

    def add(self, other: Counts) -> None:
        for name in vars(other):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def containment(self) -> float | None:
        return self.contained / self.conversations if self.conversations else None

    @property
    def fallback_rate(self) -> float | None:
        return self.fallbacks / self.turns if self.turns else None

    def as_dict(self) -> dict[str, Any]:
        return {**vars(self), "containment": self.containment, "fallback_rate": self.fallback_rate}


@dataclass
class PeriodRow:
    period: date  # the day, or the Monday of the week
    channel: str  # a channel, "unknown" (feedback only) or "all"
    counts: Counts


@dataclass
class AnswerRow:
    entry_id: str
    title: str | None
    answers: int
    feedback_up: int
    feedback_down: int

    @property
    def feedback_ratio(self) -> float | None:
        rated = self.feedback_up + self.feedback_down
        return self.feedback_up / rated if rated else None


@dataclass
class LegalTickets:
    created: int = 0
    answered: int = 0
    open: int = 0
    median_hours: float | None = None
    max_hours: float | None = None


@dataclass
class Report:
    start: date
    end: date  # inclusive
    period: str
    rows: list[PeriodRow] = field(default_factory=list)  # per period and channel, then "all"
    totals: dict[str, Counts] = field(default_factory=dict)  # per channel and "all"
    answers: list[AnswerRow] = field(default_factory=list)
    unanswered: list[QuestionGroup] = field(default_factory=list)
    tickets: LegalTickets = field(default_factory=LegalTickets)


def period_start(day: date, period: str) -> date:
    return day - timedelta(days=day.weekday()) if period == "week" else day


def _conversation_counts(
    session: Session, start: date, end: date
) -> dict[tuple[date, str], Counts]:
    c = AnalyticsConversation
    contained = func.sum(case(((c.handovers == 0) & (c.fallbacks == 0), 1), else_=0))
    query = (
        select(
            c.day,
            c.channel,
            func.count(),
            contained,
            *(func.sum(getattr(c, name)) for name in SUMMED),
        )
        .where(c.day >= start, c.day <= end, c.messages > 0)
        .group_by(c.day, c.channel)
    )
    found: dict[tuple[date, str], Counts] = {}
    for row in session.execute(query):
        day, channel, conversations, contained_count, *sums = row
        counts = Counts(conversations=int(conversations), contained=int(contained_count or 0))
        for name, value in zip(SUMMED, sums, strict=True):
            setattr(counts, name, int(value or 0))
        found[(day, channel)] = counts
    return found


def _feedback_counts(session: Session, start: date, end: date) -> dict[tuple[date, str], Counts]:
    f = AnalyticsFeedback
    query = (
        select(
            f.day,
            f.channel,
            func.sum(case((f.rating == "up", 1), else_=0)),
            func.sum(case((f.rating == "down", 1), else_=0)),
        )
        .where(f.day >= start, f.day <= end)
        .group_by(f.day, f.channel)
    )
    return {
        (day, channel): Counts(feedback_up=int(up or 0), feedback_down=int(down or 0))
        for day, channel, up, down in session.execute(query)
    }


def build_rows(
    per_day: Iterable[tuple[tuple[date, str], Counts]], period: str
) -> tuple[list[PeriodRow], dict[str, Counts]]:
    grouped: dict[tuple[date, str], Counts] = {}
    totals: dict[str, Counts] = {}
    for (day, channel), counts in per_day:
        for key_channel in (channel, ALL_CHANNELS):
            key = (period_start(day, period), key_channel)
            grouped.setdefault(key, Counts()).add(counts)
            totals.setdefault(key_channel, Counts()).add(counts)
    order = {name: i for i, name in enumerate((*CHANNELS, UNKNOWN_CHANNEL, ALL_CHANNELS))}
    rows = [
        PeriodRow(day, channel, counts)
        for (day, channel), counts in sorted(
            grouped.items(), key=lambda item: (item[0][0], order.get(item[0][1], 99))
        )
    ]
    return rows, totals


def _titles(session: Session, entry_ids: list[str]) -> dict[str, str]:
    """Entry titles from the live catalogue (``catalogue_entries``), when it has them."""
    try:
        from api.models.catalogue import CatalogueEntryRecord
    except ImportError:  # pragma: no cover - the catalogue is another module's
        return {}
    titles: dict[str, str] = {}
    try:
        with session.begin_nested():
            rows = session.execute(
                select(CatalogueEntryRecord.id, CatalogueEntryRecord.content).where(
                    CatalogueEntryRecord.id.in_(entry_ids)
                )
            ).all()
    except Exception:  # the catalogue's table is not there (yet): ids only
        return {}
    for entry_id, content in rows:
        title = content.get("title") if isinstance(content, dict) else None
        if isinstance(title, str):
            titles[str(entry_id)] = title
    return titles


def top_answers(
    session: Session, start: date, end: date, limit: int = TOP_ANSWERS
) -> list[AnswerRow]:
    a = AnalyticsAnswer
    given = session.execute(
        select(a.entry_id, func.count())
        .where(a.day >= start, a.day <= end)
        .group_by(a.entry_id)
        .order_by(func.count().desc(), a.entry_id)
        .limit(limit)
    ).all()
    ids = [str(entry_id) for entry_id, _ in given]
    f = AnalyticsFeedback
    ratings = {
        str(entry_id): (int(up or 0), int(down or 0))
        for entry_id, up, down in session.execute(
            select(
                f.entry_id,
                func.sum(case((f.rating == "up", 1), else_=0)),
                func.sum(case((f.rating == "down", 1), else_=0)),
            )
            .where(f.day >= start, f.day <= end, f.entry_id.in_(ids))
            .group_by(f.entry_id)
        )
    }
    titles = _titles(session, ids)
    return [
        AnswerRow(entry_id, titles.get(entry_id), int(count), *ratings.get(entry_id, (0, 0)))
        for entry_id, count in ((str(e), c) for e, c in given)
    ]


def unanswered(session: Session, start: date, end: date) -> list[QuestionGroup]:
    q = AnalyticsQuestion
    rows = session.execute(
        select(q.id, q.text, q.outcome, q.channel, q.at)
        .where(q.day >= start, q.day <= end)
        .order_by(q.at.desc(), q.id.desc())
        .limit(UNANSWERED_LIMIT)
    ).all()
    return group_questions(
        [UnansweredQuestion(int(i), str(t), str(o), str(c), at) for i, t, o, c, at in rows]
    )


def legal_tickets(session: Session, start: date, end: date, tz: ZoneInfo) -> LegalTickets:
    """Tickets (questions escalated to the lawyers) created in the period and how long the
    lawyers took to answer them."""
    since = datetime.combine(start, time(), tz)
    until = datetime.combine(end + timedelta(days=1), time(), tz)
    rows = session.execute(
        select(LegalQuestion.created_at, LegalQuestion.answered_at).where(
            LegalQuestion.created_at >= since, LegalQuestion.created_at < until
        )
    ).all()
    hours = [
        (answered - created).total_seconds() / 3600
        for created, answered in rows
        if answered is not None
    ]
    return LegalTickets(
        created=len(rows),
        answered=len(hours),
        open=len(rows) - len(hours),
        median_hours=round(statistics.median(hours), 1) if hours else None,
        max_hours=round(max(hours), 1) if hours else None,
    )


def build_report(session: Session, start: date, end: date, period: str, tz: ZoneInfo) -> Report:
    per_day = list(_conversation_counts(session, start, end).items())
    per_day += list(_feedback_counts(session, start, end).items())
    rows, totals = build_rows(per_day, period)
    return Report(
        start=start,
        end=end,
        period=period,
        rows=rows,
        totals=totals,
        answers=top_answers(session, start, end),
        unanswered=unanswered(session, start, end),
        tickets=legal_tickets(session, start, end, tz),
    )
