"""Input channels of KK-assistenten (Rasa loads them from bot/credentials.yml at start-up).

Shared logic (masking, validation, payloads) is in ``common``; importing the package installs the
Rasa speed fix in ``bot.rasa_speedups``.
"""

from bot import rasa_speedups

rasa_speedups.install()
