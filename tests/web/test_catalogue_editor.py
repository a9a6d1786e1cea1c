"""The editors' pages (/katalog) in Chromium against the running system: demo-redaktoer signs in,
searches, edits an answer, previews it with the real Rasa server (the same ranking the bot uses),
publishes, sees the new version in the history and rolls it back; axe finds no violations on
any of the pages on the way."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from web_helpers import describe, run_axe

ENTRY_TITLE = "Kontanthjælp"
MARKER = "Svaret er rettet i en browsertest."
NEW_ANSWER = (
    "Kontanthjælp er penge fra kommunen, hvis du ikke kan forsørge dig selv. "
    "Du skal søge job og stå til rådighed. " + MARKER
)


def no_violations(page, axe_source) -> None:
    violations = run_axe(page, axe_source)
    assert violations == [], describe(violations)


def test_editor_edits_previews_publishes_and_rolls_back(page, api_url, axe_source, screenshots_dir):
    page.goto(api_url + "/katalog/login")
    no_violations(page, axe_source)
    page.get_by_label("Brugernavn").fill("demo-redaktoer")
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Svar til borgerne")

    page.get_by_label("Søg i titler, svar og eksempler på spørgsmål").fill("kontanthjælp")
    page.get_by_role("button", name="Søg").click()
    expect(page.get_by_role("heading", name=re.compile("Søgeresultat"))).to_be_visible()
    no_violations(page, axe_source)
    page.get_by_role("link", name=ENTRY_TITLE, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ENTRY_TITLE)
    version = int(page.locator("dt:has-text('Version') + dd").inner_text())
    no_violations(page, axe_source)

    # Edit and preview: the real Rasa server ranks the question with the draft.
    page.get_by_label("Svar", exact=True).fill(NEW_ANSWER)
    page.get_by_label("Spørgsmål", exact=True).fill("hvad er kontanthjælp")
    page.get_by_role("button", name="Forhåndsvis").click()
    preview = page.get_by_role("status").filter(has_text="Sådan ville assistenten svare")
    expect(preview).to_be_visible()
    expect(preview).to_contain_text("Svarets type")
    no_violations(page, axe_source)
    preview.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots_dir / "catalogue-editor-preview.png"))

    page.get_by_role("button", name="Offentliggør").click()
    expect(page.get_by_text("Svaret er offentliggjort")).to_be_visible()
    expect(page.locator(".text").first).to_contain_text(MARKER)
    history = page.get_by_role("table", name="Historik")
    newest = history.locator("tbody tr").first
    expect(newest).to_contain_text(str(version + 1))
    expect(newest).to_contain_text("Rettet")
    expect(newest).to_contain_text("Demo")
    no_violations(page, axe_source)

    page.get_by_role("button", name="Rul den seneste ændring tilbage").click()
    expect(page.get_by_text("Ændringen er rullet tilbage")).to_be_visible()
    expect(page.locator(".text").first).not_to_contain_text(MARKER)
    newest = page.get_by_role("table", name="Historik").locator("tbody tr").first
    expect(newest).to_contain_text(str(version + 2))
    expect(newest).to_contain_text("Rullet tilbage")
    no_violations(page, axe_source)
