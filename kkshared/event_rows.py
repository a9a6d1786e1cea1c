"""The rows of the events database: what the Rasa server's event broker writes
(``bot/event_broker.py``) and the case service's analytics read (``api/analytics/events.py``).

The table is Rasa's own (``rasa/core/brokers/sql.py``): ``id`` (integer primary key, in the order
the events were written), ``sender_id`` and ``data``, the event as Rasa's JSON
(``json.dumps({"sender_id": ..., **event.as_dict()})``). The broker adds typed columns, filled
from the same event, so a reader can pick the events it needs by indexed columns instead of
reading every event's JSON:

- ``type_name``: Rasa's event type (``user``, ``bot``, ``action``, ``slot``, ``session_started``,
  ``active_loop``, ...);
- ``name``: a user event's intent, a bot event's response (``metadata.utter_action``), an action's
  or a loop's name (``active_loop``: None when the loop ends); else None;
- ``timestamp``: the event's time (seconds since the epoch).

Rows written before the columns existed (Rasa's broker, an older version of ours) have them NULL;
readers must still read those from ``data``.

Standard library only: used by the Rasa server (Python 3.10) and the case service (3.11).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

TABLE = "events"
TYPED_COLUMNS = ("type_name", "name", "timestamp")
TYPE_NAME_LENGTH = 64
NAME_LENGTH = 255
# (index name, columns). The first serves readers that go through the table by id and look only
# at the typed columns (a covering index: the rows' JSON is not read); the second finds a
# conversation's events (retention, erasure).
INDEXES = (
    ("ix_events_kk_typed", ("id", "type_name", "name", "timestamp", "sender_id")),
    ("ix_events_kk_sender", ("sender_id", "id")),
)
# Event types whose ``name`` column is filled from the event's own ``name`` field.
NAMED_TYPES = frozenset({"action", "active_loop"})


@dataclass(frozen=True, slots=True)
class EventRow:
    """One row of the events table as the broker inserts it (``id`` is the database's)."""

    sender_id: str | None
    data: str
    type_name: str | None
    name: str | None
    timestamp: float | None

    def as_params(self) -> dict[str, Any]:
        return {
            "sender_id": self.sender_id,
            "data": self.data,
            "type_name": self.type_name,
            "name": self.name,
            "timestamp": self.timestamp,
        }


def sqlite_schema() -> list[str]:
    """The statements that make the table as the broker makes it on SQLite (benchmarks, tests)."""
    statements = [
        f"CREATE TABLE {TABLE} (id INTEGER NOT NULL PRIMARY KEY, sender_id VARCHAR(255), "
        f"data TEXT, type_name VARCHAR({TYPE_NAME_LENGTH}), name VARCHAR({NAME_LENGTH}), "
        "timestamp FLOAT)"
    ]
    for index, columns in INDEXES:
        statements.append(f"CREATE INDEX {index} ON {TABLE} ({', '.join(columns)})")
    return statements


def _text(value: object, length: int) -> str | None:
    return value[:length] if isinstance(value, str) else None


def event_name(event: Mapping[str, Any]) -> str | None:
    """The ``name`` column of an event (see the module docstring)."""
    kind = event.get("event")
    if kind == "user":
        parse_data = event.get("parse_data")
        intent = parse_data.get("intent") if isinstance(parse_data, Mapping) else None
        return _text(intent.get("name") if isinstance(intent, Mapping) else None, NAME_LENGTH)
    if kind == "bot":
        metadata = event.get("metadata")
        utter = metadata.get("utter_action") if isinstance(metadata, Mapping) else None
        return _text(utter, NAME_LENGTH)
    if kind in NAMED_TYPES:
        return _text(event.get("name"), NAME_LENGTH)
    return None


def event_row(event: Mapping[str, Any]) -> EventRow:
    """The row for one event as the broker receives it (``{"sender_id": ..., **as_dict()}``)."""
    timestamp = event.get("timestamp")
    sender_id = event.get("sender_id")
    return EventRow(
        sender_id=sender_id if isinstance(sender_id, str) else None,
        data=json.dumps(event),
        type_name=_text(event.get("event"), TYPE_NAME_LENGTH),
        name=event_name(event),
        timestamp=float(timestamp)
        if isinstance(timestamp, int | float) and not isinstance(timestamp, bool)
        else None,
    )
