"""Content editing without a release on the production profile (issue 17: "with the production
profile the publish test runs against two Rasa processes"): an editor writes and publishes a new
catalogue entry through the case service; within a minute *each* Rasa replica, asked directly on
its own port (not through nginx, so which replica answered is known), answers a paraphrase of
the entry's examples with the new answer and its source; within a minute of the rollback neither
replica gives it any more. No replica is retrained or restarted. Once each replica's classifier
has the rollback revision (its own preview channel no longer ranks the entry), it answers exactly
as before the entry existed (checked separately).

For a moment after the rollback a replica may still rank the retired entry while the action
server already has the new revision: that reply is "don't know" (docs/content_editing.md,
"Rollback"). Such transitional replies are written to catalogue-rollback-replies.txt in
KK_PROD_LOG_DIR with the others, not compared.

The replicas learn about the change on their own (each polls GET /catalogue/live, every
KK_CATALOGUE_POLL_SECONDS); the action-server replicas behind nginx render the answer from their
own copy of the catalogue (tests/e2e/test_e2e_catalogue_live.py covers the preview and the
one-process case)."""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

import pytest

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
from conftest import (
    api_url,
    http,
    log_dir,
    login,
    nginx_url,
    normalised,
    replica_urls,
    say,
)

# Published changes are live on every Rasa process within a minute (issue 17).
PUBLISH_DEADLINE_SECONDS = 60.0
ENTRY_ID = f"prod_waiting_room_{uuid.uuid4().hex[:8]}"
ASK_EVERY_SECONDS = 2.0
# Each replica's reply to the paraphrase before the entry existed, the first one without the entry
# after the rollback, and the one once its classifier has the rollback revision.
OBSERVED: dict[str, dict[str, list[dict]]] = {}


def ask_new_chat(base_url: str) -> list[dict]:
    """The paraphrase as the first message of a new anonymous chat on ``base_url``."""
    status, reply = say(base_url, f"pub-{uuid.uuid4().hex[:10]}", PARAPHRASE)
    assert status == 200, reply
    assert isinstance(reply, list), reply
    return reply


def answered(reply: list[dict]) -> bool:
    return any(ANSWER in (m.get("text") or "") for m in reply)


def until_each_replica(answers: bool, since: float) -> tuple[dict[str, list[dict]], list[str]]:
    """Ask each replica (a new chat every ``ASK_EVERY_SECONDS``) until it does (or no longer
    does) give the new answer, at most ``PUBLISH_DEADLINE_SECONDS`` after ``since``: the replies
    that did, per replica URL, and the replicas that did not in time."""
    done: dict[str, list[dict]] = {}
    pending = list(replica_urls())
    while pending:
        for url in list(pending):
            reply = ask_new_chat(url)
            if answered(reply) is answers:
                done[url] = reply
                pending.remove(url)
        if not pending or time.monotonic() - since > PUBLISH_DEADLINE_SECONDS:
            break
        time.sleep(ASK_EVERY_SECONDS)
    return done, pending


def ranks_the_entry(base_url: str) -> bool:
    """Whether the replica's classifier still ranks the entry for the paraphrase: its own
    preview channel (the live index, no drafts; service token)."""
    status, result = http(
        "POST",
        f"{base_url}/webhooks/catalogue_preview/rank",
        {"question": PARAPHRASE},
        {"X-Service-Token": os.environ["KK_PROD_SERVICE_TOKEN"]},
    )
    assert status == 200, result
    ranked = {result["entry_id"], *(c["entry_id"] for c in result["candidates"])}
    return ENTRY_ID in ranked


def until_each_replica_indexed_the_rollback(since: float) -> list[str]:
    """Wait until no replica's classifier ranks the entry any more, at most
    ``PUBLISH_DEADLINE_SECONDS`` after ``since``; the replicas that still do."""
    pending = list(replica_urls())
    while pending:
        pending = [url for url in pending if ranks_the_entry(url)]
        if not pending or time.monotonic() - since > PUBLISH_DEADLINE_SECONDS:
            break
        time.sleep(ASK_EVERY_SECONDS)
    return pending


