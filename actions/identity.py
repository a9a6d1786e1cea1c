"""Who the action server is acting for: the identity the channel verified for this message.

The logged-in channels (``bot/channels/kk.py``, SMS) attach ``{"kk": {"channel", "subject",
"role"}}`` to each user message; clients cannot set it (the channels ignore client metadata).
Identity is read from the LATEST user message only, so it is verified on every turn, and it is
never taken from slots. No metadata means an anonymous caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker

from kkshared.tokens import ROLES, STAFF_ROLES

SESSION_METADATA_SLOT = "session_started_metadata"


@dataclass(frozen=True)
class Caller:
    channel: str | None = None
    subject: str | None = None
    role: str | None = None

    @property
    def is_citizen(self) -> bool:
        return self.subject is not None and self.role == "citizen"

    @property
    def is_staff(self) -> bool:
        """Caseworkers, jurists and admins: allowed into the legal mode."""
        return self.subject is not None and self.role in STAFF_ROLES

    @property
    def over_sms(self) -> bool:
        return self.channel == "sms"


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
    return _from_metadata(event.get("metadata") or {}, event.get("input_channel"))


def session_caller(tracker: Tracker) -> Caller:
    """The caller in ``action_session_start``, which runs before the first message is logged:
    Rasa puts that message's (channel-built) metadata in ``session_started_metadata``."""
    session = tracker.get_slot(SESSION_METADATA_SLOT)
    if isinstance(session, dict) and session:
        return _from_metadata(session, None)
    return caller(tracker)


def _from_metadata(metadata: dict[str, Any], channel: str | None) -> Caller:
    data = metadata.get("kk")
    if not isinstance(data, dict):
        return Caller(channel=channel)
    channel = data.get("channel") or channel
    subject = data.get("subject")
    role = data.get("role")
    if not isinstance(subject, str) or not subject or role not in ROLES:
        return Caller(channel=channel)
    return Caller(channel=channel, subject=subject, role=role)
