"""Input channels of KK-assistenten (Rasa loads them from bot/credentials.yml at start-up).

Shared logic (masking, validation, payloads) is in ``common``; importing the package installs the
project's Rasa patches (``bot.rasa_patches``), which refuse to run on another Rasa version.
"""

from bot import rasa_patches

rasa_patches.install()
