"""Two-way SMS through a GatewayAPI-compatible gateway (the Rasa side; see docs/sms.md).

The input channel is ``bot.channels.sms.SmsInput`` (``/webhooks/sms/webhook``). This package holds
what it is made of, each part usable and testable on its own:

- ``settings``: the ``KK_SMS_*`` part of the Rasa server's settings (``bot/settings.py``);
- ``identity``: the keyed hash that replaces the number, the sender's identity for the actions
  (phone numbers are normalised by ``kkshared.phone``);
- ``signature``: the ``X-Gwapi-Signature`` JWT check and the incoming-message shape;
- ``store``: the durable inbox/outbox (SQLAlchemy, same database as the tracker store), its tables
  made by versioned migrations (``schema``, ``migrations/``, ``python -m bot.sms.migrate``);
- ``rendering``: GSM 03.38 / UCS-2 segment counting, markdown stripping, numbered choices, cutting;
- ``keywords``: STOP / START / HJÆLP and the channel's fixed Danish texts;
- ``gateway_client``: the send API (``POST /rest/mtsms``);
- phone-number lookup and the SMS opt-out go through ``kkshared.case_service.CaseServiceClient``;
- ``service``: the background work put together, one module per job: ``intake`` (the webhook's
  store-then-answer), ``inbox`` (the inbox worker), ``consent`` (STOP/START), ``throttle`` (the
  per-number rate limit), ``lookup`` (the case-service lookup), ``turns`` (the Rasa turn and the
  SMS rendering of its answer), ``outbox`` (sending, retries), ``housekeeping``; ``context`` holds
  what they share.

The reminder job (``bot.reminders``) queues the SMS it starts in the same outbox.

Nothing here logs message text or phone numbers. ``rendering`` and ``keywords`` are pure standard
library (the fake gateway in ``tools/`` may import them).
"""
