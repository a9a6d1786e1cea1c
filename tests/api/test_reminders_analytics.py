"""Reminder analytics (issue 19): ``GET /analytics/reminders`` and the section on /statistik count
exactly what the reminder log holds. The reminders are made through the job's own endpoints
(claim, outcome) and the citizen's answers through ``PUT /me/meetings/{id}/confirmation`` as the
action server calls it (service token + the citizen's subject). Authorization matrix:
test_api_authorization.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from api_helpers import service_headers, today_cph
from reminder_helpers import answer, make_meeting, send_reminder

from api.models import Citizen, Meeting, ReminderOptIn

ZERO = {
    "sent": 0,
    "confirmed": 0,
    "cannot_attend": 0,
    "new_time": 0,
    "no_reply": 0,
    "awaiting_reply": 0,
    "closure_alerts": 0,
    "skipped": 0,
    "failed": 0,
    "replied": 0,
    "reply_rate": None,
}


def _report(client, auth, query: str = "", username: str = "demo-redaktoer") -> dict:
    r = client.get(f"/analytics/reminders{query}", headers=auth(username))
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture
def three_reminders(client, auth, demo, db_session) -> list[Meeting]:
    """3 reminders sent: one confirmed (1), one "cannot come" (2), one never answered before its
    meeting (which has begun since)."""
    citizen_id = demo.citizen_id("demo-borger")
    r = client.put("/me/sms-reminders", json={"opted_in": True}, headers=auth("demo-borger"))
    assert r.status_code == 200
    meetings = [make_meeting(db_session, citizen_id, 24 * days) for days in (1, 2, 3)]
    for meeting in meetings:
        send_reminder(client, meeting.id)
    answer(client, demo.user_id("demo-borger"), meetings[0].id, "confirmed")
    answer(client, demo.user_id("demo-borger"), meetings[1].id, "cannot_attend")
    meetings[2].starts_at = datetime.now(UTC) - timedelta(minutes=5)  # it began, no answer came
    db_session.flush()
    return meetings


def test_an_empty_log_counts_nothing(client, auth):
    report = _report(client, auth)
    assert report["totals"] == ZERO
    assert len(report["rows"]) == 28 and all(row["counts"] == ZERO for row in report["rows"])


def test_three_sent_one_confirmed_one_absence_one_no_reply(client, auth, three_reminders):
    report = _report(client, auth)
    expected = ZERO | {
        "sent": 3,
        "confirmed": 1,
        "cannot_attend": 1,
        "no_reply": 1,
        "replied": 2,
        "reply_rate": 2 / 3,
    }
    assert report["totals"] == expected
    today = str(today_cph())
    assert [row["counts"] for row in report["rows"] if row["period"] == today] == [expected]
    assert all(row["counts"] == ZERO for row in report["rows"] if row["period"] != today)
    # Opt-ins: demo-borger (a number, no STOP) is the only one.
    assert report["opt_ins"] == {
        "opted_in": 1,
        "reachable": 1,
        "sms_stopped": 0,
        "opted_in_in_period": 1,
    }
    # No person in the answer: counts only.
    text = str(report)
    for meeting in three_reminders:
        assert meeting.id not in text and meeting.citizen_id not in text


def test_new_time_awaiting_closure_alerts_skips_and_failures(
    client, auth, demo, db_session, three_reminders
):
    citizen_id = demo.citizen_id("demo-borger")
    later = make_meeting(db_session, citizen_id, 96)
    send_reminder(client, later.id)
    answer(client, demo.user_id("demo-borger"), later.id, "new_time")
    ahead, alerted, stopped, failed = (
        make_meeting(db_session, citizen_id, hours).id for hours in (120, 144, 168, 192)
    )
    send_reminder(client, ahead)  # sent, the meeting still ahead, no answer yet
    send_reminder(client, alerted, kind="closure")
    send_reminder(client, stopped, status="skipped", detail="the number sent STOP")
    send_reminder(client, failed, status="failed", detail="the bot said nothing")
    # A claim still being sent counts nowhere (yet).
    r = client.post(
        "/service/reminders/claims",
        json={
            "meeting_id": make_meeting(db_session, citizen_id, 216).id,
            "kind": "day_before",
            "day": str(today_cph()),
        },
        headers=service_headers(),
    )
    assert r.status_code == 201
    # STOP from another citizen: a snapshot count.
    db_session.get(Citizen, demo.citizen_id("demo-borger-syg")).sms_opt_out = True
    db_session.flush()
    report = _report(client, auth, username="demo-admin")
    assert report["totals"] == ZERO | {
        "sent": 5,
        "confirmed": 1,
        "cannot_attend": 1,
        "new_time": 1,
        "no_reply": 1,
        "awaiting_reply": 1,
        "closure_alerts": 1,
        "skipped": 1,
        "failed": 1,
        "replied": 3,
        "reply_rate": 3 / 4,
    }
    assert report["opt_ins"]["sms_stopped"] == 1


def test_week_view_and_periods_outside_count_nothing(client, auth, three_reminders):
    week = _report(client, auth, "?period=week")
    monday = today_cph() - timedelta(days=today_cph().weekday())
    [row] = [r for r in week["rows"] if r["period"] == str(monday)]
    assert row["counts"]["sent"] == 3 and week["totals"]["sent"] == 3
    before = today_cph() - timedelta(days=30)
    past = _report(client, auth, f"?from={before - timedelta(days=6)}&to={before}")
    assert past["totals"] == ZERO and len(past["rows"]) == 7
    assert past["opt_ins"]["opted_in_in_period"] == 0 and past["opt_ins"]["opted_in"] == 1


def test_an_opt_in_turned_off_is_not_counted(client, auth, demo, db_session, three_reminders):
    row = db_session.get(ReminderOptIn, demo.citizen_id("demo-borger"))
    row.opted_in = False
    db_session.flush()
    assert _report(client, auth)["opt_ins"]["opted_in"] == 0


def test_bad_periods_are_422_with_a_reason(client, auth):
    for query, reason in [
        ("?from=igaar", "from must be a date like 2026-12-06"),
        ("?from=2026-12-31&to=2026-01-01", "from must not be after to"),
        ("?period=month", "period must be 'day' or 'week'"),
        ("?from=2020-01-01&to=2026-01-01", "the period is at most 366 days"),
    ]:
        r = client.get(f"/analytics/reminders{query}", headers=auth("demo-admin"))
        assert r.status_code == 422 and r.json() == {"detail": reason}, query


@pytest.mark.parametrize(
    "username", ["demo-sagsbehandler", "demo-borger", "demo-jurist"], ids=lambda u: u
)
def test_other_roles_and_no_token_are_refused(client, auth, username):
    assert client.get("/analytics/reminders").status_code == 401
    assert client.get("/analytics/reminders", headers=auth(username)).status_code == 403


# --- the section on /statistik -------------------------------------------------------------------


def test_the_dashboard_shows_the_same_numbers_and_a_csv(client, auth, three_reminders):
    page = client.get("/statistik", headers=auth("demo-redaktoer"))
    assert page.status_code == 200, page.text
    assert "Sms-påmindelser om samtaler" in page.text
    assert 'id="chart-reminders"' in page.text
    assert "<dt>Påmindelser sendt</dt><dd>3</dd>" in page.text
    assert "<dt>Bekræftet</dt><dd>1</dd>" in page.text
    assert "<dt>Kan ikke komme</dt><dd>1</dd>" in page.text
    assert "<dt>Intet svar før samtalen</dt><dd>1</dd>" in page.text
    # The chart's numbers (JSON in the page): per day by answer, the same as the table.
    assert '"label": "Bekræftet (1)"' in page.text
    csv = client.get("/statistik/csv/paamindelser", headers=auth("demo-redaktoer"))
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "Dag;Sendt;Bekræftet (1);Kan ikke komme (2);Ønsker ny tid (3);Intet svar;"
        "Venter på svar;Lukkebeskeder;Ikke sendt (fx STOP);Fejlet"
    )
    today = today_cph().strftime("%d.%m.%Y")
    assert f"{today};3;1;1;0;1;0;0;0;0" in lines
    assert len(lines) == 1 + 28


@pytest.mark.parametrize("username", ["demo-sagsbehandler", "demo-borger"])
def test_the_dashboard_csv_is_refused_to_other_roles(client, auth, username):
    r = client.get("/statistik/csv/paamindelser", headers=auth(username))
    assert r.status_code == 403
    r = client.get("/statistik/csv/paamindelser", follow_redirects=False)
    assert r.status_code == 303


def test_the_bench_report_prints_the_same_counts(client, auth, three_reminders):
    from bench.reminders.report import markdown

    text = markdown(_report(client, auth), "the test")
    today = str(today_cph())
    assert f"| {today} | 3 | 1 | 1 | 0 | 1 | 0 | 0 | 0 | 0 |" in text
    assert "| **total** | **3** | **1** | **1** | **0** | **1** |" in text
    assert "answered: 2 of 3 reminders" in text and "opted in now: 1 citizens" in text
