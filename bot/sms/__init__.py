"""Two-way SMS through a GatewayAPI-compatible gateway (the Rasa side; see docs/sms.md).

The input channel is ``bot.channels.sms.SmsInput`` (``/webhooks/sms/webhook``). This package holds
what it is made of, each part usable and testable on its own:

- ``settings``: the ``KK_SMS_*`` part of the Rasa server's settings (``bot/settings.py``);
- ``identity``: the keyed hash that replaces the number, the sender's identity for the actions
  (phone numbers are normalised by ``kkshared.phone``);
- ``signature``: the ``X-Gwapi-Signature`` JWT check and the incoming-message shape;
- ``store``: the durable inbox/outbox (SQLAlchemy, same database as the tracker store);
- ``rendering``: GSM 03.38 / UCS-2 segment counting, markdown stripping, numbered choices, cutting;
- ``keywords``: STOP / START / HJÆLP and the channel's fixed Danish texts;
- ``gateway_client``: the send API (``POST /rest/mtsms``);
- phone-number lookup and the SMS opt-out go through ``kkshared.case_service.CaseServiceClient``;
- ``service``: the background workers that turn inbox rows into Rasa turns and send the outbox.

Nothing here logs message text or phone numbers. ``rendering`` and ``keywords`` are pure standard
library (the fake gateway in ``tools/`` may import them).
"""
