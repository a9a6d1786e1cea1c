"""Handing the citizen over to a human: the right phone line and whether someone answers now.

Phone numbers and opening status come from the case service (``GET /locations``,
``GET /locations/{id}/status``). Ydelsesservice (payments) is offered first, then the job centre's
phone line. Outside opening hours the citizen is told when it opens again. When the case service
is slow or down, a fixed Danish text points to kk.dk within ``DEADLINE_SECONDS``.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.client import get_client
from actions.language import conversation_language
from kkshared.case_service import CaseServiceClient, CaseServiceError
from kkshared.formatting import COPENHAGEN, format_datetime, format_time, parse_moment

logger = logging.getLogger(__name__)

# Everything the handover fetches must be done by then; the answer is never later than ~3 s.
DEADLINE_SECONDS = 2.5
# Which lines to offer, in order: (kind, preferred channel).
WANTED = (("ydelsesservice", "telefon"), ("jobcenter", "telefon"))


def pick_locations(locations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ydelsesservice and the job centre, preferring their phone lines; at most one of each."""
    chosen: list[dict[str, Any]] = []
    for kind, channel in WANTED:
        of_kind = [loc for loc in locations if loc.get("kind") == kind and loc.get("id")]
        if not of_kind:
            continue
        preferred = [loc for loc in of_kind if loc.get("channel") == channel]
        chosen.append((preferred or of_kind)[0])
    return chosen


def location_message(
    location: dict[str, Any], status: dict[str, Any] | None, language: str = "da"
) -> dict[str, Any]:
    """The response (name + template variables) describing one location's phone and status;
    times in ``language`` (the response itself follows the language slot)."""
    name = location.get("name") or location.get("id")
    phone = location.get("phone")
    if not phone:
        return {"response": "utter_handover_location_no_phone", "name": name}
    if status is None:
        return {"response": "utter_handover_location_phone", "name": name, "phone": phone}
    if status.get("open"):
        closes = parse_moment(status.get("closes_at"))
        if closes is not None:
            return {
                "response": "utter_handover_location_open",
                "name": name,
                "phone": phone,
                "closes_at": format_time(closes, language),
            }
        return {"response": "utter_handover_location_phone", "name": name, "phone": phone}
    next_open = parse_moment(status.get("next_opening"))
    if next_open is not None:
        return {
            "response": "utter_handover_location_closed",
            "name": name,
            "phone": phone,
            "next_open": format_datetime(next_open, language),
        }
    return {"response": "utter_handover_location_closed_unknown", "name": name, "phone": phone}


async def _fetch(client: CaseServiceClient, now: datetime, language: str) -> list[dict[str, Any]]:
    locations = pick_locations(await client.list_locations())
    if not locations:
        raise CaseServiceError("no handover locations")
    statuses = await asyncio.gather(
        *(client.location_status(loc["id"], now) for loc in locations), return_exceptions=True
    )
    messages = []
    for location, status in zip(locations, statuses, strict=True):
        known: dict[str, Any] | None = None
        if isinstance(status, BaseException):
            logger.warning(
                "status of %s unavailable: %s", location.get("id"), type(status).__name__
            )
        else:
            known = status
        messages.append(location_message(location, known, language))
    if not all(loc.get("verified", False) for loc in locations):
        messages.append({"response": "utter_handover_unverified"})
    return messages


async def handover_messages(
    client: CaseServiceClient | None = None, now: datetime | None = None, language: str = "da"
) -> list[dict[str, Any]]:
    """The handover responses; a single fallback response when the case service fails."""
    client = client or get_client()
    now = now or datetime.now(COPENHAGEN)
    try:
        return await asyncio.wait_for(_fetch(client, now, language), timeout=DEADLINE_SECONDS)
    except (CaseServiceError, asyncio.TimeoutError) as error:
        logger.warning("handover without case service: %s", type(error).__name__)
        return [{"response": "utter_handover_unavailable"}]


async def utter_handover(
    dispatcher: CollectingDispatcher,
    intro: str | None,
    client: CaseServiceClient | None = None,
    language: str = "da",
) -> None:
    """Send the intro response (if any) and the handover responses."""
    if intro:
        dispatcher.utter_message(response=intro)
    for message in await handover_messages(client, language=language):
        response = message.pop("response")
        dispatcher.utter_message(response=response, **message)


class ActionHandover(Action):
    """Offer the right human channel (phone, and when someone answers)."""

    def name(self) -> str:
        return "action_handover"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        # After an insult the rule has already said utter_deescalate, which ends with a colon.
        intro = None if intent == "insult" else "utter_handover_intro"
        await utter_handover(dispatcher, intro, language=conversation_language(tracker))
        return []
