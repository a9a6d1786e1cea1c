"""What the SMS reminders did, from a running case service or its database (issue 19).

    python -m bench.reminders.report [--api-url http://127.0.0.1:8000] [--username demo-admin]
        [--from 2026-11-01] [--to 2026-11-30] [--period day|week] [--out docs/reminders_report.md]
    .venvs/api/bin/python -m bench.reminders.report --database-url sqlite:///var/kk.db ...

Prints (or writes to ``--out``) the counts of ``GET /analytics/reminders``: per day or week and
for the period, reminders sent, confirmed (1), cannot come (2), new time wanted (3), no reply
before the meeting, awaiting a reply, closure alerts, skipped (e.g. STOP) and failed, and the
opt-ins now. Definitions: api/analytics/reminders.py and docs/analytics.md.

Over HTTP it signs in with ``POST /auth/demo-login`` (demo mode, ``./kk run``) as ``--username``
(an editor or admin), or takes a bearer token from ``KK_REPORT_TOKEN``; it uses the standard
library only, so any venv runs it. With ``--database-url`` it computes the same report in process
with the case service's code (the api venv). Counts only: no person is named.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

LABELS = (
    ("sent", "sent"),
    ("confirmed", "confirmed (1)"),
    ("cannot_attend", "cannot come (2)"),
    ("new_time", "new time (3)"),
    ("no_reply", "no reply"),
    ("awaiting_reply", "awaiting reply"),
    ("closure_alerts", "closure alerts"),
    ("skipped", "skipped"),
    ("failed", "failed"),
)


def _http(url: str, body: dict[str, Any] | None = None, token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{url}: {error.code} {error.read().decode(errors='replace')}") from None
    except urllib.error.URLError as error:
        raise SystemExit(f"{url}: {error.reason} (is the case service running?)") from None


def from_api(api_url: str, username: str, query: dict[str, str]) -> dict[str, Any]:
    token = os.environ.get("KK_REPORT_TOKEN")
    if not token:
        token = _http(f"{api_url}/auth/demo-login", {"username": username})["access_token"]
    url = f"{api_url}/analytics/reminders?{urllib.parse.urlencode(query)}"
    result: dict[str, Any] = _http(url, token=token)
    return result


def from_database(database_url: str, query: dict[str, str]) -> dict[str, Any]:
    from sqlalchemy.orm import Session

    from api.analytics.period import BadPeriod, parse_period
    from api.analytics.reminders import build_reminder_report
    from api.core.config import get_settings
    from api.db.session import make_engine
    from api.routes.reminders_analytics import report_out

    tz = get_settings().tz
    try:
        chosen = parse_period(query.get("from"), query.get("to"), query.get("period"), tz)
    except BadPeriod as error:
        raise SystemExit(str(error)) from None
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            report = build_reminder_report(session, chosen.start, chosen.end, chosen.period, tz)
    finally:
        engine.dispose()
    return report_out(report).model_dump(mode="json")


def markdown(report: dict[str, Any], source: str) -> str:
    totals, opt_ins = report["totals"], report["opt_ins"]
    rate = totals["reply_rate"]
    lines = [
        "# SMS reminders: what was sent and what came back",
        "",
        f"Made by `python -m bench.reminders.report` from {source} on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; period {report['start']} to {report['end']}, "
        f'per {report["period"]}. Definitions: docs/analytics.md ("SMS reminders").',
        "",
        "| " + " | ".join(["period", *(label for _, label in LABELS)]) + " |",
        "| " + " | ".join(["---"] * (len(LABELS) + 1)) + " |",
    ]
    for row in report["rows"]:
        counts = row["counts"]
        if any(counts[name] for name, _ in LABELS):
            cells = [row["period"], *(str(counts[name]) for name, _ in LABELS)]
            lines.append("| " + " | ".join(cells) + " |")
    lines.append(
        "| " + " | ".join(["**total**", *(f"**{totals[name]}**" for name, _ in LABELS)]) + " |"
    )
    lines += [
        "",
        "(Periods without any reminder are left out.)",
        "",
        f"- answered: {totals['replied']} of {totals['replied'] + totals['no_reply']} reminders "
        f"whose meeting has begun or that were answered"
        + (f" ({rate * 100:.0f} %)" if rate is not None else ""),
        f"- opted in now: {opt_ins['opted_in']} citizens, {opt_ins['reachable']} of them with a "
        f"number and no STOP; {opt_ins['opted_in_in_period']} opted in during the period",
        f"- citizens who sent STOP (now): {opt_ins['sms_stopped']}",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--api-url", default="http://127.0.0.1:8000")
    parser.add_argument("--username", default="demo-admin", help="an editor or admin (demo)")
    parser.add_argument("--database-url", help="read the database instead (api venv)")
    parser.add_argument("--from", dest="start", help="first day (default: 28 days back)")
    parser.add_argument("--to", dest="end", help="last day (default: today)")
    parser.add_argument("--period", default="day", choices=("day", "week"))
    parser.add_argument("--out", type=Path, help="write the Markdown here instead of printing")
    args = parser.parse_args(argv)
    query = {"period": args.period}
    if args.start:
        query["from"] = args.start
    if args.end:
        query["to"] = args.end
    if args.database_url:
        report = from_database(args.database_url, query)
        source = "the case-service database"
    else:
        report = from_api(args.api_url.rstrip("/"), args.username, query)
        source = f"the case service at {args.api_url}"
    text = markdown(report, source)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
