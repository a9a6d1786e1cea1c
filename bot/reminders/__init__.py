"""Meeting reminders and closure alerts by SMS (issue 19; docs/reminders.md).

- ``schedule``: when a reminder is due (the working day before, at the send time; quiet hours);
- ``rasa_api``: Rasa's ``trigger_intent`` over its HTTP API (token auth) — the bot starts the
  conversation itself, so the citizen's answer "1", "2" or "3" continues it;
- ``job``: the job: candidates from the case service, claim, start the conversation, queue the
  SMS in the channel's outbox (once per key), record the outcome;
- ``python -m bot.reminders``: the job as its own process (``--once --now`` for tests).
"""
