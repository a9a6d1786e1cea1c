"""The editors' preview: how the assistant would answer a question with draft catalogue entries,
before they are published (``POST /webhooks/catalogue_preview/rank``).

The case service's editor pages call it server to server with ``X-Service-Token`` (compared in
constant time with ``KK_SERVICE_TOKEN``; 401 without or with another one). The body is a
``kkshared.catalogue.PreviewRequest`` (a question, draft versions of entries, ids to leave out);
the answer a ``PreviewResult``, made by the running classifier's own ranking and answer tiers over
a copy of its live index with the drafts laid over it (``DanishRetrievalClassifier.preview``):
what the bot answers is not changed. The question is masked like a chat message (CPR, phone,
e-mail) before it is ranked, and neither it nor the drafts are logged.

When the Rasa server has started, this channel also starts the classifier's polling of the live
catalogue (``serve_live_catalogue``): only a running server polls, never ``rasa train`` or a
script that loads the model. So this channel must stay in bot/credentials.yml.

Errors are ``{"detail": "<reason>"}``: 400 (not a JSON object, a bad question), 401, 413 (body
over ``MAX_BODY_BYTES``), 422 (a field the contract does not allow, with its name), 503 (no
model loaded yet).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.common import ChannelInputError, mask_message, validate_text
from bot.nlu.retrieval_classifier import live_classifier, serve_live_catalogue
from bot.settings import CatalogueSettings, load_settings
from kkshared.catalogue import CatalogueEntry, PreviewRequest
from kkshared.catalogue_yaml import ENTRY_ID

logger = logging.getLogger(__name__)

TOKEN_HEADER = "X-Service-Token"
MAX_BODY_BYTES = 512 * 1024
MAX_DRAFTS = 50
MAX_QUESTION_CHARS = 1000
MAX_EXAMPLES = 200


class PreviewInputError(ValueError):
    """The request cannot be previewed; ``status`` and a reason for the caller."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _error(status: int, reason: str) -> HTTPResponse:
    return response.json({"detail": reason}, status=status)


def _check_entry(entry: CatalogueEntry, where: str) -> None:
    if not ENTRY_ID.match(entry.id):
        raise PreviewInputError(422, f"{where}.id must be lowercase letters, digits, _ or -")
    for name in ("title", "answer"):
        if not getattr(entry, name).strip():
            raise PreviewInputError(422, f"{where}.{name} must not be empty")
    if len(entry.examples) > MAX_EXAMPLES:
        raise PreviewInputError(422, f"{where}.examples: at most {MAX_EXAMPLES}")
    if not all(isinstance(x, str) and x.strip() for x in entry.examples):
        raise PreviewInputError(422, f"{where}.examples must be non-empty texts")


def parse_request(body: bytes) -> PreviewRequest:
    """The preview request in ``body``, checked; ``PreviewInputError`` says what is wrong."""
    if len(body) > MAX_BODY_BYTES:
        raise PreviewInputError(413, f"body too large (at most {MAX_BODY_BYTES} bytes)")
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError) as error:
        raise PreviewInputError(400, "body must be JSON") from error
    if not isinstance(data, dict):
        raise PreviewInputError(400, "body must be a JSON object")
    try:
        question = validate_text(data.get("question"), MAX_QUESTION_CHARS)
    except ChannelInputError as error:
        raise PreviewInputError(422, error.reason.replace("'message'", "question")) from error
    drafts, left_out = data.get("drafts") or [], data.get("left_out") or []
    if not isinstance(drafts, list) or not all(isinstance(d, dict) for d in drafts):
        raise PreviewInputError(422, "drafts must be a list of catalogue entries")
    if len(drafts) > MAX_DRAFTS:
        raise PreviewInputError(422, f"drafts: at most {MAX_DRAFTS}")
    if not isinstance(left_out, list) or not all(isinstance(i, str) for i in left_out):
        raise PreviewInputError(422, "left_out must be a list of entry ids")
    try:
        request = PreviewRequest.from_json({**data, "question": question})
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        field = f" ({error})" if isinstance(error, KeyError) else ""
        raise PreviewInputError(422, f"drafts: an entry lacks a field{field}") from error
    for number, draft in enumerate(request.drafts):
        _check_entry(draft, f"drafts[{number}]")
    return request


class CataloguePreviewInput(InputChannel):
    """``POST /webhooks/catalogue_preview/rank`` (service token only); not a chat channel."""

    @classmethod
    def name(cls) -> str:
        return "catalogue_preview"

    def __init__(self, settings: CatalogueSettings | None = None) -> None:
        self.settings = settings or load_settings().catalogue
        self.service_token = self.settings.service_token

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> CataloguePreviewInput:
        return cls()

    def authorised(self, request: Request) -> bool:
        given = request.headers.get(TOKEN_HEADER) or ""
        return hmac.compare_digest(given.encode(), self.service_token.encode())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        preview = Blueprint("catalogue_preview_webhook", __name__)

        @preview.listener("after_server_start")
        async def start_live_catalogue(app: Any, loop: Any) -> None:
            # The server runs: the classifier starts polling the live catalogue (in `rasa train`,
            # tests and scripts that load a model, nothing polls).
            serve_live_catalogue(self.settings)

        @preview.route("/rank", methods=["POST"])
        async def rank(request: Request) -> HTTPResponse:
            if not self.authorised(request):
                logger.warning("catalogue preview without a valid %s refused", TOKEN_HEADER)
                return _error(401, f"missing or wrong {TOKEN_HEADER}")
            try:
                parsed = parse_request(request.body)
            except PreviewInputError as error:
                return _error(error.status, error.reason)
            classifier = live_classifier()
            if classifier is None:
                return _error(503, "no model loaded yet; try again in a minute")
            masked = PreviewRequest(
                mask_message(parsed.question).text, parsed.drafts, parsed.left_out
            )
            # Building the overlay index takes a moment (and e5 for new texts): not on the loop.
            result = await asyncio.get_running_loop().run_in_executor(
                None, classifier.preview, masked
            )
            return response.json(result.to_json())

        return preview
