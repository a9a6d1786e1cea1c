"""Build rasa-sdk trackers for action tests, with the channel metadata a channel would attach."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker


def user_event(
    text: str,
    intent: str = "nlu_fallback",
    *,
    channel: str = "rest",
    subject: str | None = None,
    role: str | None = None,
    metadata: dict | None = None,
) -> dict:
    if metadata is None and subject is not None:
        metadata = {"kk": {"channel": channel, "subject": subject, "role": role}}
    return {
        "event": "user",
        "text": text,
        "input_channel": channel,
        "parse_data": {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []},
        "metadata": metadata or {},
    }


def tracker(events: list[dict], slots: dict | None = None, sender: str = "t") -> Tracker:
    latest: dict[str, Any] = {}
    for event in reversed(events):
        if event.get("event") == "user":
            latest = event["parse_data"]
            break
    return Tracker(sender, slots or {}, latest, events, False, None, {}, "action_listen")


def said(text: str, intent: str = "nlu_fallback", slots: dict | None = None, **who: Any) -> Tracker:
    """A tracker whose latest message is ``text`` from the caller described by ``who``."""
    return tracker([user_event(text, intent, **who)], slots)
