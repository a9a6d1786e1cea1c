"""The verified identity the Rasa server's channels hand to the action server.

Contract between the two processes (docs/architecture.md, "Identity"): a channel that verified
who is writing attaches ``{"kk": {"channel", "subject", "role"}}`` as the metadata of the user
message; the actions read it back from the latest user message. Both sides use this class, so
the shape is written in one place:

- built by the web channels (``bot/channels/base.py``, from a verified token) and the SMS
  channel (``bot/sms/identity.py``, from a number registered in the case service) with
  ``to_metadata``;
- read by the actions (``actions/identity.py``) with ``from_metadata``, which is tolerant:
  anything malformed (no ``kk`` object, a subject that is not a non-empty string, an unknown
  role) is an anonymous caller on the channel it names, never an error and never a partial
  identity.

``subject`` is the case service's pseudonymous user id; it is None for anonymous callers (web
chat without login, an SMS from a number nobody registered). Standard library and
``kkshared.user_tokens`` only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kkshared.user_tokens import ROLES, STAFF_ROLES

METADATA_KEY = "kk"


@dataclass(frozen=True)
class ChannelIdentity:
    """Who is writing, as a channel verified it (anonymous when ``subject`` is None)."""

    channel: str | None = None
    subject: str | None = None
    role: str | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.subject is None

    @property
    def is_citizen(self) -> bool:
        return self.subject is not None and self.role == "citizen"

    @property
    def is_staff(self) -> bool:
        """Caseworkers, jurists and admins: allowed into the legal mode."""
        return self.subject is not None and self.role in STAFF_ROLES

    @property
    def over_sms(self) -> bool:
        return self.channel == "sms"

    def verified_subject(self) -> str:
        """The subject of a caller already checked to be logged in (``is_citizen``/``is_staff``);
        calling it for an anonymous caller is a programming error."""
        if self.subject is None:
            raise ValueError("an anonymous caller has no subject")
        return self.subject

    def to_metadata(self) -> dict[str, Any]:
        """The message metadata for the actions: ``{"kk": {"channel", "subject", "role"}}``."""
        return {METADATA_KEY: {"channel": self.channel, "subject": self.subject, "role": self.role}}

    @classmethod
    def from_metadata(cls, metadata: Any, channel: str | None = None) -> ChannelIdentity:
        """The identity in a message's metadata; ``channel`` (Rasa's ``input_channel``) when the
        metadata names none. Malformed or missing metadata is an anonymous caller."""
        data = metadata.get(METADATA_KEY) if isinstance(metadata, Mapping) else None
        if not isinstance(data, Mapping):
            return cls(channel=channel)
        named = data.get("channel")
        if isinstance(named, str) and named:
            channel = named
        subject = data.get("subject")
        role = data.get("role")
        if not isinstance(subject, str) or not subject or role not in ROLES:
            return cls(channel=channel)
        return cls(channel=channel, subject=subject, role=role)
