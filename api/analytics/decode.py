"""The fields of Rasa's event JSON that analytics use, read without parsing whole events.

Rasa's SQL event broker stores ``json.dumps({"sender_id": ..., **event.as_dict()})``: the keys
``sender_id``, ``event`` and ``timestamp`` come first, then ``metadata`` and the event's own
fields. A user event is 1-3 kB, most of it the NLU ranking, and aggregating 100k conversations
means about two million events, so ``decode`` finds the few values it needs with ``str.find``
and decodes only those (``json.JSONDecoder.raw_decode`` at the value, so escapes are handled).
A key found inside a string value is impossible: quotes inside JSON strings are escaped.
Whenever the fast path does not find what it expects, the event is parsed in full
(``decode_full``, also the reference the tests compare the fast path with).

What is read per kind of event (docs/analytics.md):

- ``user``: the (already masked) text and the intent name;
- ``bot``: ``metadata.utter_action`` (the response that was said) and, for a legal answer,
  ``data.custom.legal.status`` (answered | clarify);
- ``action``: the action's name; ``active_loop``: the loop's name (None when it ends);
- ``session_started``: only that it happened. Other kinds (slots, ...) are not read.

Rows the Rasa server's broker wrote with typed columns (``kkshared.event_rows``) are read from
those (``from_columns``; ``EventsDatabase.rows`` selects them as ``Row`` tuples, and a test
compares);
``decode`` then only runs on the few whose JSON holds a needed field without a column (a user
message's text, a legal answer's status) and on rows without columns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

KINDS = frozenset({"user", "bot", "action", "active_loop", "session_started"})
LEGAL_ANSWER = "utter_legal_answer"

_DECODER = json.JSONDecoder()
_EVENT = '"event": "'
_TIMESTAMP = '"timestamp": '
_TEXT = '"text": '
_INTENT = '"parse_data": {"intent": {"name": "'
_UTTER = '"utter_action": "'
_NAME = '"name": "'


@dataclass(slots=True)
class Event:
    """What analytics read of one event. Not frozen: the job builds hundreds of thousands of
    them per run, and a frozen dataclass takes three times as long to build."""

    id: int
    sender_id: str
    kind: str
    timestamp: float
    text: str | None = None  # user
    intent: str | None = None  # user
    name: str | None = None  # bot: utter_action; action / active_loop: the name
    status: str | None = None  # bot: the legal answer's status


# What the job applies per event (``FactBuilder.apply_rows``): ``(id, sender_id, kind, name,
# timestamp, text, status)``, ``name`` being a user event's intent, else ``Event.name``. The
# reader hands typed rows over as the database cursor makes them (no object per event: a first
# aggregation applies over 600,000); ``as_row`` / ``as_event`` convert.
Row = tuple[int, str, str, str | None, float, str | None, str | None]


def as_row(event: Event) -> Row:
    name = event.intent if event.kind == "user" else event.name
    return (event.id, event.sender_id, event.kind, name, event.timestamp, event.text, event.status)


def as_event(row: Row) -> Event:
    event_id, sender_id, kind, name, timestamp, text, status = row
    if kind == "user":
        return Event(event_id, sender_id, kind, timestamp, text, name, None, status)
    return Event(event_id, sender_id, kind, timestamp, text, None, name, status)


class Undecodable(ValueError):
    """The row is not a Rasa event (corrupt or foreign); the job skips it."""


def event_kind(data: str) -> str | None:
    start = data.find(_EVENT)
    if start < 0:
        return None
    start += len(_EVENT)
    end = data.find('"', start)
    return data[start:end] if end > 0 else None


def _number_at(data: str, start: int) -> float:
    end = data.find(",", start)
    return float(data[start:end] if end > 0 else data[start:].rstrip("}"))


def _plain_string_at(data: str, start: int) -> str | None:
    """The string value starting at ``start`` (after its opening quote) if it has no escapes."""
    end = data.find('"', start)
    if end < 0:
        return None
    value = data[start:end]
    return None if "\\" in value else value


def decode(event_id: int, sender_id: str, data: str) -> Event | None:
    """The event's fields analytics use; None for kinds analytics do not read."""
    kind = event_kind(data)
    if kind is None:
        return decode_full(event_id, sender_id, data)
    if kind not in KINDS:
        return None
    at = data.find(_TIMESTAMP)
    if at < 0:
        return decode_full(event_id, sender_id, data)
    try:
        timestamp = _number_at(data, at + len(_TIMESTAMP))
    except ValueError:
        return decode_full(event_id, sender_id, data)
    if kind == "session_started":
        return Event(event_id, sender_id, kind, timestamp)
    if kind == "user":
        text_at = data.find(_TEXT, at)
        intent_at = data.find(_INTENT, at)
        if text_at < 0 or intent_at < 0:
            return decode_full(event_id, sender_id, data)
        try:
            text, _ = _DECODER.raw_decode(data, text_at + len(_TEXT))
        except ValueError:
            return decode_full(event_id, sender_id, data)
        intent = _plain_string_at(data, intent_at + len(_INTENT))
        if not isinstance(text, str) or intent is None:
            return decode_full(event_id, sender_id, data)
        return Event(event_id, sender_id, kind, timestamp, text=text, intent=intent)
    if kind == "bot":
        utter_at = data.find(_UTTER, at)
        if utter_at < 0:
            return Event(event_id, sender_id, kind, timestamp)  # a message without a response
        utter = _plain_string_at(data, utter_at + len(_UTTER))
        if utter is None or utter == LEGAL_ANSWER:
            return decode_full(event_id, sender_id, data)
        return Event(event_id, sender_id, kind, timestamp, name=utter)
    if kind == "action":
        name_at = data.find(_NAME, at)
        name = _plain_string_at(data, name_at + len(_NAME)) if name_at >= 0 else None
        if name is None:
            return decode_full(event_id, sender_id, data)
        return Event(event_id, sender_id, kind, timestamp, name=name)
    return decode_full(event_id, sender_id, data)  # active_loop: rare


