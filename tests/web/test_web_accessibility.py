"""WCAG 2.1 AA: axe-core on real conversations, keyboard-only use, visible focus, reflow."""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect
from web_helpers import REFERENCE, Chat, describe, no_horizontal_scroll, run_axe

FOCUS_INFO = """() => {
    const el = document.activeElement;
    const cs = getComputedStyle(el);
    return {
        tag: el.tagName.toLowerCase(), cls: String(el.className || ''),
        text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim(),
        label: el.labels && el.labels.length ? el.labels[0].innerText : '',
        outline: cs.outlineStyle, width: parseFloat(cs.outlineWidth) || 0,
    };
}"""


def assert_no_violations(page, axe_source, when: str) -> None:
    violations = run_axe(page, axe_source)
    assert violations == [], f"axe violations {when}:\n{describe(violations)}"


def test_axe_after_a_conversation_with_buttons_and_a_form(page, api_url, rasa_url, axe_source):
    chat = Chat(page, api_url, rasa_url).open("/chat")
    assert_no_violations(page, axe_source, "on the empty page")

    chat.send("hvornår bliver kontanthjælp udbetalt")
    page.locator(".kk-feedback").last.get_by_role("button", name="Nej").click()
    expect(page.get_by_text("Tak for din vurdering.")).to_be_visible()
    assert_no_violations(page, axe_source, "after an anonymous answer with a source and feedback")

    chat.login("demo-borger")
    checked = []

    def check_buttons():
        checked.append(True)
        assert_no_violations(page, axe_source, "while the form offers buttons")

    transcript = chat.report_absence(
        "jeg er syg og kan ikke komme til min samtale", on_buttons=check_buttons
    )
    assert checked, f"the absence form offered no buttons:\n{transcript}"
    assert REFERENCE.search(transcript), transcript
    assert_no_violations(page, axe_source, "after the absence form")

    # The error state too.
    page.watch.expected_failures = True
    page.route(rasa_url + "/webhooks/**", lambda route: route.abort())
    chat.input.fill("hvornår er min næste samtale")
    chat.input.press("Enter")
    chat.wait_idle()
    expect(page.get_by_role("button", name="Prøv igen")).to_be_visible()
    assert_no_violations(page, axe_source, "with the error message")


def test_axe_on_the_staff_page_in_legal_mode(page, api_url, rasa_url, axe_source):
    chat = Chat(page, api_url, rasa_url).open("/chat/staff")
    assert_no_violations(page, axe_source, "on the empty staff page")
    chat.login("demo-sagsbehandler")
    chat.click(page.get_by_role("button", name="Stil et juridisk spørgsmål"))
    chat.send("må jobsamtalen holdes pr telefon når borgeren er i virksomhedspraktik?")
    assert_no_violations(page, axe_source, "in legal mode after an answer")


def test_keyboard_only_conversation(page, api_url, rasa_url):
    """Log in, report absence through the form and rate the answer with the keyboard alone."""
    chat = Chat(page, api_url, rasa_url).open("/chat")
    kb = page.keyboard
    seen = []

    def tab_to(predicate, *, backwards=False, limit=40):
        for _ in range(limit):
            kb.press("Shift+Tab" if backwards else "Tab")
            info = page.evaluate(FOCUS_INFO)
            seen.append(info)
            assert info["outline"] != "none" and info["width"] >= 2, f"focus not visible: {info}"
            if predicate(info):
                return info
        raise AssertionError(f"never reached the element; focus went through {seen[-limit:]}")

    # Log in: the select (demo-borger is the first option), then the button.
    tab_to(lambda f: f["tag"] == "select")
    tab_to(lambda f: f["tag"] == "button" and f["text"] == "Log ind")
    kb.press("Enter")
    expect(chat.root.locator(".kk-chat__who")).to_contain_text("demo-borger")
    expect(chat.input).to_be_focused()  # log-in moves focus to the message field

    kb.type("jeg er syg og kan ikke komme til min samtale")
    kb.press("Enter")
    chat.wait_idle()
    for _ in range(8):
        if REFERENCE.search(chat.log.inner_text()):
            break
        info = page.evaluate(FOCUS_INFO)
        if "kk-choice" in info["cls"]:
            # New options get the focus; move to "Ja ..." if offered, then press Enter.
            labels = page.locator(".kk-choice").all_inner_texts()
            yes = [t for t in labels if t.strip().startswith("Ja")]
            if yes:
                while not page.evaluate(FOCUS_INFO)["text"].startswith("Ja"):
                    kb.press("Tab")
            kb.press("Enter")
        else:
            assert info["tag"] == "textarea", f"focus was lost after a reply: {info}"
            kb.type("Jeg har feber")
            kb.press("Enter")
        chat.wait_idle()
    assert REFERENCE.search(chat.log.inner_text()), chat.log.inner_text()

    # A question typed after the form; then rate the answer: back from the message field to
    # its "Ja" button.
    expect(chat.input).to_be_focused()
    kb.type("hvornår bliver kontanthjælp udbetalt")
    kb.press("Enter")
    chat.wait_idle()
    expect(chat.input).to_be_focused()
    with page.expect_response(api_url + "/feedback") as stored:
        tab_to(
            lambda f: f["tag"] == "button" and f["text"] == "Ja" and "kk-feedback" in f["cls"],
            backwards=True,
        )
        kb.press("Enter")
    assert stored.value.status == 201
    expect(page.get_by_text("Tak for din vurdering.").last).to_be_visible()

    # Log out with the keyboard too; focus lands on the log-in control.
    tab_to(lambda f: f["text"] == "Log ud", backwards=True, limit=80)
    kb.press("Enter")
    expect(page.get_by_label("Demobruger")).to_be_focused()


