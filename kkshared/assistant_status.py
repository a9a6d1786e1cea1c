"""The off switch as it crosses process boundaries: ``GET /assistant/status`` of the case service.

- ``AssistantStatus``: the typed answer ``{"paused": bool, "message": str, "phone": str | null}``
  (the case service builds it, the Rasa channels and the web chat read it);
- ``paused_reply``: the one message a channel answers with while the assistant is paused, with
  the marker ``{"custom": {"assistant_paused": true, "phone": ...}}`` the web chat reacts to;
- ``StatusCache``: what the Rasa server asks on every message. It asks the case service at most
  once per ``max_age`` seconds (default 3) and keeps the answer in between.

When the case service cannot be asked, the cache **fails open with memory**: it keeps the last
status it got (a paused assistant stays paused through a case-service outage), and with no
status at all (the Rasa server started while the case service was down) the assistant runs.
Why: the FAQ answers do not need the case service, so one outage should not silence the
assistant; the switch is for a deliberate decision, and a decision we have seen is kept
(docs/operations.md, "The off switch").

Standard library only (both Python environments); the HTTP call is the caller's (the Rasa side
passes ``kkshared.case_service.CaseServiceClient.assistant_status``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

STATUS_PATH = "/assistant/status"
DEFAULT_CACHE_SECONDS = 3.0
# The key of the reply element's ``custom`` that tells the web chat to show the pause notice.
PAUSED_MARKER = "assistant_paused"
MAX_MESSAGE_CHARS = 500


@dataclass(frozen=True)
class AssistantStatus:
    paused: bool
    message: str = ""  # what citizens are told while paused ("" while running)
    phone: str | None = None  # the job centre's number in the message, for a tel: link

    @classmethod
    def from_json(cls, data: Any) -> AssistantStatus:
        """The status from the case service's JSON; ``ValueError`` when it is not one."""
        if not isinstance(data, dict) or not isinstance(data.get("paused"), bool):
            raise ValueError("not an assistant status")
        message = data.get("message")
        phone = data.get("phone")
        if not isinstance(message, str) or (phone is not None and not isinstance(phone, str)):
            raise ValueError("not an assistant status")
        if data["paused"] and not message.strip():
            raise ValueError("a paused status needs a message")
        return cls(paused=data["paused"], message=message[:MAX_MESSAGE_CHARS], phone=phone)

    def to_json(self) -> dict[str, Any]:
        return {"paused": self.paused, "message": self.message, "phone": self.phone}


RUNNING = AssistantStatus(paused=False)


def paused_reply(status: AssistantStatus, recipient_id: str) -> list[dict[str, Any]]:
    """The answer to any message while paused (Rasa's REST shape: a list of elements)."""
    return [
        {
            "recipient_id": recipient_id,
            "text": status.message,
            "custom": {PAUSED_MARKER: True, "phone": status.phone},
        }
    ]


class StatusCache:
    """The current status, asked from the case service at most once per ``max_age`` seconds.

    ``fetch`` returns an ``AssistantStatus`` or raises (any exception: unreachable, refused,
    unreadable). While one caller refreshes, others get the last known status at once.
    """

    def __init__(
        self,
        fetch: Callable[[], Awaitable[AssistantStatus]],
        max_age: float = DEFAULT_CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self.max_age = max_age
        self._clock = clock
        self._known: AssistantStatus | None = None
        self._checked_at: float | None = None
        self._refreshing = False
        self._failing = False

    @property
    def known(self) -> AssistantStatus | None:
        """The last status the case service gave (None: never reached)."""
        return self._known

    async def current(self) -> AssistantStatus:
        now = self._clock()
        fresh = self._checked_at is not None and now - self._checked_at < self.max_age
        if fresh or (self._refreshing and self._known is not None):
            return self._known or RUNNING
        self._refreshing = True
        try:
            status = await self._fetch()
        except Exception as error:  # fail open with memory (module docstring)
            if not self._failing:
                logger.warning(
                    "assistant status: the case service cannot be asked (%s); %s",
                    type(error).__name__,
                    "keeping the last known status" if self._known else "the assistant runs",
                )
            self._failing = True
        else:
            if self._failing:
                logger.info("assistant status: the case service answers again")
            self._failing = False
            if self._known is None or status.paused != self._known.paused:
                logger.info("assistant status: %s", "paused" if status.paused else "running")
            self._known = status
        finally:
            self._refreshing = False
            self._checked_at = self._clock()
        return self._known or RUNNING
