"""Conversation analytics as JSON (roles editor and admin): the report the pages show
(``/statistik``, api/routes/analytics_pages.py) and running the aggregation job now.
Definitions: docs/analytics.md."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from api.analytics.events import EventsDatabase
from api.analytics.job import aggregate
from api.analytics.period import ChosenPeriod
from api.analytics.report import build_report
from api.analytics.schemas import AggregateOut, ReportOut
from api.deps import SessionDep, SettingsDep, require_roles
from api.models.users import Role
from api.security.principal import Principal

router = APIRouter(tags=["analytics"])

AnalyticsReader = Annotated[Principal, Depends(require_roles(Role.EDITOR, Role.ADMIN))]


@router.get(
    "/analytics/report",
    summary="Editors and admins: conversations, containment, fallbacks, answers, unanswered "
    "questions and legal tickets for a period",
)
def analytics_report(
    _reader: AnalyticsReader, session: SessionDep, settings: SettingsDep, chosen: ChosenPeriod
) -> ReportOut:
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
