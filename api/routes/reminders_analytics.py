"""Reminder analytics (issue 19): ``GET /analytics/reminders`` for editors and admins, and the
pieces of the section "SMS-påmindelser" on ``/statistik`` (api/routes/analytics_pages.py: the
figures, the chart's numbers, the table and its CSV). Counts only, no person; definitions in
``api.analytics.reminders`` and docs/analytics.md."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter

from api.analytics.period import ChosenPeriod
from api.analytics.reminders import COUNTERS, ReminderCounts, ReminderReport, build_reminder_report
from api.deps import SessionDep, SettingsDep
from api.routes.analytics import AnalyticsReader
from api.schemas.reminders import (
    ReminderCountsOut,
    ReminderOptInsOut,
    ReminderPeriodOut,
    ReminderReportOut,
)

router = APIRouter(tags=["analytics"])

# The page's words for the counters (same order as COUNTERS).
LABELS = {
    "sent": "Sendt",
    "confirmed": "Bekræftet (1)",
    "cannot_attend": "Kan ikke komme (2)",
    "new_time": "Ønsker ny tid (3)",
    "no_reply": "Intet svar",
    "awaiting_reply": "Venter på svar",
    "closure_alerts": "Lukkebeskeder",
    "skipped": "Ikke sendt (fx STOP)",
    "failed": "Fejlet",
}
CSV_TABLE = "paamindelser"


def report_out(report: ReminderReport) -> ReminderReportOut:
    return ReminderReportOut(
        start=report.start,
        end=report.end,
        period=report.period,
        rows=[
            ReminderPeriodOut(period=day, counts=ReminderCountsOut(**counts.as_dict()))
            for day, counts in report.rows
        ],
        totals=ReminderCountsOut(**report.totals.as_dict()),
        opt_ins=ReminderOptInsOut(**vars(report.opt_ins)),
    )


@router.get(
    "/analytics/reminders",
    summary="Editors and admins: SMS reminders sent, confirmed, cannot come, new time wanted, "
    "no reply, per day or week, and the opt-ins (counts only)",
)
def reminder_analytics(
    _reader: AnalyticsReader, session: SessionDep, settings: SettingsDep, chosen: ChosenPeriod
) -> ReminderReportOut:
    report = build_reminder_report(session, chosen.start, chosen.end, chosen.period, settings.tz)
    return report_out(report)


# --- the dashboard's section ---------------------------------------------------------------------


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f} %"


def headers(period_header: str) -> list[str]:
    return [period_header, *(LABELS[name] for name in COUNTERS)]


def rows(report: ReminderReport, label: Callable[[date], str]) -> list[list[str]]:
    return [
        [label(day), *(str(getattr(counts, name)) for name in COUNTERS)]
        for day, counts in report.rows
    ]


def figures(report: ReminderReport) -> list[tuple[str, str]]:
    t, o = report.totals, report.opt_ins
    return [
        ("Påmindelser sendt", str(t.sent)),
        ("Bekræftet", str(t.confirmed)),
        ("Kan ikke komme", str(t.cannot_attend)),
        ("Ønsker ny tid", str(t.new_time)),
        ("Intet svar før samtalen", str(t.no_reply)),
        ("Andel besvaret", _percent(t.reply_rate)),
        ("Tilmeldt påmindelser nu", f"{o.opted_in} (kan nås: {o.reachable})"),
        ("Har skrevet STOP", str(o.sms_stopped)),
    ]


def chart(report: ReminderReport, label: Callable[[date], str]) -> dict[str, Any]:
    """The numbers of the stacked bar chart: per period, the sent reminders by their answer."""
    shown = ("confirmed", "cannot_attend", "new_time", "no_reply", "awaiting_reply")
    return {
        "labels": [label(day) for day, _ in report.rows],
        "series": [
            {"label": LABELS[name], "values": [getattr(c, name) for _, c in report.rows]}
            for name in shown
        ],
    }


def totals_row(report: ReminderReport) -> list[str]:
    counts: ReminderCounts = report.totals
    return ["I alt", *(str(getattr(counts, name)) for name in COUNTERS)]
