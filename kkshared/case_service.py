"""The one client for the case service (api/, contract in docs/architecture.md), used by the
action server (``actions/``) and by the Rasa server's SMS channel (``bot/sms/``).

One class per external service, as in RasaHQ/helpdesk-assistant's ``actions/snow.py``: all HTTP
details live here, every call has a short timeout, and failures come out as a few normalised
exceptions the callers turn into Danish text or a retry:

- ``CaseServiceUnavailable``: connection refused, timeout, 5xx, 408/429, unreadable answer;
- ``CaseServiceNotFound``: 404;
- ``CaseServiceUnauthorized``: 401/403 (wrong service token, or subject not allowed);
- ``CaseServiceBadRequest``: other 4xx.

The citizen's own meetings, payments, plan and caseworker come back as the typed models of
``kkshared.case_models``, parsed here; other answers are still JSON objects.

Needs aiohttp (installed with the ``bot`` extra; the case service itself never imports this).
One HTTP session per event loop is kept open (keep-alive to the case service).

Configuration comes from the process that uses the client (this module reads no environment):
the base URL (``KK_API_URL``) and the service token (``KK_SERVICE_TOKEN``, sent as
``X-Service-Token``) from ``actions/settings.py`` (the action server's one client is
``actions.client.get_client()``) or ``bot/settings.py`` (the SMS channel). Calls for a logged-in
user add ``X-Subject`` with the subject the channel verified (``actions/identity.py``); the case
service takes the role from its own users table.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from urllib.parse import quote

import aiohttp

from kkshared.assistant_status import STATUS_PATH, AssistantStatus
from kkshared.case_models import Caseworker, Meeting, Payment, PlanItem
from kkshared.defaults import DEFAULT_API_URL, DEFAULT_SERVICE_TOKEN
from kkshared.formatting import COPENHAGEN

logger = logging.getLogger(__name__)

# Total time for one HTTP call from a chat turn; a handover makes at most a few, under an overall
# deadline. A batch job that no one waits for (the reminder job) passes a longer one.
DEFAULT_TIMEOUT_SECONDS = 2.0
LOCATIONS_CACHE_SECONDS = 300.0


class CaseServiceError(Exception):
    """Base class of all case-service failures (messages never contain user data)."""


class CaseServiceUnavailable(CaseServiceError):
    """The case service could not be reached or answered with a server error.

    ``may_have_arrived`` is False only when the request certainly did not reach the service
    (connection refused, 408/429): after a timeout or a 5xx a create may have been committed.
    """

    def __init__(self, message: str, *, may_have_arrived: bool = True) -> None:
        super().__init__(message)
        self.may_have_arrived = may_have_arrived


class CaseServiceNotFound(CaseServiceError):
    """The case service answered 404."""


class CaseServiceUnauthorized(CaseServiceError):
    """The case service answered 401 or 403."""


class CaseServiceBadRequest(CaseServiceError):
    """The case service refused the request (400, 413, 422)."""


_Model = TypeVar("_Model")


def _parsed(
    path: str, parse: Callable[[dict[str, Any]], _Model], items: list[dict[str, Any]]
) -> list[_Model]:
    """``items`` as typed models (``kkshared.case_models``); a value the contract does not allow
    is an unreadable answer."""
    try:
        return [parse(item) for item in items]
    except ValueError as error:
        raise CaseServiceUnavailable(f"unexpected answer for {path} ({error})") from error


@dataclass(frozen=True)
class CitizenMatch:
    """A citizen found by phone number (``GET /service/citizens/by-phone/{msisdn}``)."""

    citizen_id: str
    user_id: str | None  # the subject the actions use as X-Subject; None without a login user
    sms_opt_out: bool


class CaseServiceClient:
    """Async client for the case service's HTTP API."""

    def __init__(
        self,
        base_url: str | None = None,
        service_token: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self.base_url = (base_url or DEFAULT_API_URL).rstrip("/")
        self.service_token = service_token or DEFAULT_SERVICE_TOKEN
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, not {timeout}")
        self.timeout = timeout
        self._locations: list[dict[str, Any]] | None = None
        self._locations_fetched_at = 0.0
        self._session: aiohttp.ClientSession | None = None
        self._session_loop: asyncio.AbstractEventLoop | None = None

    def _get_session(self) -> aiohttp.ClientSession:
        """The kept-open session of the running event loop (a new one when the loop changed)."""
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._session_loop is not loop:
            self._drop_session()
            timeout = aiohttp.ClientTimeout(total=self.timeout, connect=min(1.0, self.timeout))
            self._session = aiohttp.ClientSession(timeout=timeout)
            self._session_loop = loop
        return self._session

    def _drop_session(self) -> None:
        """Forget a session of another (finished) event loop without an "unclosed" warning."""
        old, self._session = self._session, None
        if old is not None and not old.closed:
            connector = old.connector
            old.detach()
            if connector is not None:
                connector._close()  # synchronous: the old loop may be gone

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _headers(self, subject: str | None = None) -> dict[str, str]:
        headers = {"X-Service-Token": self.service_token, "Accept": "application/json"}
        if subject:
            headers["X-Subject"] = subject
        return headers

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: dict[str, Any] | None = None,
        subject: str | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        url = f"{self.base_url}{path}"
        headers = self._headers(subject)
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        try:
            async with self._get_session().request(
                method, url, params=params, json=json, headers=headers
            ) as response:
                status = response.status
                if status == 404:
                    raise CaseServiceNotFound(path)
                if status in (401, 403):
                    raise CaseServiceUnauthorized(f"{status} for {path}")
                if status in (408, 429):
                    raise CaseServiceUnavailable(f"{status} for {path}", may_have_arrived=False)
                if status >= 500:
                    raise CaseServiceUnavailable(f"{status} for {path}")
                if 400 <= status < 500:
                    raise CaseServiceBadRequest(f"{status} for {path}")
                return await response.json(content_type=None)
        except CaseServiceError:
            raise
        except aiohttp.ClientConnectorError as error:  # nothing was sent
            raise CaseServiceUnavailable(
                f"{type(error).__name__} for {path}", may_have_arrived=False
            ) from error
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise CaseServiceUnavailable(f"{type(error).__name__} for {path}") from error

    async def _get(
        self,
        path: str,
        params: dict[str, str] | None = None,
        subject: str | None = None,
    ) -> Any:
        return await self._request("GET", path, params=params, subject=subject)

    async def _get_dict(self, path: str, **kwargs: Any) -> dict[str, Any]:
        data = await self._get(path, **kwargs)
        if not isinstance(data, dict):
            raise CaseServiceUnavailable(f"unexpected answer for {path}")
        return data

    async def _get_list(self, path: str, **kwargs: Any) -> list[dict[str, Any]]:
        data = await self._get(path, **kwargs)
        if isinstance(data, dict):  # tolerate {"items": [...]} as well as a bare list
            data = data.get("items") or []
        if not isinstance(data, list):
            raise CaseServiceUnavailable(f"unexpected answer for {path}")
        return [item for item in data if isinstance(item, dict)]

    async def _post(
        self, path: str, body: dict[str, Any], subject: str, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        data = await self._request(
            "POST", path, json=body, subject=subject, idempotency_key=idempotency_key
        )
        if not isinstance(data, dict):
            raise CaseServiceUnavailable(f"unexpected answer for {path}")
        return data

    # Public data ---------------------------------------------------------------------------

    async def health(self) -> dict[str, Any]:
        return await self._get_dict("/health")

    async def list_locations(self) -> list[dict[str, Any]]:
        """All locations (cached for five minutes; they rarely change)."""
        now = time.monotonic()
        if (
            self._locations is not None
            and now - self._locations_fetched_at < LOCATIONS_CACHE_SECONDS
        ):
            return self._locations
        data = await self._get("/locations")
        if isinstance(data, dict):  # tolerate {"locations": [...]} as well as a bare list
            data = data.get("locations") or data.get("items") or []
        if not isinstance(data, list):
            raise CaseServiceUnavailable("unexpected /locations answer")
        self._locations = [item for item in data if isinstance(item, dict)]
        self._locations_fetched_at = now
        return self._locations

    async def assistant_status(self) -> AssistantStatus:
        """The off switch (``GET /assistant/status``; callers cache it: ``StatusCache``)."""
        data = await self._get_dict(STATUS_PATH)
        try:
            return AssistantStatus.from_json(data)
        except ValueError as error:
            raise CaseServiceUnavailable(f"unexpected answer for {STATUS_PATH}") from error

    async def get_location(self, location_id: str) -> dict[str, Any]:
        return await self._get_dict(f"/locations/{quote(location_id, safe='')}")

    async def location_status(self, location_id: str, at: datetime | None = None) -> dict[str, Any]:
        """Opening status of a location at ``at`` (default: now, Copenhagen time)."""
        moment = (at or datetime.now(COPENHAGEN)).isoformat(timespec="seconds")
        return await self._get_dict(
            f"/locations/{quote(location_id, safe='')}/status", params={"at": moment}
        )

    async def location_day(self, location_id: str, day: date) -> dict[str, Any]:
        """Opening hours of a location on one date (holidays and closures included)."""
        return await self._get_dict(
            f"/locations/{quote(location_id, safe='')}/days/{day.isoformat()}"
        )

    # The logged-in user's own data (service token + X-Subject from a verified token) ----------

    async def me(self, subject: str) -> dict[str, Any]:
        return await self._get_dict("/me", subject=subject)

    async def upcoming_meetings(self, subject: str) -> list[Meeting]:
        items = await self._get_list("/me/meetings", params={"upcoming": "true"}, subject=subject)
        return _parsed("/me/meetings", Meeting.from_json, items)

    async def upcoming_payments(self, subject: str) -> list[Payment]:
        items = await self._get_list("/me/payments", params={"upcoming": "true"}, subject=subject)
        return _parsed("/me/payments", Payment.from_json, items)

    async def plan(self, subject: str) -> list[PlanItem]:
        """The items of the citizen's plan (Min Plan)."""
        items = await self._get_list("/me/plan", subject=subject)
        return _parsed("/me/plan", PlanItem.from_json, items)

    async def caseworker(self, subject: str) -> Caseworker:
        data = await self._get_dict("/me/caseworker", subject=subject)
        return _parsed("/me/caseworker", Caseworker.from_json, [data])[0]

    # The creates take an ``Idempotency-Key``: sent again with the same key and body, the case
    # service answers with the record it made the first time instead of making a second one.

    async def create_absence_report(
        self, subject: str, body: dict[str, Any], idempotency_key: str | None = None
    ) -> dict[str, Any]:
        return await self._post("/me/absence-reports", body, subject, idempotency_key)

    async def create_reschedule_request(
        self, subject: str, body: dict[str, Any], idempotency_key: str | None = None
    ) -> dict[str, Any]:
        return await self._post("/me/reschedule-requests", body, subject, idempotency_key)

    async def create_message(
        self, subject: str, body: dict[str, Any], idempotency_key: str | None = None
    ) -> dict[str, Any]:
        return await self._post("/me/messages", body, subject, idempotency_key)

    async def set_preferred_language(self, subject: str, language: str) -> None:
        """Store the language the citizen chose (``PUT /me/language``; "da" or "en")."""
        await self._request("PUT", "/me/language", json={"language": language}, subject=subject)

    # Service calls of the SMS channel (service token only, no subject) ----------------------

    async def citizen_by_phone(self, msisdn_e164: str) -> CitizenMatch | None:
        """The citizen registered with this phone number, or None (unknown or not a number the
        case service accepts). A refused service token counts as unavailable (and is logged)."""
        try:
            body = await self._get_dict(f"/service/citizens/by-phone/{quote(msisdn_e164, safe='')}")
        except (CaseServiceNotFound, CaseServiceBadRequest):
            return None
        except CaseServiceUnauthorized as error:
            logger.error("the case service refused the service token (%s)", error)
            raise CaseServiceUnavailable("service token refused") from error
        if not body.get("citizen_id"):
            raise CaseServiceUnavailable("unexpected by-phone answer")
        user_id = body.get("user_id")
        return CitizenMatch(
            citizen_id=str(body["citizen_id"]),
            user_id=str(user_id) if user_id else None,
            sms_opt_out=bool(body.get("sms_opt_out")),
        )

    async def set_sms_opt_out(self, citizen_id: str, opt_out: bool) -> None:
        """Store STOP/START in the case service (a citizen who is gone is ignored)."""
        try:
            await self._request(
                "POST",
                f"/service/citizens/{quote(citizen_id, safe='')}/sms-opt-out",
                json={"opt_out": opt_out},
            )
        except CaseServiceNotFound:
            return
        except (CaseServiceUnauthorized, CaseServiceBadRequest) as error:
            logger.error("sms opt-out refused by the case service (%s)", error)
            raise CaseServiceUnavailable("opt-out refused") from error

    # Legal guidance (staff, jurist, admin) -------------------------------------------------

    async def legal_ask(
        self, subject: str, question: str, escalate: bool = False, context: str | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"question": question, "escalate": escalate}
        if context:
            body["context"] = context
        return await self._post("/legal/ask", body, subject)

    async def legal_my_questions(self, subject: str) -> list[dict[str, Any]]:
        return await self._get_list("/legal/my-questions", subject=subject)

    async def legal_mark_seen(self, subject: str, ticket_id: str) -> dict[str, Any]:
        return await self._post(
            f"/legal/my-questions/{quote(ticket_id, safe='')}/seen", {}, subject
        )
