"""The statistics page (/statistik) in Chromium: an editor signs in, fetches the newest
conversations, sees the charts (Chart.js served by the case service) with their tables, the
unanswered list with links to the answer editor and a CSV export; axe-core finds no WCAG 2.1 AA
violations; a caseworker is refused. Screenshots for the docs go to docs/img/."""

from __future__ import annotations

import json
import urllib.request
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from web_helpers import describe, run_axe

REPO = Path(__file__).resolve().parents[2]
IMAGES = REPO / "docs" / "img"
UNANSWERED = "hvilken paragraf giver ret til befordringsgodtgørelse til praktik i Grønland"


def chat(rasa_url: str, sender: str, message: str) -> list[dict]:
    request = urllib.request.Request(
        f"{rasa_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": message}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def sign_in(page: Page, api_url: str, username: str) -> None:
    page.goto(api_url + "/statistik/login")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_role("button", name="Log ind").click()


@pytest.fixture(scope="module")
def conversations(rasa_url: str) -> None:
    """A few anonymous conversations: a catalogue answer, an unanswered question, a handover."""
    chat(rasa_url, f"w{uuid.uuid4().hex[:10]}", "hvornår får jeg min kontanthjælp")
    chat(rasa_url, f"w{uuid.uuid4().hex[:10]}", UNANSWERED)
    chat(rasa_url, f"w{uuid.uuid4().hex[:10]}", "jeg vil gerne tale med et menneske")


def test_editor_sees_the_dashboard_without_axe_violations(
    conversations, page, context, api_url, axe_source
):
    sign_in(page, api_url, "demo-redaktoer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistik over samtaler")
    page.get_by_role("button", name="Hent nye samtaler nu").click()
    expect(page.get_by_role("status")).to_have_text(
        "Statistikken er opdateret med de nyeste samtaler."
    )
    # Both charts are drawn by Chart.js (served from the case service, no CDN) ...
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-rates') !== undefined")
    assert page.evaluate("() => Chart.getChart('chart-conversations').data.datasets.length") >= 1
    # ... next to tables with the same numbers.
    expect(page.get_by_role("table", name="Antal samtaler pr. dag og kanal")).to_be_visible()
    expect(page.get_by_role("heading", name="Ubesvarede spørgsmål")).to_be_visible()
    group = page.locator(".groups > li").filter(has_text=UNANSWERED).first
    expect(group).to_be_visible()
    new_link = group.get_by_role("link", name="Skriv et nyt svar")
    assert new_link.get_attribute("href").startswith("/katalog/nyt?spoergsmaal=")
    example_link = group.get_by_role("link", name="Tilføj som eksempel på et eksisterende svar")
    assert example_link.get_attribute("href").startswith("/katalog?")

    violations = run_axe(page, axe_source)
    assert violations == [], f"axe violations on the dashboard:\n{describe(violations)}"

    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMAGES / "analytics-dashboard.png"), full_page=False)
    page.get_by_role("heading", name="Ubesvarede spørgsmål").scroll_into_view_if_needed()
    page.screenshot(path=str(IMAGES / "analytics-unanswered.png"), full_page=False)

    # CSV export of a table: the session cookie is enough, the file is a download.
    href = page.get_by_role("link", name="Hent listen som CSV").get_attribute("href")
    response = context.request.get(api_url + href)
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    body = response.text()
    assert "Spørgsmål;Antal;Udfald" in body and "befordringsgodtgørelse" in body


def test_week_view_and_a_bad_period(page, api_url, axe_source):
    sign_in(page, api_url, "demo-admin")
    page.get_by_label("Opdeling").select_option("uge")
    page.get_by_role("button", name="Vis").click()
    expect(page.get_by_role("table", name="Antal samtaler pr. uge og kanal")).to_be_visible()
    page.goto(api_url + "/statistik?fra=2026-12-31&til=2026-01-01")
    page.watch.failed_responses = [
        r for r in page.watch.failed_responses if not r.startswith("400 ")
    ]
    expect(page.get_by_role("alert")).to_contain_text("Fra-datoen skal ligge før")
    violations = run_axe(page, axe_source)
    assert violations == [], f"axe violations with a bad period:\n{describe(violations)}"


def test_caseworker_is_refused(page, api_url):
    sign_in(page, api_url, "demo-sagsbehandler")
    page.watch.failed_responses = [
        r for r in page.watch.failed_responses if not r.startswith("403 ")
    ]
    expect(page.get_by_role("alert")).to_contain_text("kun for redaktører og administratorer")
