"""Conversation analytics as JSON (roles editor and admin): the report the pages show
(``/statistik``, api/routes/analytics_pages.py) and running the aggregation job now.
Definitions: docs/analytics.md."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status

from api.analytics.events import EventsDatabase
from api.analytics.job import aggregate
from api.analytics.period import BadPeriod, parse_period
from api.analytics.report import build_report
from api.analytics.schemas import AggregateOut, ReportOut
from api.deps import SessionDep, SettingsDep, require_roles
from api.errors import error_responses
from api.models.users import Role
from api.security.principal import Principal

router = APIRouter(tags=["analytics"])

AnalyticsReader = Annotated[Principal, Depends(require_roles(Role.EDITOR, Role.ADMIN))]


@router.get(
    "/analytics/report",
    summary="Editors and admins: conversations, containment, fallbacks, answers, unanswered "
    "questions and legal tickets for a period",
    responses=error_responses(422),
)
def analytics_report(
    _reader: AnalyticsReader,
    session: SessionDep,
    settings: SettingsDep,
    start: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    period: Annotated[str | None, Query(max_length=8, description="day | week")] = None,
) -> ReportOut:
    try:
        chosen = parse_period(start, end, period, settings.tz)
    except BadPeriod as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None
    report = build_report(session, chosen.start, chosen.end, chosen.period, settings.tz)
    return ReportOut.of(report)


@router.post(
    "/analytics/aggregate",
    summary="Editors and admins: read the new events into the analytics tables now",
)
def analytics_aggregate(
    _reader: AnalyticsReader, session: SessionDep, settings: SettingsDep
) -> AggregateOut:
    events_db = EventsDatabase(settings.events_db_url)
    try:
        return AggregateOut.of(aggregate(session, settings, events_db))
    finally:
        events_db.dispose()
