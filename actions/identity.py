"""Who the action server is acting for: the identity the channel verified for this message.

The logged-in channels (``bot/channels/kk.py``, SMS) attach ``{"kk": {"channel", "subject",
"role"}}`` to each user message (``kkshared.identity.ChannelIdentity``); clients cannot set it
(the channels ignore client metadata). Identity is read from the LATEST user message only, so it
is verified on every turn, and it is never taken from slots. No or malformed metadata means an
anonymous caller.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from kkshared.identity import ChannelIdentity

SESSION_METADATA_SLOT = "session_started_metadata"

# The actions' name for the verified caller (is_citizen, is_staff, over_sms).
Caller = ChannelIdentity


def _latest_user_event(tracker: Tracker) -> dict[str, Any] | None:
    for event in reversed(tracker.events or []):
        if isinstance(event, dict) and event.get("event") == "user":
            return event
    return None


def caller(tracker: Tracker) -> Caller:
    """The verified caller of the latest message (anonymous when nothing was verified)."""
    event = _latest_user_event(tracker)
    if event is None:
        return Caller()
    return Caller.from_metadata(event.get("metadata"), event.get("input_channel"))


def session_caller(tracker: Tracker) -> Caller:
    """The caller in ``action_session_start``, which runs before the first message is logged:
    Rasa puts that message's (channel-built) metadata in ``session_started_metadata``."""
    session = tracker.get_slot(SESSION_METADATA_SLOT)
    if isinstance(session, dict) and session:
        return Caller.from_metadata(session)
    return caller(tracker)
