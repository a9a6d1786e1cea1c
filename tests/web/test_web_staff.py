"""The caseworkers' chat (/chat/staff): the legal mode is one click away after log-in."""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect
from web_helpers import Chat

LEGAL_QUESTION = "må jobsamtalen holdes pr telefon når borgeren er i virksomhedspraktik?"


def test_legal_mode_for_a_caseworker(page, api_url, rasa_url):
    chat = Chat(page, api_url, rasa_url).open("/chat/staff")
    expect(page.get_by_role("heading", level=1)).to_have_text("KK-assistenten for medarbejdere")
    expect(chat.root.get_by_role("heading", level=2)).to_have_text("KK-assistenten")
    expect(chat.root.locator(".kk-chat__subtitle")).to_have_text(
        "Jobcenter København · for medarbejdere"
    )
    # Not logged in: no legal button, but a hint how to get it.
    expect(page.get_by_role("button", name="Stil et juridisk spørgsmål")).to_have_count(0)
    expect(
        page.get_by_text("Log ind som medarbejder for at stille juridiske spørgsmål.")
    ).to_be_visible()
    options = page.get_by_label("Demobruger").locator("option").all_inner_texts()
    assert options == ["demo-sagsbehandler", "demo-jurist", "demo-admin"]

    chat.login("demo-sagsbehandler")
    start = page.get_by_role("button", name="Stil et juridisk spørgsmål")
    with page.expect_request(rasa_url + "/webhooks/kk/webhook") as sent:
        welcome = chat.click(start)
    assert json.loads(sent.value.post_data)["message"] == "/juridisk"
    assert welcome, "no answer to /juridisk"
    banner = page.locator(".kk-chat__mode")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Juridisk tilstand")

    answer = Chat.text_of(chat.send(LEGAL_QUESTION))
    assert re.search(r"Kilde: \S+", answer), answer
    assert "Henvisning" in answer or "§" in answer, answer

    stop = page.get_by_role("button", name="Afslut juridisk tilstand")
    with page.expect_request(rasa_url + "/webhooks/kk/webhook") as sent:
        chat.click(stop)
    assert json.loads(sent.value.post_data)["message"] == "afslut"
    expect(banner).to_be_hidden()
    expect(page.get_by_role("button", name="Stil et juridisk spørgsmål")).to_be_visible()


def test_citizen_gets_no_legal_mode(page, api_url, rasa_url):
    chat = Chat(page, api_url, rasa_url).open("/chat")
    chat.login("demo-borger")
    expect(page.get_by_role("button", name="Stil et juridisk spørgsmål")).to_have_count(0)
    replies = chat.send("/juridisk")
    expect(page.locator(".kk-chat__mode")).to_be_hidden()
    text = Chat.text_of(replies).lower()
    assert "medarbejdere" in text or "juridisk" in text, text
