"""The catalogue entry the e2e and the production publish tests both publish
(tests/data/catalogue_waiting_room.yml), the paraphrase of its examples they ask, and the editor's
steps that publish it and roll it back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

DRAFT = yaml.safe_load(
    (Path(__file__).parents[1] / "data" / "catalogue_waiting_room.yml").read_text(encoding="utf-8")
)
ANSWER = DRAFT["answer"]
SEED_FILE = DRAFT["source"]["file"]
# Not one of the examples: the Rasa server must rank it to the new entry itself.
PARAPHRASE = "kan jeg få noget at drikke i venteområdet på jobcentret, fx kaffe?"


# The editor's steps through the case service's catalogue API, with the suite's ``http``.
Http = Callable[..., tuple[int, Any]]


def save_draft(http: Http, api_url: str, editor: dict[str, str], entry_id: str) -> None:
    """``DRAFT`` saved as the draft of ``entry_id``, with no blocking problem."""
    status, draft = http("PUT", f"{api_url}/catalogue/entries/{entry_id}/draft", DRAFT, editor)
    assert status == 200, draft
    assert not [p for p in draft["problems"] if p["blocking"]], draft["problems"]


def publish(http: Http, api_url: str, editor: dict[str, str], entry_id: str) -> dict[str, Any]:
    """The draft of ``entry_id`` published: the change (its ``version``)."""
    status, change = http("POST", f"{api_url}/catalogue/entries/{entry_id}/publish", None, editor)
    assert status == 200, change
    return change


def roll_back(
    http: Http, api_url: str, editor: dict[str, str], entry_id: str, version: int
) -> None:
    """The publish of ``entry_id`` (at ``version``) rolled back: the entry is retired again."""
    status, rolled = http(
        "POST",
        f"{api_url}/catalogue/entries/{entry_id}/rollback",
        {"base_version": version},
        editor,
    )
    assert status == 200, rolled
    assert rolled["status"] == "retired"
