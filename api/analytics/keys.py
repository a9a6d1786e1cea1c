"""Keyed hashes that stand in for conversation ids in the analytics tables.

The key is ``KK_ANALYTICS_HMAC_KEY``, else derived from ``KK_JWT_SECRET`` (HMAC with a fixed
label, so the hashes say nothing about the secret). Without the key a hash cannot be linked to a
sender id by trying candidates (anonymous ids are random, SMS ids are already keyed hashes of the
number, logged-in ids contain the pseudonymous user id). Changing the key starts new hashes:
conversations that go on across the change are counted twice, and feedback given after the change
for a conversation aggregated before it is not linked.

Speed (a first aggregation computes three hashes for each of 100,000 conversations): the HMAC is
computed from the key's inner and outer SHA-256 states, prepared once (RFC 2104: the key padded
to the block and XORed with 0x36 / 0x5c), so each hash costs two copies of a hash state and two
short updates instead of OpenSSL setting the key up again (``hmac.digest``: 1.6 us; this: 0.6 us;
``tests/api/test_analytics_writer.py`` compares it with ``hmac``); a sender's two keys are
computed once per run (``sender_keys`` keeps them); the web chat's reference, 32 hex digits, is
masked with ``mask_pii`` only when it could hold what ``mask_pii`` replaces
(``mask_hex_reference``).
"""

from __future__ import annotations

import hashlib
import hmac
import re

from api.core.config import Settings
from api.models.analytics import HASH_LENGTH
from kkshared.pii import mask_pii

# The conversation-id prefixes of the channels (bot/channels/rest.py, kk.py, bot/sms/identity.py).
ANON_PREFIX = "anon:"
KK_PREFIX = "kk:"
SMS_PREFIX = "sms:"
# A sender id that looked like personal data is stored by the channels as "h:<keyed hash>".
HASHED_SENDER = "h:"
_HASH_BYTES = HASH_LENGTH // 2
_HEX = re.compile(r"[0-9a-f]*")
# What mask_pii replaces needs an "@" (e-mail) or a separator between digits; without them, a
# run of at least eight digits (a phone number has eight, a CPR number ten).
_EIGHT_DIGITS = re.compile(r"[0-9]{8}")
_BLOCK = 64  # SHA-256's block size (RFC 2104's B)
_INNER_PAD = bytes(byte ^ 0x36 for byte in range(256))
_OUTER_PAD = bytes(byte ^ 0x5C for byte in range(256))


def analytics_key(settings: Settings) -> bytes:
    secret = settings.analytics_hmac_key or settings.jwt_secret
    return hmac.new(
        secret.encode("utf-8"), b"kk-analytics-conversation-key", hashlib.sha256
    ).digest()


class Hasher:
    """HMAC-SHA256, 32 hex digits, with one key per process."""

    def __init__(self, key: bytes) -> None:
        block = hashlib.sha256(key).digest() if len(key) > _BLOCK else key
        block = block.ljust(_BLOCK, b"\0")
        self._inner = hashlib.sha256(block.translate(_INNER_PAD))
        self._outer = hashlib.sha256(block.translate(_OUTER_PAD))
        self._senders: dict[str, tuple[str, str | None]] = {}

    def _mac(self, message: bytes) -> str:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()[:_HASH_BYTES].hex()

    def __call__(self, *parts: str) -> str:
        return self._mac("\n".join(parts).encode("utf-8"))

    def conversation_id(self, sender_id: str, started_at: float) -> str:
        return self._mac(f"conversation\n{sender_id}\n{started_at!r}".encode())

    def sender_keys(self, sender_id: str) -> tuple[str, str | None]:
        """(``sender_key``, ``feedback_key_for_sender``), kept for the hasher's life (one job
        run): the job needs them to find a sender's stored conversation and again when the
        sender starts one."""
        keys = self._senders.get(sender_id)
        if keys is None:
            keys = self._senders[sender_id] = (
                self._mac(f"sender\n{sender_id}".encode()),
                self.feedback_key_for_sender(sender_id),
            )
        return keys

    def sender_key(self, sender_id: str) -> str:
        return self.sender_keys(sender_id)[0]

    def feedback_key(self, conversation_ref: str) -> str:
        """The hash of a ``feedback.conversation_ref`` as stored (PII-masked)."""
        return self._mac(f"feedback\n{conversation_ref}".encode())

    def feedback_key_for_sender(self, sender_id: str) -> str | None:
        """The hash of the reference the web chat sends with feedback for this conversation
        (web/widget/kk-chat.js: SHA-256 of ``kk-chat:<sender>``, 32 hex digits), as the case
        service stores it (``mask_pii``); None where the chat cannot send one (SMS, hashed ids)."""
        raw = client_sender(sender_id)
        if raw is None:
            return None
        ref = hashlib.sha256(("kk-chat:" + raw).encode("utf-8")).hexdigest()[:32]
        return self.feedback_key(mask_hex_reference(ref))


def mask_hex_reference(ref: str) -> str:
    """``mask_pii(ref)`` for a string of lower-case hex digits, without running the patterns
    where they cannot match: a hex string has no "@" and no separators, so only a run of at least
    eight digits can look like a phone or CPR number (``tests/api/test_analytics_keys.py``
    compares this with ``mask_pii``)."""
    if _HEX.fullmatch(ref) is not None and _EIGHT_DIGITS.search(ref) is None:
        return ref
    return mask_pii(ref)


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
