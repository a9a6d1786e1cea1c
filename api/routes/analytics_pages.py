"""The job centre's statistics pages (``/statistik``): conversations per day or week and channel,
containment, fallbacks, handovers, feedback, forms, the most used answers, the unanswered
questions (with links to the answer editor), the legal mode and the SMS reminders
(``api.routes.reminders_analytics``), with charts, tables and CSV.

Server-rendered (Jinja2) and Danish. Editors and admins only: without a valid session the pages
redirect to ``/statistik/login``; other roles get a 403 page. Sign-in, CSRF, rendering and the
login and logout routes: ``api.security.page_routes`` (its own cookie on ``/statistik``);
templates in ``api/templates/analytics/``. The only scripts are Chart.js (the npm package's built
file, served from ``api/static/analytics``) and ``statistik.js``, both from this service
(``script-src 'self'``); every chart has a table with the same numbers. Definitions:
docs/analytics.md. Not part of the JSON API (that is ``GET /analytics/report``).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from functools import partial
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Path, Request, status
from fastapi.responses import Response
from sqlalchemy.orm import Session

from api.analytics.events import EventsDatabase
from api.analytics.facts import CHANNELS, DONT_KNOW, FALLBACK, LOW_CONFIDENCE
from api.analytics.feedback import UNKNOWN_CHANNEL
from api.analytics.job import STATE_ID, aggregate
from api.analytics.period import BadPeriod, Period, parse_period
from api.analytics.reminders import build_reminder_report
from api.analytics.report import ALL_CHANNELS, Counts, Report, build_report, period_start
from api.core.config import Settings
from api.deps import SessionDep, SettingsDep
from api.models.analytics import AnalyticsState
from api.models.users import Role
from api.routes import reminders_analytics as reminder_section
from api.security.page_routes import STATIC_DIR, StaffPages, add_sign_in_routes, static_file
from api.security.pages import PageArea, redirect
from kkshared.formatting import format_datetime

router = APIRouter(include_in_schema=False)
ASSETS = {"chart.umd.min.js", "statistik.js"}

AREA = PageArea(
    "statistik",
    "kk_statistik_session",
    "kk_statistik_login_csrf",
    "/statistik",
    frozenset({Role.EDITOR, Role.ADMIN}),
)
PAGES = StaffPages(
    area=AREA,
    title="Statistik",
    home="/statistik",
    home_label="Til statistikken",
    login_heading="Log ind for at se statistik",
    demo_users=("demo-redaktoer", "demo-admin"),
    no_access="Statistikken er kun for redaktører og administratorer.",
    login_refused="Statistikken er kun for redaktører og administratorer.",
    scripts=True,  # Chart.js and statistik.js, from this service
)
add_sign_in_routes(router, PAGES)
# The answer editor (api/routes/catalogue_pages.py): an unanswered question is handed over in the
# query string ("q" searches the entries; "eksempel"/"spoergsmaal" prefill the question).
EDITOR_EXAMPLE = "/katalog"
EDITOR_NEW = "/katalog/nyt"

CHANNEL_LABELS = {
    "web_anonymous": "Web, anonym",
    "web_logged_in": "Web, logget ind",
    "sms": "SMS",
    "legal": "Juridisk vejledning",
    UNKNOWN_CHANNEL: "Ukendt kanal",
    ALL_CHANNELS: "Alle kanaler",
}
OUTCOME_LABELS = {
    FALLBACK: "ikke forstået",
    DONT_KNOW: "ved ikke",
    LOW_CONFIDENCE: "svaret med kildetekst",
}
PERIOD_WORDS = {"dag": "day", "uge": "week"}
CSV_TABLES = ("perioder", "svar", "ubesvarede", "juridisk", reminder_section.CSV_TABLE)
FLASHES = {
    "opdateret": "Statistikken er opdateret med de nyeste samtaler.",
    "optaget": "Statistikken bliver opdateret lige nu af en anden proces. Prøv igen om lidt.",
    "ingen-data": "Der er ingen samtaler at hente endnu: assistenten har ikke registreret noget.",
}
PERIOD_HEADERS = [
    "Periode",
    "Kanal",
    "Samtaler",
    "Beskeder",
    "Klaret uden medarbejder",
    "Ikke forstået",
    "Heraf »ved ikke«",
    "Andel ikke forstået",
    "Svaret med kildetekst",
    "Sendt til medarbejder",
    "Tommel op",
    "Tommel ned",
    "Formularer sendt",
]
ANSWER_HEADERS = ["Svar", "Id", "Givet", "Tommel op", "Tommel ned", "Andel tommel op"]
QUESTION_HEADERS = ["Spørgsmål", "Antal", "Udfald", "Senest", "Andre formuleringer"]


# --- formatting ----------------------------------------------------------------------------------


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f} %".replace(".", ",")


def _period_label(day: date, period: str) -> str:
    if period == "week":
        year, week, _ = day.isocalendar()
        return f"Uge {week} {year}"
    return day.strftime("%d.%m.%Y")


def _period_from_query(
    fra: str | None, til: str | None, periode: str | None, settings: Settings
) -> Period:
    kind = PERIOD_WORDS.get((periode or "dag").strip(), "invalid")
    return parse_period(fra, til, kind, settings.tz)


def _query(chosen: Period) -> str:
    word = "uge" if chosen.period == "week" else "dag"
    return "?" + urlencode(
        {"fra": chosen.start.isoformat(), "til": chosen.end.isoformat(), "periode": word}
    )


def _period_rows(report: Report) -> list[list[str]]:
    rows = []
    for row in report.rows:
        c = row.counts
        rows.append(
            [
                _period_label(row.period, report.period),
                CHANNEL_LABELS.get(row.channel, row.channel),
                str(c.conversations),
                str(c.messages),
                _percent(c.containment),
                str(c.fallbacks),
                str(c.dont_know),
                _percent(c.fallback_rate),
                str(c.low_confidence),
                str(c.handovers),
                str(c.feedback_up),
                str(c.feedback_down),
                str(c.forms_sent),
            ]
        )
    return rows


def _answer_rows(report: Report) -> list[list[str]]:
    return [
        [
            a.title or a.entry_id,
            a.entry_id,
            str(a.answers),
            str(a.feedback_up),
            str(a.feedback_down),
            _percent(a.feedback_ratio),
        ]
        for a in report.answers
    ]


def _outcomes(counts: dict[str, int]) -> str:
    return ", ".join(
        f"{counts[key]} {OUTCOME_LABELS[key]}" for key in OUTCOME_LABELS if counts.get(key)
    )


def _question_rows(report: Report) -> list[list[str]]:
    return [
        [
            g.newest.text,
            str(g.count),
            _outcomes(g.outcomes()),
            format_datetime(g.newest.at),
            " | ".join(g.examples()[1:]),
        ]
        for g in report.unanswered
    ]


def _legal_rows(report: Report) -> list[tuple[str, str]]:
    total = report.totals.get(ALL_CHANNELS, Counts())
    tickets = report.tickets

    def hours(value: float | None) -> str:
        return "–" if value is None else f"{value:.1f} timer".replace(".", ",")

    return [
        ("Spørgsmål stillet i juridisk vejledning", str(total.legal_asked)),
        ("Besvaret med en note", str(total.legal_answered)),
        ("Besvaret, men usikkert (»mente du«)", str(total.legal_clarify)),
        ("Afvist (intet sikkert svar)", str(total.legal_refused)),
        ("Sendt til juristerne fra chatten", str(total.legal_escalated)),
        ("Sager oprettet hos juristerne i perioden", str(tickets.created)),
        ("Heraf besvaret", str(tickets.answered)),
        ("Heraf ikke besvaret endnu", str(tickets.open)),
        ("Svartid for juristerne, median", hours(tickets.median_hours)),
        ("Svartid for juristerne, længste", hours(tickets.max_hours)),
    ]


def _chart(
    report: Report,
) -> tuple[dict[str, Any], list[str], list[dict[str, Any]], list[dict[str, Any]]]:
    step = timedelta(days=7 if report.period == "week" else 1)
    periods = []
    current = period_start(report.start, report.period)
    while current <= report.end:
        periods.append(current)
        current += step
    labels = [_period_label(p, report.period) for p in periods]
    by_key = {(row.period, row.channel): row.counts for row in report.rows}
    channels = [c for c in CHANNELS if any((p, c) in by_key for p in periods)]
    series: list[dict[str, Any]] = [
        {
            "label": CHANNEL_LABELS[c],
            "values": [by_key.get((p, c), Counts()).conversations for p in periods],
        }
        for c in channels
    ]
    totals = [by_key.get((p, ALL_CHANNELS), Counts()) for p in periods]

    def pct(value: float | None) -> float | None:
        return None if value is None else round(value * 100, 1)

    data = {
        "labels": labels,
        "channels": series,
        "containment": [pct(t.containment) for t in totals],
        "fallback": [pct(t.fallback_rate) for t in totals],
    }
    conversation_table = [
        {
            "label": label,
            "cells": [s["values"][i] for s in series] + [totals[i].conversations],
        }
        for i, label in enumerate(labels)
    ]
    rate_table = [
        {
            "label": label,
            "containment": _percent(totals[i].containment),
            "fallback": _percent(totals[i].fallback_rate),
            "up": totals[i].feedback_up,
            "down": totals[i].feedback_down,
        }
        for i, label in enumerate(labels)
    ]
    return data, [str(s["label"]) for s in series], conversation_table, rate_table


def _groups(report: Report) -> list[dict[str, Any]]:
    groups = []
    for group in report.unanswered[:100]:
        text = group.newest.text
        groups.append(
            {
                "text": text,
                "count_label": "1 gang" if group.count == 1 else f"{group.count} gange",
                "outcomes": _outcomes(group.outcomes()),
                "newest": format_datetime(group.newest.at),
                "examples": group.examples()[1:],
                "example_href": f"{EDITOR_EXAMPLE}?{urlencode({'q': text, 'eksempel': text})}",
                "new_href": f"{EDITOR_NEW}?{urlencode({'spoergsmaal': text})}",
            }
        )
    return groups


def _state_line(session: Session) -> str:
    state = session.get(AnalyticsState, STATE_ID)
    if state is None or state.updated_at is None:
        return "Der er ikke hentet samtaler endnu."
    return f"Senest opdateret {format_datetime(state.updated_at)}."


# --- the dashboard -------------------------------------------------------------------------------


@router.get("/statistik")
def dashboard(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    fra: str | None = None,
    til: str | None = None,
    periode: str | None = None,
    besked: str | None = None,
) -> Response:
    user = PAGES.signed_in(request, session, settings)
    if isinstance(user, Response):
        return user
    form = {"fra": (fra or "")[:10], "til": (til or "")[:10], "periode": periode or "dag"}
    context: dict[str, Any] = {
        "form": form,
        "flash": FLASHES.get(besked or ""),
        "state": _state_line(session),
        "query": "",
        "report": None,
    }
    try:
        chosen = _period_from_query(fra, til, periode, settings)
    except BadPeriod as error:
        context["filter_error"] = error.danish
        return PAGES.render(
            request, "analytics/dashboard.html", context, status.HTTP_400_BAD_REQUEST, user
        )
    report = build_report(session, chosen.start, chosen.end, chosen.period, settings.tz)
    data, chart_channels, conversation_table, rate_table = _chart(report)
    reminders = build_reminder_report(session, chosen.start, chosen.end, chosen.period, settings.tz)
    label = partial(_period_label, period=chosen.period)
    data["reminders"] = reminder_section.chart(reminders, label)
    total = report.totals.get(ALL_CHANNELS, Counts())
    week = chosen.period == "week"
    form.update(
        {
            "fra": chosen.start.isoformat(),
            "til": chosen.end.isoformat(),
            "periode": "uge" if week else "dag",
        }
    )
    context.update(
        {
            "query": _query(chosen),
            "report": {
                "label": f"{chosen.start.strftime('%d.%m.%Y')}–{chosen.end.strftime('%d.%m.%Y')}",
                "per": "pr. uge" if week else "pr. dag",
                "period_header": "Uge" if week else "Dag",
            },
            "figures": [
                ("Samtaler", str(total.conversations)),
                ("Beskeder", str(total.messages)),
                ("Klaret uden medarbejder", _percent(total.containment)),
                ("Ikke forstået", f"{total.fallbacks} ({_percent(total.fallback_rate)})"),
                ("Heraf »ved ikke«", str(total.dont_know)),
                ("Sendt til medarbejder", str(total.handovers)),
                ("Tommel op / ned", f"{total.feedback_up} / {total.feedback_down}"),
                ("Formularer sendt", str(total.forms_sent)),
            ],
            "chart_json": json.dumps(data, ensure_ascii=False).replace("</", "<\\/"),
            "chart_channels": chart_channels,
            "conversation_table": conversation_table,
            "rate_table": rate_table,
            "period_headers": PERIOD_HEADERS,
            "period_rows": _period_rows(report),
            "answer_headers": ANSWER_HEADERS,
            "answer_rows": _answer_rows(report),
            "groups": _groups(report),
            "legal_rows": _legal_rows(report),
            "reminder_figures": reminder_section.figures(reminders),
            "reminder_headers": reminder_section.headers("Uge" if week else "Dag"),
            "reminder_rows": reminder_section.rows(reminders, label),
            "reminder_totals": reminder_section.totals_row(reminders),
        }
    )
    return PAGES.render(request, "analytics/dashboard.html", context, user=user)


@router.post("/statistik/opdater")
async def update_now(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    fra: str | None = None,
    til: str | None = None,
    periode: str | None = None,
) -> Response:
    posted = await PAGES.posted_form(
        request,
        session,
        settings,
        refused="Formularen kunne ikke godkendes, så statistikken er ikke opdateret. Hent siden "
        "igen, og prøv en gang til.",
    )
    if isinstance(posted, Response):
        return posted
    events_db = EventsDatabase(settings.events_db_url)
    try:
        result = aggregate(session, settings, events_db)
    finally:
        events_db.dispose()
    message = "opdateret"
    if result.skipped:
        message = "optaget"
    elif not result.available:
        message = "ingen-data"
    params = {"fra": fra or "", "til": til or "", "periode": periode or "", "besked": message}
    return redirect("/statistik?" + urlencode({k: v[:10] for k, v in params.items() if v}))


# --- CSV -----------------------------------------------------------------------------------------


def _cell(value: str) -> str:
    """A cell a spreadsheet shows as text: a leading = + - @ (a formula) gets an apostrophe."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@router.get("/statistik/csv/{table}")
