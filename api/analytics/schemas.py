"""The JSON of ``GET /analytics/report`` and ``POST /analytics/aggregate`` (pydantic 2)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from api.analytics.job import RunResult
from api.analytics.report import Counts, Report


class CountsOut(BaseModel):
    conversations: int
    contained: int
    containment: float | None = Field(description="contained / conversations")
    messages: int
    turns: int = Field(description="user messages outside forms and the legal mode")
    fallbacks: int = Field(description="turns not understood (nlu_fallback, gibberish)")
    dont_know: int = Field(description="of the fallbacks: answered 'det ved jeg ikke'")
    fallback_rate: float | None = Field(description="fallbacks / turns")
    low_confidence: int = Field(description="turns answered with a source passage (tier 2)")
    handovers: int
    forms_sent: int
    feedback_up: int
    feedback_down: int
    legal_asked: int
    legal_answered: int
    legal_clarify: int
    legal_refused: int
    legal_escalated: int

    @classmethod
    def of(cls, counts: Counts) -> CountsOut:
        return cls(**counts.as_dict())


class PeriodOut(BaseModel):
    period: date = Field(description="the day, or the Monday of the week")
    channel: str = Field(description="web_anonymous | web_logged_in | sms | legal | unknown | all")
    counts: CountsOut


class AnswerOut(BaseModel):
    entry_id: str
    title: str | None
    answers: int
    feedback_up: int
    feedback_down: int
    feedback_ratio: float | None


class QuestionGroupOut(BaseModel):
    text: str = Field(description="the newest question of the group (PII-masked)")
    count: int
    newest_at: datetime
    outcomes: dict[str, int] = Field(description="fallback | dont_know | low_confidence")
    examples: list[str]


class TicketsOut(BaseModel):
    created: int
    answered: int
    open: int
    median_hours: float | None
    max_hours: float | None


class ReportOut(BaseModel):
    start: date
    end: date
    period: str
    rows: list[PeriodOut]
    totals: dict[str, CountsOut]
    answers: list[AnswerOut]
    unanswered: list[QuestionGroupOut]
    tickets: TicketsOut

    @classmethod
    def of(cls, report: Report) -> ReportOut:
        return cls(
            start=report.start,
            end=report.end,
            period=report.period,
            rows=[
                PeriodOut(period=r.period, channel=r.channel, counts=CountsOut.of(r.counts))
                for r in report.rows
            ],
            totals={k: CountsOut.of(v) for k, v in report.totals.items()},
            answers=[
                AnswerOut(
                    entry_id=a.entry_id,
                    title=a.title,
                    answers=a.answers,
                    feedback_up=a.feedback_up,
                    feedback_down=a.feedback_down,
                    feedback_ratio=a.feedback_ratio,
                )
                for a in report.answers
            ],
            unanswered=[
                QuestionGroupOut(
                    text=g.newest.text,
                    count=g.count,
                    newest_at=g.newest.at,
                    outcomes=g.outcomes(),
                    examples=g.examples(),
                )
                for g in report.unanswered
            ],
            tickets=TicketsOut(**vars(report.tickets)),
        )


class AggregateOut(BaseModel):
    events: int = Field(description="events read in this run")
    conversations: int = Field(description="conversations started or continued")
    answers: int
    questions: int = Field(description="unanswered turns recorded")
    feedback: int = Field(description="feedback rows linked")
    last_event_id: int
    skipped: bool = Field(description="another worker was aggregating; nothing was done")
    available: bool = Field(description="false while the events database does not exist yet")

    @classmethod
    def of(cls, result: RunResult) -> AggregateOut:
        return cls(**result.as_dict())
