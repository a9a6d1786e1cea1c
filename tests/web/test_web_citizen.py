"""The citizen chat (/chat): anonymous conversation, rendering, feedback, errors, reload."""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect
from web_helpers import SOURCE_LINE, Chat


def test_anonymous_faq_answer_shows_notices_source_and_feedback(page, api_url, rasa_url):
    chat = Chat(page, api_url, rasa_url).open("/chat")
    # The widget's own notices are visible before anything is written.
    expect(page.get_by_text("Du chatter med en AI-assistent, ikke et menneske.")).to_be_visible()
    expect(page.get_by_text("Skriv ikke dit CPR-nummer")).to_be_visible()
    assert chat.root.get_attribute("data-busy") == "false"

    with page.expect_request(rasa_url + "/webhooks/rest/webhook") as sent:
        replies = chat.send("hvornår bliver kontanthjælp udbetalt")
    body = json.loads(sent.value.post_data)
    assert body["message"] == "hvornår bliver kontanthjælp udbetalt"
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}", body["sender"])
    assert "Authorization" not in sent.value.headers and "authorization" not in sent.value.headers

    expect(chat.user_messages().last).to_contain_text("hvornår bliver kontanthjælp udbetalt")
    assert replies, "no answer from the bot"
    answer = next(m for m in replies if m.locator(".kk-msg__source").count())
    source = answer.locator(".kk-msg__source").inner_text()
    assert SOURCE_LINE.match(source), source
    assert "udbetal" in answer.locator(".kk-msg__text").inner_text().lower()

    # Thumbs up is stored in the case service together with the answer's source.
    with page.expect_response(api_url + "/feedback") as stored:
        answer.get_by_role("button", name="Ja").click()
    assert stored.value.status == 201
    sent_feedback = json.loads(stored.value.request.post_data)
    assert sent_feedback["rating"] == "up"
    assert sent_feedback["source_file"] and sent_feedback["source_date"]
    assert body["sender"] not in sent_feedback["conversation_ref"]  # a hash, never the raw id
    expect(answer.get_by_text("Tak for din vurdering.")).to_be_visible()
    expect(answer.get_by_role("button", name="Ja")).to_have_attribute("aria-pressed", "true")


def test_bot_text_is_never_markup_and_links_are_safe(page, api_url, rasa_url):
    """Whatever Rasa sends is shown as text: no HTML, no script URLs, only http(s) links."""
    chat = Chat(page, api_url, rasa_url).open("/chat")
    hostile = [
        {
            "recipient_id": "anon:x",
            "text": (
                '<img src=x onerror="window.pwned=1"> <b>fed</b> '
                "[klik](javascript:window.pwned=2) se kk.dk/jobcenter eller "
                "https://www.borger.dk/arbejde. Skriv til a@kk.dk."
            ),
            "buttons": [
                {"title": "<i>Ja</i>", "payload": "/affirm"},
                {"title": "Nej", "payload": "/deny"},
            ],
            "custom": {"source": {"file": "<script>x</script>.txt", "date": "2025"}},
        }
    ]
    page.route(
        rasa_url + "/webhooks/rest/webhook",
        lambda route: route.fulfill(
            status=200, content_type="application/json", body=json.dumps(hostile)
        ),
    )
    replies = chat.send("hej")
    message = replies[-1]
    assert message.locator("img, b, script, i").count() == 0
    assert page.evaluate("() => window.pwned === undefined")
    text = message.locator(".kk-msg__text")
    expect(text).to_contain_text('<img src=x onerror="window.pwned=1">')
    hrefs = text.locator("a").evaluate_all("links => links.map(a => a.href)")
    assert hrefs == ["https://kk.dk/jobcenter", "https://www.borger.dk/arbejde"], hrefs
    for link in text.locator("a").all():
        assert link.get_attribute("rel") == "noopener noreferrer"
    expect(text).to_contain_text("klik")  # the label of the refused link stays as text
    expect(message.locator(".kk-msg__source")).to_have_text("Kilde: <script>x</script>.txt, 2025")
    # Buttons are real buttons, with their title as text.
    choices = message.get_by_role("group", name="Svarmuligheder").get_by_role("button")
    expect(choices).to_have_text(["<i>Ja</i>", "Nej"])


def test_bot_unreachable_shows_error_and_retry_sends_again(page, api_url, rasa_url):
    chat = Chat(page, api_url, rasa_url).open("/chat")
    page.watch.expected_failures = True  # the aborted requests are logged by the browser
    page.route(rasa_url + "/webhooks/**", lambda route: route.abort("connectionrefused"))
    chat.input.fill("hvornår bliver kontanthjælp udbetalt")
    chat.input.press("Enter")
    chat.wait_idle()
    alert = page.get_by_role("alert").filter(has_text="svarer ikke")
    expect(alert).to_be_visible()
    retry = page.get_by_role("button", name="Prøv igen")
    expect(retry).to_be_visible()
    expect(retry).to_be_focused()  # focus moves to the way out
    expect(chat.user_messages().last.get_by_text("Ikke sendt")).to_be_visible()
    assert chat.bot_messages().count() == 0

    # Still down: the retry fails the same way, nothing is lost.
    retry.click()
    chat.wait_idle()
    expect(retry).to_be_visible()

    page.unroute(rasa_url + "/webhooks/**")
    before = chat.bot_messages().count()
    retry.click()
    chat.wait_idle()
    expect(alert).to_be_hidden()
    expect(chat.user_messages().last.get_by_text("Ikke sendt")).to_have_count(0)
    assert chat.bot_messages().count() > before
    expect(page.locator(".kk-msg__source").last).to_have_text(re.compile(r"^Kilde: "))
    assert chat.user_messages().count() == 1  # the message was sent once, not duplicated


