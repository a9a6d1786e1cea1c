"""Every change this project makes to Rasa's own code, for exactly the Rasa version it was written
against; installed when the Rasa server loads our channels (``bot/channels/__init__.py``).

A patch replaces a private Rasa function, so it is only correct for the Rasa it was read from:
``install()`` refuses (``UnsupportedRasaVersion``) to patch any other version, and the Rasa
server then does not start. After upgrading Rasa, read the patched functions again, check each
patch still applies (and is still needed), and change ``RASA_VERSION``.

The patches:

- ``RemoteAction._validate_action_result`` (speed): Rasa validates every action-server response
  with ``jsonschema.validate``, which checks the schema itself against the JSON-Schema
  meta-schema on every call: about 80 ms of CPU per custom action on this machine, more than
  everything else in a turn together (measured with cProfile, see docs/load_benchmark.md). The
  schema never changes, so it is checked once and its validator reused; the validation of each
  response stays exactly the same (same errors, same message).
- ``MessageProcessor.fetch_tracker_and_update_session`` (correctness, SMS reminders): Rasa's HTTP
  API routes (``trigger_intent``, used by the reminder job, docs/reminders.md) start a new session
  without an output channel, so our ``action_session_start``, which utters the AI notice, fails
  (``None.name()``), the session is never started and no rule applies (the bot answered
  ``utter_default``). With no output channel the session start now gets a collecting one, and its
  messages (the AI notice) are kept for the request's output channel (``session_start_messages``;
  the SMS channel puts them first in the reminder).
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import lru_cache
from typing import Any

# The Rasa version the patches below were written for and tested with.
RASA_VERSION = "3.6.21"

_INSTALLED = False


class UnsupportedRasaVersion(RuntimeError):
    """The installed Rasa is not the version the patches were written for."""


def check_rasa_version(version: str) -> None:
    """Raise ``UnsupportedRasaVersion`` unless ``version`` is ``RASA_VERSION``."""
    if version != RASA_VERSION:
        raise UnsupportedRasaVersion(
            f"bot/rasa_patches.py patches Rasa {RASA_VERSION} internals, but Rasa {version} is "
            "installed: check each patch against this version's code, then update RASA_VERSION"
        )


@lru_cache(maxsize=1)
def _response_validator() -> Any:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    error = best_match(_response_validator().iter_errors(result))
    if error is None:
        return True
    if isinstance(error, ValidationError):
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            f"from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
    raise error


# The messages the session start of the current request uttered when Rasa gave it no output
# channel (per asyncio task: one request never sees another's).
_SESSION_START_MESSAGES: ContextVar[list[dict[str, Any]] | None] = ContextVar(
    "kk_session_start_messages", default=None
)


def session_start_messages() -> list[dict[str, Any]]:
    """Take what this request's session start uttered without an output channel (once)."""
    messages = _SESSION_START_MESSAGES.get() or []
    _SESSION_START_MESSAGES.set(None)
    return messages


def _patch_session_start(processor_cls: Any) -> None:
    from rasa.core.channels.channel import CollectingOutputChannel

    original = processor_cls.fetch_tracker_and_update_session

    async def fetch_tracker_and_update_session(
        self: Any, sender_id: str, output_channel: Any = None, metadata: Any = None
    ) -> Any:
        if output_channel is not None:
            return await original(self, sender_id, output_channel, metadata)
        collector = CollectingOutputChannel()
        tracker = await original(self, sender_id, collector, metadata)
        _SESSION_START_MESSAGES.set(list(collector.messages))
        return tracker

    processor_cls.fetch_tracker_and_update_session = fetch_tracker_and_update_session


def install() -> None:
    """Apply every patch (idempotent); ``UnsupportedRasaVersion`` on another Rasa version."""
    global _INSTALLED
    if _INSTALLED:
        return
    import rasa
    from rasa.core.actions.action import RemoteAction

    check_rasa_version(rasa.__version__)
    if not callable(getattr(RemoteAction, "_validate_action_result", None)):
        raise UnsupportedRasaVersion("RemoteAction._validate_action_result is gone")
    RemoteAction._validate_action_result = _validate_action_result
    from rasa.core.processor import MessageProcessor

    if not callable(getattr(MessageProcessor, "fetch_tracker_and_update_session", None)):
        raise UnsupportedRasaVersion("MessageProcessor.fetch_tracker_and_update_session is gone")
    _patch_session_start(MessageProcessor)
    _INSTALLED = True
