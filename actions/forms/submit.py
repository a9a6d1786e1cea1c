"""Sending a confirmed form to the case service and reading the reference out."""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict

from rasa_sdk.executor import CollectingDispatcher

from kkshared.case_service import (
    CaseServiceBadRequest,
    CaseServiceError,
    CaseServiceNotFound,
)

logger = logging.getLogger(__name__)


async def submit_created(
    dispatcher: CollectingDispatcher,
    create: Callable[[], Awaitable[Dict[str, Any]]],
    *,
    done: str,
    failed: str,
) -> bool:
    """Run ``create``; say ``done`` with the reference, or ``failed`` with why. True if created."""
    try:
        created = await create()
    except (CaseServiceBadRequest, CaseServiceNotFound) as error:
        # e.g. the meeting was cancelled meanwhile, or the date passed at midnight.
        logger.warning("form refused by the case service: %s", error)
        dispatcher.utter_message(response=failed, why="Oplysningerne passer ikke længere (fx er samtalen aflyst eller datoen passeret).")
        return False
    except CaseServiceError as error:
        logger.warning("form not sent, case service unavailable: %s", type(error).__name__)
        dispatcher.utter_message(response=failed, why="Jeg kan ikke komme i kontakt med jobcentrets system lige nu.")
        return False
    reference = created.get("reference")
    if not reference:
        dispatcher.utter_message(response=failed, why="Jeg fik ikke en kvittering fra jobcentrets system.")
        return False
    dispatcher.utter_message(response=done, reference=reference)
    return True
