"""The operations page for closures and opening hours (/drift/lukninger) in Chromium: a
caseworker creates, edits and deletes a closure; axe-core finds no WCAG 2.1 AA violations in
any state (list, form with errors, confirmation, opening hours)."""

from __future__ import annotations

import uuid

from playwright.sync_api import Page, expect
from web_helpers import describe, run_axe


def assert_no_violations(page: Page, axe_source: str, when: str) -> None:
    violations = run_axe(page, axe_source)
    assert violations == [], f"axe violations {when}:\n{describe(violations)}"


def sign_in(page: Page, api_url: str, username: str) -> None:
    page.goto(api_url + "/drift/login")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lukninger og åbningstider")


def expected_422(page: Page) -> None:
    """The form answered 422 on purpose (invalid input): not a failed request."""
    page.watch.failed_responses = [
        r for r in page.watch.failed_responses if not r.startswith("422 ")
    ]


def test_caseworker_creates_edits_and_deletes_a_closure(page, api_url, axe_source):
    reason = f"Personalemøde {uuid.uuid4().hex[:6]}"
    sign_in(page, api_url, "demo-sagsbehandler")
    assert_no_violations(page, axe_source, "on the list")
    expect(
        page.get_by_role("heading", name="Jobcenter København, Sygedagpengecentret")
    ).to_be_visible()

    page.get_by_role("link", name="Opret en lukning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Opret en lukning")
    page.get_by_label("Sted").select_option("sygedagpengecentret")
    start = page.get_by_role("group", name="Lukket fra")
    end = page.get_by_role("group", name="Lukket til")
    start.get_by_label("Dato").fill("2031-12-22")
    start.get_by_label("Klokkeslæt").fill("12:00")
    end.get_by_label("Dato").fill("2031-12-22")
    end.get_by_label("Klokkeslæt").fill("09:00")  # before the start
    page.get_by_label("Tekst til borgerne").fill(reason)
    page.get_by_role("button", name="Opret lukningen").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Lukningen er ikke gemt")
    expect(summary).to_contain_text("Lukningen skal slutte efter, at den begynder.")
    expected_422(page)
    assert_no_violations(page, axe_source, "with the validation errors")

    end.get_by_label("Klokkeslæt").fill("15:30")
    page.get_by_role("button", name="Opret lukningen").click()
    expect(page.get_by_role("status")).to_have_text("Lukningen er oprettet.")
    row = page.get_by_role("row").filter(has_text=reason)
    expect(row).to_contain_text("mandag den 22. december 2031 kl. 12.00")
    expect(row).to_contain_text("mandag den 22. december 2031 kl. 15.30")
    assert_no_violations(page, axe_source, "on the list with the new closure")

    row.get_by_role("link", name="Ret").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ret lukning")
    page.get_by_label("Tekst til borgerne").fill(reason + " (flyttet)")
    assert_no_violations(page, axe_source, "on the edit form")
    page.get_by_role("button", name="Gem ændringerne").click()
    expect(page.get_by_role("status")).to_have_text("Lukningen er rettet.")
    row = page.get_by_role("row").filter(has_text=reason + " (flyttet)")
    expect(row).to_have_count(1)

    row.get_by_role("link", name="Slet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Slet lukning")
    assert_no_violations(page, axe_source, "on the delete confirmation")
    page.get_by_role("button", name="Slet lukningen").click()
    expect(page.get_by_role("status")).to_have_text("Lukningen er slettet.")
    expect(page.get_by_role("row").filter(has_text=reason)).to_have_count(0)


def test_opening_hours_form_is_accessible_and_explains_mistakes(page, api_url, axe_source):
    sign_in(page, api_url, "demo-admin")
    page.get_by_role("link", name="Ret åbningstider for Jobcenter København, Lærkevej").click()
    expect(page.get_by_label("Mandag")).to_have_value("09:00-15:00")
    assert_no_violations(page, axe_source, "on the opening-hours form")
    page.get_by_label("Mandag").fill("9-15")
    page.get_by_role("button", name="Gem åbningstider").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Skriv åbningstiden for mandag som fx 09:00-15:00."
    )
    expected_422(page)
    assert_no_violations(page, axe_source, "with an opening-hours error")
    # Nothing saved: the list still shows the old hours.
    page.get_by_role("link", name="Tilbage til lukninger og åbningstider").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lukninger og åbningstider")
