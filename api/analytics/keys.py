"""Keyed hashes that stand in for conversation ids in the analytics tables.

The key is ``KK_ANALYTICS_HMAC_KEY``, else derived from ``KK_JWT_SECRET`` (HMAC with a fixed
label, so the hashes say nothing about the secret). Without the key a hash cannot be linked to a
sender id by trying candidates (anonymous ids are random, SMS ids are already keyed hashes of the
number, logged-in ids contain the pseudonymous user id). Changing the key starts new hashes:
conversations that go on across the change are counted twice, and feedback given after the change
for a conversation aggregated before it is not linked.
"""

from __future__ import annotations

import hashlib
import hmac

from api.core.config import Settings
from api.models.analytics import HASH_LENGTH
from kkshared.pii import mask_pii

# The conversation-id prefixes of the channels (bot/channels/rest.py, kk.py, bot/sms/identity.py).
ANON_PREFIX = "anon:"
KK_PREFIX = "kk:"
SMS_PREFIX = "sms:"
# A sender id that looked like personal data is stored by the channels as "h:<keyed hash>".
HASHED_SENDER = "h:"


def analytics_key(settings: Settings) -> bytes:
    secret = settings.analytics_hmac_key or settings.jwt_secret
    return hmac.new(
        secret.encode("utf-8"), b"kk-analytics-conversation-key", hashlib.sha256
    ).digest()


class Hasher:
    """HMAC-SHA256, 32 hex digits, with one key per process."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def __call__(self, *parts: str) -> str:
        message = "\n".join(parts).encode("utf-8")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:HASH_LENGTH]

    def conversation_id(self, sender_id: str, started_at: float) -> str:
        return self("conversation", sender_id, repr(started_at))

    def sender_key(self, sender_id: str) -> str:
        return self("sender", sender_id)

    def feedback_key(self, conversation_ref: str) -> str:
        """The hash of a ``feedback.conversation_ref`` as stored (PII-masked)."""
        return self("feedback", conversation_ref)

    def feedback_key_for_sender(self, sender_id: str) -> str | None:
        """The hash of the reference the web chat sends with feedback for this conversation
        (web/widget/kk-chat.js: SHA-256 of ``kk-chat:<sender>``, 32 hex digits), as the case
        service stores it (``mask_pii``); None where the chat cannot send one (SMS, hashed ids)."""
        raw = client_sender(sender_id)
        if raw is None:
            return None
        ref = hashlib.sha256(("kk-chat:" + raw).encode("utf-8")).hexdigest()[:32]
        return self.feedback_key(mask_pii(ref))


def client_sender(sender_id: str) -> str | None:
    """The sender id the web chat chose (``anon:<s>``, ``kk:<sub>:<s>``), else None."""
    if sender_id.startswith(ANON_PREFIX):
        raw = sender_id[len(ANON_PREFIX) :]
    elif sender_id.startswith(KK_PREFIX):
        raw = sender_id[len(KK_PREFIX) :].partition(":")[2]
    else:
        return None
    if not raw or raw.startswith(HASHED_SENDER):
        return None
    return raw
