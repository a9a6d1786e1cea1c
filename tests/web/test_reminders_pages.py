"""SMS reminders on the staff pages (issue 19) in Chromium, against the running system: a reminder
is sent and answered through the case service's own endpoints (the job's claim and outcome with
the service token, the citizen's answer as the action server records it); the caseworker sees it
on the citizen's meetings (/borgere/{id}/moeder), an editor counts it in the section "Sms-
påmindelser" of /statistik (chart, table, CSV). axe-core finds no WCAG 2.1 AA violations; an
editor is refused the caseworker's page."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from http_json import http
from playwright.sync_api import Page, expect
from web_helpers import describe, run_axe

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "img"


def bearer(api_url: str, username: str) -> dict[str, str]:
    status, body = http("POST", f"{api_url}/auth/demo-login", {"username": username})
    assert status == 200, body
    return {"Authorization": f"Bearer {body['access_token']}"}


@pytest.fixture(scope="module")
def answered_reminder(api_url: str) -> dict[str, str]:
    """demo-borger opts in; their next meeting gets a reminder (claimed and queued as the job does)
    and the citizen answers 1 by SMS (recorded as the action server records it)."""
    service = os.environ.get("KK_E2E_SERVICE_TOKEN")
    if not service:
        pytest.skip("KK_E2E_SERVICE_TOKEN is not set: run `./kk test web`")
    citizen = bearer(api_url, "demo-borger")
    status, me = http("GET", f"{api_url}/me", headers=citizen)
    assert status == 200, me
    status, body = http("PUT", f"{api_url}/me/sms-reminders", {"opted_in": True}, citizen)
    assert status == 200, body
    status, meetings = http("GET", f"{api_url}/me/meetings?upcoming=true", headers=citizen)
    assert status == 200 and meetings, meetings
    meeting_id = meetings[0]["id"]
    job = {"X-Service-Token": service}
    # A sending day no job uses (the job's day is the working day before the meeting); another
    # one when this test ran on the same system before.
    for back in range(100, 120):
        day = str(date.today() - timedelta(days=back))
        status, claim = http(
            "POST",
            f"{api_url}/service/reminders/claims",
            {"meeting_id": meeting_id, "kind": "day_before", "day": day},
            job,
        )
        if status != 409:
            break
    assert status == 201, claim
    status, body = http(
        "POST", f"{api_url}/service/reminders/{claim['id']}/outcome", {"status": "queued"}, job
    )
    assert status == 200, body
    status, body = http(
        "PUT",
        f"{api_url}/me/meetings/{meeting_id}/confirmation",
        {"answer": "confirmed", "channel": "sms"},
        {**job, "X-Subject": me["user_id"]},
    )
    assert status == 200, body
    return {"citizen_id": me["citizen"]["id"], "meeting_id": meeting_id}


def sign_in(page: Page, api_url: str, area: str, username: str) -> None:
    page.goto(f"{api_url}/{area}/login")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_role("button", name="Log ind").click()


def assert_no_violations(page: Page, axe_source: str, when: str) -> None:
    violations = run_axe(page, axe_source)
    assert violations == [], f"axe violations {when}:\n{describe(violations)}"


def test_caseworker_sees_the_reminder_and_the_answer(answered_reminder, page, api_url, axe_source):
    sign_in(page, api_url, "borgere", "demo-sagsbehandler")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dine borgere")
    assert_no_violations(page, axe_source, "on the caseload")
    # "Demo Borger" (not "Demo Borger Syg"); Chromium may put a space before the hidden text.
    page.get_by_role("link", name=re.compile(r"^Demo Borger ?: samtaler og påmindelser$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Samtaler for Demo Borger")
    upcoming = page.get_by_role("table", name="Kommende samtaler med påmindelse og svar")
    expect(upcoming).to_be_visible()
    reminded = upcoming.get_by_role("row").filter(has_text="Bekræftet (sms, ")
    expect(reminded).to_have_count(1)  # the meeting reminded and answered 1
    expect(reminded).to_contain_text("Sendt ")
    expect(reminded.get_by_role("cell").nth(4)).to_have_text("Bekræftet")
    expect(page.get_by_text("Tilmeldt siden")).to_be_visible()
    assert page.url.endswith(f"/borgere/{answered_reminder['citizen_id']}/moeder")
    assert_no_violations(page, axe_source, "on the citizen's meetings")
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMAGES / "reminders-meetings.png"), full_page=False)


def test_another_caseworkers_citizen_is_not_found(answered_reminder, page, api_url):
    sign_in(page, api_url, "borgere", "demo-sagsbehandler-2")
    page.goto(f"{api_url}/borgere/{answered_reminder['citizen_id']}/moeder")
    page.watch.failed_responses = [
        r for r in page.watch.failed_responses if not r.startswith("404 ")
    ]
    expect(page.get_by_role("heading", level=1)).to_have_text("Borgeren findes ikke")


def test_an_editor_is_refused_the_caseworkers_page(page, api_url):
    sign_in(page, api_url, "borgere", "demo-redaktoer")
    page.watch.failed_responses = [
        r for r in page.watch.failed_responses if not r.startswith("403 ")
    ]
    expect(page.get_by_role("alert")).to_contain_text("kun for sagsbehandlere og administratorer")


def test_the_dashboard_counts_the_reminder(answered_reminder, page, context, api_url, axe_source):
    sign_in(page, api_url, "statistik", "demo-redaktoer")
    expect(page.get_by_role("heading", name="Sms-påmindelser om samtaler")).to_be_visible()
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-reminders') !== undefined")
    sent = page.locator("dl.figures div").filter(has_text="Påmindelser sendt").locator("dd")
    assert int(sent.inner_text()) >= 1
    confirmed = page.evaluate(
        "() => Chart.getChart('chart-reminders').data.datasets[0].data.reduce((a, b) => a + b, 0)"
    )
    assert confirmed >= 1
    table = page.get_by_role("table", name="Sms-påmindelser pr. dag: sendt, svar og ikke sendt")
    expect(table).to_be_visible()
    page.evaluate("() => document.getElementById('paamindelser').scrollIntoView()")
    assert_no_violations(page, axe_source, "on the dashboard with the reminders")
    page.screenshot(path=str(IMAGES / "analytics-reminders.png"), full_page=False)
    href = page.get_by_role("link", name="Hent tabellen som CSV (sms-påmindelser)").get_attribute(
        "href"
    )
    response = context.request.get(api_url + href)
    assert response.status == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.text().lstrip("\ufeff").startswith("Dag;Sendt;Bekræftet (1)")