def from_columns(
    event_id: int, sender_id: str, kind: str, name: str | None, timestamp: float | None
) -> Event | None:
    """The event from the typed columns the broker writes (``kkshared.event_rows``), for the
    events whose JSON has nothing more analytics need (a user event's text is read from the JSON
    only where it may be kept: ``api.analytics.events.TEXT_INTENTS``)."""
    if kind not in KINDS:
        return None
    at = 0.0 if timestamp is None else timestamp
    if kind == "user":
        return Event(event_id, sender_id, kind, at, intent=name)
    if kind == "session_started":
        return Event(event_id, sender_id, kind, at)
    return Event(event_id, sender_id, kind, at, name=name)


def decode_full(event_id: int, sender_id: str, data: str) -> Event | None:
    """``decode`` by parsing the whole event (the slow, obviously right way)."""
    try:
        event = json.loads(data)
    except ValueError as error:
        raise Undecodable(f"event {event_id} is not JSON") from error
    if not isinstance(event, dict):
        raise Undecodable(f"event {event_id} is not a JSON object")
    kind = event.get("event")
    if kind not in KINDS:
        return None
    timestamp = float(event.get("timestamp") or 0.0)
    if kind == "user":
        intent = (event.get("parse_data") or {}).get("intent") or {}
        return Event(
            event_id,
            sender_id,
            kind,
            timestamp,
            text=str(event.get("text") or ""),
            intent=_opt_str(intent.get("name")),
        )
    if kind == "bot":
        utter = _opt_str((event.get("metadata") or {}).get("utter_action"))
        custom: Any = (event.get("data") or {}).get("custom") or {}
        legal = custom.get("legal") if isinstance(custom, dict) else None
        status = _opt_str(legal.get("status")) if isinstance(legal, dict) else None
        return Event(event_id, sender_id, kind, timestamp, name=utter, status=status)
    if kind in ("action", "active_loop"):
        return Event(event_id, sender_id, kind, timestamp, name=_opt_str(event.get("name")))
    return Event(event_id, sender_id, kind, timestamp)


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) else None