def the_answer(reply: list[dict]) -> dict[str, Any]:
    [message] = [m for m in reply if ANSWER in (m.get("text") or "")]
    return message


@pytest.mark.needs_system
def test_a_published_entry_is_answered_by_each_replica_and_a_rollback_undoes_it_on_both() -> None:
    replicas = replica_urls()
    assert len(replicas) == 2 and nginx_url() not in replicas, replicas
    editor = {"Authorization": f"Bearer {login('demo-redaktoer')}"}

    # Before: what each replica answers without the entry (the same model, so the same reply).
    before = {url: ask_new_chat(url) for url in replicas}
    assert not [url for url, reply in before.items() if answered(reply)], before
    assert len({normalised(reply) for reply in before.values()}) == 1, before

    save_draft(http, api_url(), editor, ENTRY_ID)
    # A draft is never live, on either replica.
    assert not [url for url in replicas if answered(ask_new_chat(url))]

    change = publish(http, api_url(), editor, ENTRY_ID)
    published_at = time.monotonic()
    replies, late = until_each_replica(answers=True, since=published_at)
    assert not late, f"{late} did not answer within {PUBLISH_DEADLINE_SECONDS:.0f} s"
    assert sorted(replies) == sorted(replicas)
    for url, reply in replies.items():
        message = the_answer(reply)
        assert message["custom"]["title"] == DRAFT["title"], (url, message)
        source = message["custom"]["source"]
        assert (source["file"], source["date"]) == (SEED_FILE, "2017"), (url, source)
    # Once live, it stays live on both (no replica flips back to an older catalogue), and the
    # public address (nginx, whichever replica it picks) answers it too.
    for url in replicas:
        for _ in range(2):
            assert answered(ask_new_chat(url)), url
    assert answered(ask_new_chat(nginx_url()))

    roll_back(http, api_url(), editor, ENTRY_ID, change["version"])
    rolled_back_at = time.monotonic()
    gone, still = until_each_replica(answers=False, since=rolled_back_at)
    assert not still, f"{still} still answered {PUBLISH_DEADLINE_SECONDS:.0f} s after the rollback"
    behind = until_each_replica_indexed_the_rollback(since=rolled_back_at)
    assert not behind, f"{behind} still rank the entry {PUBLISH_DEADLINE_SECONDS:.0f} s after"
    settled = {url: ask_new_chat(url) for url in replicas}
    OBSERVED.update(before=before, first_without=gone, after_rollback=settled)
    # No replica answers with the retired entry in any form (its title is the catalogue answer's).
    for url, reply in [*gone.items(), *settled.items()]:
        titles = [(m.get("custom") or {}).get("title") for m in reply]
        assert DRAFT["title"] not in titles, (url, reply)


def texts_of(reply: list[dict]) -> str:
    return "\n".join(
        (m.get("text") or "")
        + (f" {[b['title'] for b in m['buttons']]}" if m.get("buttons") else "")
        for m in reply
    )


@pytest.mark.needs_system
def test_after_the_rollback_each_replica_answers_exactly_as_before_the_entry_existed() -> None:
    if not OBSERVED:
        pytest.skip("the publish test above did not get as far as the rollback")
    before, after = OBSERVED["before"], OBSERVED["after_rollback"]
    first = OBSERVED["first_without"]
    report = "\n\n".join(
        f"{url} before the publish:\n{texts_of(before[url])}\n"
        f"{url} first reply without the entry after the rollback:\n{texts_of(first[url])}\n"
        f"{url} once it had the rollback revision:\n{texts_of(after[url])}"
        for url in replica_urls()
    )
    # Kept for reading after the run: fixed anonymous questions only.
    (log_dir() / "catalogue-rollback-replies.txt").write_text(report + "\n", encoding="utf-8")
    differing = [url for url in replica_urls() if normalised(after[url]) != normalised(before[url])]
    if differing:
        pytest.fail(f"{differing} answer otherwise than before the entry existed:\n{report}")