def test_reflow_at_320_px_and_200_percent_zoom(context, page, api_url, rasa_url):
    long_answer = [
        {
            "recipient_id": "anon:x",
            "text": (
                "Et meget langt svar med et langt ord: "
                "sygedagpengemodtagerrefusionsberegningsgrundlag "
                "og en lang adresse https://www.kk.dk/borger/job-og-ledighed/kontanthjaelp/"
                "udbetaling-af-kontanthjaelp-og-andre-ydelser-i-koebenhavns-kommune\n\nNy linje."
            ),
            "buttons": [
                {"title": "Et tilbud eller en aktivitet med en lang titel", "payload": "tilbud"},
                {"title": "Ja, send", "payload": "/affirm"},
            ],
            "custom": {"source": {"file": "002_5e6f3c0d831500e7.txt", "date": "2017-07"}},
        }
    ]
    chat = Chat(page, api_url, rasa_url).open("/chat")
    chat.send("hvornår bliver kontanthjælp udbetalt")
    page.route(
        rasa_url + "/webhooks/rest/webhook",
        lambda route: route.fulfill(
            status=200, content_type="application/json", body=json.dumps(long_answer)
        ),
    )
    chat.send("hej")
    # 320 CSS px (WCAG 1.4.10), and 1280 px at 200% zoom = 640 CSS px.
    for width, height in ((320, 640), (640, 450)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(100)
        scroll, client = no_horizontal_scroll(page)
        assert scroll <= client, f"horizontal scrolling at {width} px: {scroll} > {client}"
        # Nothing hidden in the scrolling log stretches the page below the chat.
        page_height, chat_bottom = page.evaluate(
            "() => [document.documentElement.scrollHeight, "
            "document.querySelector('.kk-chat').getBoundingClientRect().bottom + window.scrollY]"
        )
        assert page_height - chat_bottom < 64, (page_height, chat_bottom)
        for locator in (
            chat.input,
            page.get_by_role("button", name="Send", exact=True),
            page.get_by_role("button", name="Tal med en medarbejder"),
            page.locator(".kk-choice").first,
        ):
            box = locator.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= client + 0.5, (
                f"cut off at {width} px: {box}"
            )


def test_a_source_passage_under_an_answer_is_its_own_message_with_its_source(
    page, api_url, rasa_url, axe_source
):
    """A longer question's answer is followed by the quoted source passage that covers it
    (docs/answer_tiers.md, "A source passage under the answer"): a message of its own, with a
    source line, read by screen readers in order, and no axe violations."""
    chat = Chat(page, api_url, rasa_url).open("/chat")
    replies = chat.send(
        "jeg har fået en progressionsrapport fra min leverandør, hvad bruges den til"
    )
    texts = [m.locator(".kk-msg__text").inner_text() for m in replies]
    sourced = [m for m in replies if m.locator(".kk-msg__source").count()]
    assert len(sourced) >= 2, texts
    answer, passage = sourced[-2], sourced[-1]
    assert "leverandør" in answer.locator(".kk-msg__text").inner_text()
    quote = passage.locator(".kk-msg__text").inner_text()
    assert quote.startswith("I kilden »") and "progressionsrapport" in quote, quote
    expect(passage.locator(".kk-msg__source")).to_have_text(re.compile(r"^Kilde: BIF: "))
    assert_no_violations(page, axe_source, "after an answer with a source passage under it")
