"""Screenshots of the widget for docs/web_chat.md and the README (docs/screenshots/*.png).

Each screenshot is taken after a real conversation, at desktop width and at 320 px.
"""

from __future__ import annotations

from playwright.sync_api import expect
from web_helpers import Chat, no_horizontal_scroll, save_screenshot

PHONE = {"width": 320, "height": 900}


def _shoot(page, directory, name: str) -> None:
    for suffix, size in (("desktop", {"width": 1280, "height": 1100}), ("320px", PHONE)):
        page.set_viewport_size(size)
        page.wait_for_timeout(100)
        scroll, client = no_horizontal_scroll(page)
        assert scroll <= client, f"{name} scrolls sideways at {size['width']} px"
        path = save_screenshot(page, directory, f"chat-{name}-{suffix}.png")
        assert path.stat().st_size > 5000


def test_screenshot_citizen(page, api_url, rasa_url, screenshots_dir):
    chat = Chat(page, api_url, rasa_url).open("/chat")
    chat.send("hvornår bliver kontanthjælp udbetalt")
    page.locator(".kk-feedback").last.get_by_role("button", name="Ja").click()
    expect(page.get_by_text("Tak for din vurdering.")).to_be_visible()
    chat.login("demo-borger")
    chat.send("hvornår er min næste samtale")
    chat.input.blur()
    _shoot(page, screenshots_dir, "citizen")


def test_screenshot_staff(page, api_url, rasa_url, screenshots_dir):
    chat = Chat(page, api_url, rasa_url).open("/chat/staff")
    chat.login("demo-sagsbehandler")
    chat.click(page.get_by_role("button", name="Stil et juridisk spørgsmål"))
    chat.send("må jobsamtalen holdes pr telefon når borgeren er i virksomhedspraktik?")
    chat.input.blur()
    _shoot(page, screenshots_dir, "staff")
