"""Conversation analytics for the job centre (docs/analytics.md).

Rasa's SQL event broker (``bot/endpoints.yml``) writes every tracker event into the events
database (``KK_EVENTS_DB_URL``); that database is the only data the Rasa side hands the case
service besides HTTP. This package reads it incrementally and keeps per-conversation facts in the
case-service database:

- ``events``: the events database (Rasa's ``events`` table), read by id, purged by retention;
- ``decode``: the few fields of Rasa's event JSON that analytics use, read fast;
- ``facts``: what a conversation's events mean (channel, turns, fallbacks, answers, ...);
- ``keys``: the keyed hashes that stand in for conversation ids;
- ``writer``: the facts into the analytics tables, fast (values converted once, the driver's
  ``executemany``, SQLite's indexes rebuilt after a first import);
- ``job``: one aggregation run (lease + compare-and-set watermark, so nothing is counted twice),
  the background loop and ``python -m api.cli aggregate-analytics``;
- ``feedback``: thumbs up/down from ``feedback`` linked to conversations and answers;
- ``report``: the numbers the pages and ``GET /analytics/report`` show;
- ``grouping``: the unanswered questions grouped by similarity;
- ``retention``: deletion after the conversations' retention periods.
"""