def csv_export(
    table: Annotated[str, Path(max_length=20)],
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    fra: str | None = None,
    til: str | None = None,
    periode: str | None = None,
) -> Response:
    user = PAGES.signed_in(request, session, settings)
    if isinstance(user, Response):
        return user
    if table not in CSV_TABLES:
        return PAGES.error_page(
            request,
            status.HTTP_404_NOT_FOUND,
            "Tabellen findes ikke",
            "Der er ingen tabel med det navn.",
            user=user,
        )
    try:
        chosen = _period_from_query(fra, til, periode, settings)
    except BadPeriod as error:
        return PAGES.error_page(
            request,
            status.HTTP_400_BAD_REQUEST,
            "Perioden kunne ikke bruges",
            error.danish,
            user=user,
        )
    report = build_report(session, chosen.start, chosen.end, chosen.period, settings.tz)
    header: list[str]
    rows: list[list[str]]
    if table == "perioder":
        header, rows = PERIOD_HEADERS, _period_rows(report)
    elif table == "svar":
        header, rows = ANSWER_HEADERS, _answer_rows(report)
    elif table == "ubesvarede":
        header, rows = QUESTION_HEADERS, _question_rows(report)
    elif table == "juridisk":
        header, rows = ["Tal", "Antal"], [list(r) for r in _legal_rows(report)]
    else:
        reminders = build_reminder_report(
            session, chosen.start, chosen.end, chosen.period, settings.tz
        )
        header = reminder_section.headers("Uge" if chosen.period == "week" else "Dag")
        rows = reminder_section.rows(reminders, partial(_period_label, period=chosen.period))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[_cell(v) for v in row] for row in rows])
    name = f"statistik-{table}-{chosen.start.isoformat()}-{chosen.end.isoformat()}.csv"
    response = Response(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
    PAGES.headers(response)
    return response


# --- assets --------------------------------------------------------------------------------------


@router.get("/statistik/assets/{name}")
def asset(name: Annotated[str, Path(max_length=40)]) -> Response:
    if name not in ASSETS:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Not Found")
    return static_file(
        STATIC_DIR / "analytics" / name, "text/javascript; charset=utf-8", "public, max-age=3600"
    )
