"""The language switch (actions/language_switch.py): the confirmation always, and a logged-in
citizen's choice kept in the case service for their SMS reminders (the real case service the test
command starts, KK_E2E_API_URL; a closed port for a case service that is down)."""

from __future__ import annotations

import json
import logging
import os
import urllib.request

import pytest
from case_service_stub import free_port
from test_action_own_case import demo_token, live, run, subject_of  # noqa: F401 (live: fixture)
from tracker_factory import said

from actions import client as action_client
from actions.language_switch import ActionSetLanguage

real_service = pytest.mark.skipif(
    not os.environ.get("KK_E2E_API_URL"), reason="KK_E2E_API_URL not set: no running case service"
)
NOT_STORED = "language choice not stored"


def chosen_language(username: str) -> str | None:
    """``GET /me/language`` as the citizen themself (their own token)."""
    request = urllib.request.Request(
        f"{os.environ['KK_E2E_API_URL']}/me/language",
        headers={"Authorization": f"Bearer {demo_token(username)}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["language"]


@pytest.fixture
def down(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("KK_API_URL", f"http://127.0.0.1:{free_port()}")
    action_client.reset_client()
    yield
    action_client.reset_client()


@real_service
@pytest.mark.parametrize("channel", ["kk", "sms"])
def test_a_logged_in_citizen_s_choice_is_kept(live: str, channel: str) -> None:  # noqa: F811
    subject = subject_of("demo-borger-syg")
    for language in ("en", "da"):
        messages = run(
            ActionSetLanguage(),
            said(
                "ENGLISH" if language == "en" else "DANSK",
                "set_language",
                {"language": language},
                channel=channel,
                subject=subject,
                role="citizen",
            ),
        )
        assert [m["response"] for m in messages] == ["utter_language_set"]
        assert chosen_language("demo-borger-syg") == language


@pytest.mark.parametrize(
    "who",
    [
        {},  # anonymous web chat
        {"channel": "sms"},  # a number the case service does not know
        {"channel": "kk", "subject": "u-demo-sagsbehandler", "role": "staff"},
    ],
)
def test_others_only_switch_the_conversation(down, caplog, who: dict) -> None:
    caplog.set_level(logging.WARNING)
    messages = run(ActionSetLanguage(), said("ENGLISH", "set_language", {"language": "en"}, **who))
    assert [m["response"] for m in messages] == ["utter_language_set"]
    assert NOT_STORED not in caplog.text  # nothing was sent to the case service


def test_a_case_service_that_is_down_does_not_stop_the_switch(down, caplog) -> None:
    caplog.set_level(logging.WARNING)
    tracker = said(
        "ENGLISH", "set_language", {"language": "en"}, channel="kk", subject="u-x", role="citizen"
    )
    messages = run(ActionSetLanguage(), tracker)
    assert [m["response"] for m in messages] == ["utter_language_set"]
    assert NOT_STORED in caplog.text
