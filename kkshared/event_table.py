"""The events table as SQLAlchemy Core (``kkshared.event_rows`` says what its rows hold).

One definition for the two processes that use it: the Rasa server's event broker creates and
writes it (``bot/event_broker.py``, SQLAlchemy 1.4), the case service's analytics read and purge
it (``api/analytics/events.py``, SQLAlchemy 2). Only Core constructs both versions share are used.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, MetaData, String, Table, Text

from kkshared.event_rows import INDEXES, NAME_LENGTH, TABLE, TYPE_NAME_LENGTH

metadata = MetaData()
events = Table(
    TABLE,
    metadata,
    # Rasa's columns (rasa/core/brokers/sql.py), unchanged.
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("data", Text),
    # Ours (kkshared.event_rows), added to an existing table by the broker's start-up.
    Column("type_name", String(TYPE_NAME_LENGTH)),
    Column("name", String(NAME_LENGTH)),
    Column("timestamp", Float),
)
# Part of the table (``metadata.create_all`` creates them); the broker adds missing ones.
indexes = tuple(Index(name, *(events.c[c] for c in columns)) for name, columns in INDEXES)
