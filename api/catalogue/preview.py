"""Ask the Rasa server how it would answer a question with draft entries (before publishing).

``POST {KK_RASA_INTERNAL_URL}/webhooks/catalogue_preview/rank`` with ``X-Service-Token`` and a
``kkshared.catalogue.PreviewRequest``; the answer is a ``PreviewResult`` ranked by the same
classifier and answer tiers the bot uses. The Rasa side implements the endpoint.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from fastapi import FastAPI

from api.core.config import Settings
from kkshared.catalogue import PreviewRequest, PreviewResult

log = logging.getLogger("api.catalogue.preview")

PREVIEW_PATH = "/webhooks/catalogue_preview/rank"
TIMEOUT_SECONDS = 15.0


class PreviewUnavailable(Exception):
    """Rasa could not be reached or gave no usable answer; ``reason`` says which (no content)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PreviewClient:
    def __init__(self, settings: Settings, transport: httpx.BaseTransport | None = None) -> None:
        self.url = settings.rasa_internal_base_url + PREVIEW_PATH
        self.service_token = settings.service_token
        self.transport = transport

    def rank(self, request: PreviewRequest) -> PreviewResult:
        try:
            with httpx.Client(transport=self.transport, timeout=TIMEOUT_SECONDS) as client:
                response = client.post(
                    self.url,
                    json=request.to_json(),
                    headers={"X-Service-Token": self.service_token},
                )
        except httpx.HTTPError as error:
            log.warning(
                "catalogue preview: Rasa unreachable", extra={"error": type(error).__name__}
            )
            raise PreviewUnavailable("the Rasa server cannot be reached") from None
        if response.status_code != 200:
            log.warning("catalogue preview: Rasa answered", extra={"status": response.status_code})
            raise PreviewUnavailable(f"the Rasa server answered {response.status_code}")
        try:
            data: Any = response.json()
            return PreviewResult.from_json(data)
        except (ValueError, KeyError, TypeError):
            raise PreviewUnavailable(
                "the Rasa server gave an answer that is not a preview"
            ) from None


def preview_client(app: FastAPI) -> PreviewClient:
    """The app's client; tests put one with a fake transport in ``app.state.catalogue_preview``."""
    client = getattr(app.state, "catalogue_preview", None)
    if isinstance(client, PreviewClient):
        return client
    return PreviewClient(app.state.settings)
