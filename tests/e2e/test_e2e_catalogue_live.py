"""Content editing without a release (issue 17, item 2), against the whole system: an editor
writes a new catalogue entry through the case service, previews it (the Rasa server's
preview channel), publishes it; within a minute a new anonymous chat asking a paraphrase gets the
new answer with its source, without retraining or restarting Rasa or the action server; the
editor rolls it back and, once the Rasa server has indexed the rollback, the old behaviour
returns exactly (a reply during the moment between the action server's and the Rasa server's
re-index may be "don't know": docs/content_editing.md, "Rollback")."""

from __future__ import annotations

import os
import time
import uuid

# The entry both this test and its twin in the other suite publish (tests/helpers/).
from catalogue_waiting_room import (
    ANSWER,
    DRAFT,
    PARAPHRASE,
    SEED_FILE,
    publish,
    roll_back,
    save_draft,
)
from conftest import Chat, api_url, http, login, rasa_url, texts

# Publishing is answered everywhere within a minute (KK_CATALOGUE_POLL_SECONDS, 10 s by default,
# plus the re-index): the test waits at most this long for it, asking again every few seconds.
PUBLISH_DEADLINE_SECONDS = 60.0
ENTRY_ID = f"e2e_waiting_room_{uuid.uuid4().hex[:8]}"


def _ask_new_chat() -> list[dict]:
    return Chat().send(PARAPHRASE)


def _answered(reply: list[dict]) -> bool:
    return ANSWER in texts(reply)


def _comparable(reply: list[dict]) -> list[dict]:
    """The reply without the recipient (each new chat's own sender id)."""
    return [{k: v for k, v in m.items() if k != "recipient_id"} for m in reply]


def _still_ranked(entry_id: str) -> bool:
    """Whether the Rasa server's live index still ranks ``entry_id`` for the paraphrase (its
    preview channel, no drafts)."""
    status, result = http(
        "POST",
        f"{rasa_url()}/webhooks/catalogue_preview/rank",
        {"question": PARAPHRASE},
        {"X-Service-Token": os.environ["KK_E2E_SERVICE_TOKEN"]},
    )
    assert status == 200, result
    return entry_id in {result["entry_id"], *(c["entry_id"] for c in result["candidates"])}


def _until(answered: bool) -> list[dict] | None:
    """The reply of a new chat once it does (or no longer does) give the new answer, asking
    every 3 s; None after ``PUBLISH_DEADLINE_SECONDS``."""
    deadline = time.monotonic() + PUBLISH_DEADLINE_SECONDS
    while True:
        reply = _ask_new_chat()
        if _answered(reply) is answered:
            return reply
        if time.monotonic() > deadline:
            return None
        time.sleep(3)


def test_a_published_entry_is_answered_within_a_minute_and_a_rollback_undoes_it() -> None:
    editor = {"Authorization": f"Bearer {login('demo-redaktoer')}"}
    before = _ask_new_chat()
    assert not _answered(before)

    save_draft(http, api_url(), editor, ENTRY_ID)
    # The preview (case service -> the Rasa server's preview channel) answers with the draft ...
    status, preview = http(
        "POST",
        f"{api_url()}/catalogue/preview",
        {"question": PARAPHRASE, "entry_id": ENTRY_ID},
        editor,
    )
    assert status == 200, preview
    assert (preview["tier"], preview["entry_id"]) == (1, ENTRY_ID), preview
    # ... while the bot does not: a draft is never live.
    assert not _answered(_ask_new_chat())

    change = publish(http, api_url(), editor, ENTRY_ID)
    reply = _until(answered=True)
    assert reply is not None, f"not answered within {PUBLISH_DEADLINE_SECONDS:.0f} s"
    [answer] = [m for m in reply if ANSWER in (m.get("text") or "")]
    assert answer["custom"]["title"] == DRAFT["title"]
    source = answer["custom"]["source"]
    assert (source["file"], source["date"]) == (SEED_FILE, "2017")
    assert (
        source["title"] == "BIF: Håndtering af uhensigtsmæssigheder i beskæftigelsesindsatsen, 2017"
    )

    roll_back(http, api_url(), editor, ENTRY_ID, change["version"])
    gone = _until(answered=False)
    assert gone is not None, f"still answered {PUBLISH_DEADLINE_SECONDS:.0f} s after the rollback"
    deadline = time.monotonic() + PUBLISH_DEADLINE_SECONDS
    while _still_ranked(ENTRY_ID) and time.monotonic() < deadline:
        time.sleep(3)
    assert not _still_ranked(ENTRY_ID), "the Rasa server did not index the rollback in time"
    # The old behaviour, exactly: the same messages, buttons and suggestion as before the publish.
    assert _comparable(_ask_new_chat()) == _comparable(before)


def test_the_preview_channel_answers_only_the_service_token() -> None:
    url = f"{rasa_url()}/webhooks/catalogue_preview/rank"
    body = {"question": "hvornår bliver kontanthjælpen udbetalt"}
    assert http("POST", url, body)[0] == 401
    assert http("POST", url, body, {"X-Service-Token": "not-the-token-at-all"})[0] == 401
    token = {"X-Service-Token": os.environ["KK_E2E_SERVICE_TOKEN"]}
    status, result = http("POST", url, body, token)
    assert status == 200, result
    assert result["tier"] in (1, 2, 3) and result["candidates"]
    status, refused = http("POST", url, {"question": ""}, token)
    assert status == 422 and "question" in refused["detail"]