def test_bot_answering_500_is_an_error_with_retry(page, api_url, rasa_url):
    chat = Chat(page, api_url, rasa_url).open("/chat")
    page.watch.expected_failures = True
    page.route(
        rasa_url + "/webhooks/rest/webhook",
        lambda route: route.fulfill(status=502, body="Bad Gateway"),
    )
    chat.input.fill("hej")
    chat.input.press("Enter")
    chat.wait_idle()
    expect(page.get_by_role("button", name="Prøv igen")).to_be_visible()


def test_typing_indicator_is_shown_while_waiting(page, api_url, rasa_url):
    chat = Chat(page, api_url, rasa_url).open("/chat")
    release = []

    def slow(route):
        release.append(route)

    page.route(rasa_url + "/webhooks/rest/webhook", slow)
    chat.input.fill("hej")
    chat.input.press("Enter")
    typing = page.locator(".kk-chat__typing")
    expect(typing).to_be_visible()
    expect(typing).to_contain_text("KK-assistenten skriver")
    expect(page.get_by_role("status").filter(has_text="KK-assistenten skriver")).to_have_count(1)
    for _ in range(50):  # route handlers run while Playwright waits
        if release:
            break
        page.wait_for_timeout(100)
    assert release, "the widget did not call Rasa"
    release[0].fulfill(
        status=200,
        content_type="application/json",
        body=json.dumps([{"recipient_id": "anon:x", "text": "Hej!"}]),
    )
    chat.wait_idle()
    expect(typing).to_be_hidden()
    expect(chat.bot_messages().last).to_contain_text("Hej!")


def test_reload_keeps_the_conversation_without_asking_rasa(page, api_url, rasa_url):
    chat = Chat(page, api_url, rasa_url).open("/chat")
    chat.send("hvornår bliver kontanthjælp udbetalt")
    texts = chat.log.inner_text()
    count = chat.bot_messages().count()
    stored = chat.session_storage()
    assert "kk-chat:citizen" in stored

    rasa_calls = []
    page.on("request", lambda r: rasa_calls.append(r.url) if r.url.startswith(rasa_url) else None)
    page.reload()
    expect(chat.root).to_be_visible()
    assert chat.bot_messages().count() == count
    assert chat.log.inner_text() == texts
    assert rasa_calls == [], "the conversation must come from sessionStorage, not from Rasa"
    assert chat.local_storage_keys() == []

    # The conversation goes on with the same sender id.
    sender = json.loads(chat.session_storage()["kk-chat:citizen"])["sender"]
    with page.expect_request(rasa_url + "/webhooks/rest/webhook") as sent:
        chat.send("tak")
    assert json.loads(sent.value.post_data)["sender"] == sender

    # A new tab (a new session) starts empty.
    other = page.context.browser.new_context()
    try:
        fresh = other.new_page()
        fresh.goto(api_url + "/chat")
        expect(fresh.locator("[data-kk-chat-root]")).to_be_visible()
        assert fresh.locator(".kk-msg").count() == 0
    finally:
        other.close()


def test_talk_to_a_person_is_one_click(page, api_url, rasa_url):
    chat = Chat(page, api_url, rasa_url).open("/chat")
    with page.expect_request(rasa_url + "/webhooks/rest/webhook") as sent:
        replies = chat.click(page.get_by_role("button", name="Tal med en medarbejder"))
    assert json.loads(sent.value.post_data)["message"] == "Jeg vil gerne tale med en medarbejder"
    assert replies
    text = Chat.text_of(replies).lower()
    assert "ring" in text or "telefon" in text or "kontakt" in text, text


def test_embedding_example_mounts_the_widget(page, api_url, rasa_url):
    page.goto(api_url + "/chat/embed-example")
    expect(page.locator("[data-kk-chat-root]")).to_be_visible()
    snippet = page.locator("pre code").inner_text()
    assert "data-kk-chat" in snippet and "/chat/kk-chat.js" in snippet
    chat = Chat(page, api_url, rasa_url)
    replies = chat.send("hvornår bliver kontanthjælp udbetalt")
    assert replies


def test_feedback_that_was_not_stored_can_be_given_again(page, api_url, rasa_url):
    chat = Chat(page, api_url, rasa_url).open("/chat")
    chat.send("hvornår bliver kontanthjælp udbetalt")
    feedback = page.locator(".kk-feedback").last
    page.watch.expected_failures = True
    page.route(api_url + "/feedback", lambda route: route.fulfill(status=503, body="{}"))
    feedback.get_by_role("button", name="Nej").click()
    expect(feedback.get_by_text("Din vurdering blev ikke gemt. Prøv igen.")).to_be_visible()
    expect(feedback.get_by_role("button", name="Nej")).to_have_attribute("aria-pressed", "false")
    page.unroute(api_url + "/feedback")
    with page.expect_response(api_url + "/feedback") as stored:
        feedback.get_by_role("button", name="Nej").click()
    assert stored.value.status == 201
    expect(feedback.get_by_text("Tak for din vurdering.")).to_be_visible()
    # Rated once: stays rated after a reload, and a second click sends nothing.
    page.reload()
    feedback = page.locator(".kk-feedback").last
    expect(feedback.get_by_role("button", name="Nej")).to_have_attribute("aria-pressed", "true")
    posted = []
    page.on("request", lambda r: posted.append(r.url) if r.url.endswith("/feedback") else None)
    ja = feedback.get_by_role("button", name="Ja")
    expect(ja).to_have_attribute("aria-disabled", "true")
    ja.dispatch_event("click")
    page.wait_for_timeout(300)
    assert posted == []
