"""Every change this project makes to Rasa's own code, for exactly the Rasa version it was written
against; installed when the Rasa server loads our channels (``bot/channels/__init__.py``).

A patch replaces a private Rasa function, so it is only correct for the Rasa it was read from:
``install()`` refuses (``UnsupportedRasaVersion``) to patch any other version, and the Rasa
server then does not start. After upgrading Rasa, read the patched functions again, check each
patch still applies (and is still needed), and change ``RASA_VERSION``.

The patches:

- ``RemoteAction._validate_action_result`` (speed): Rasa validates every action-server response
  with ``jsonschema.validate``, which checks the schema itself against the JSON-Schema
  meta-schema on every call: about 80 ms of CPU per custom action on this machine, more than
  everything else in a turn together (measured with cProfile, see docs/load_benchmark.md). The
  schema never changes, so it is checked once and its validator reused; the validation of each
  response stays exactly the same (same errors, same message).
- ``MessageProcessor.fetch_tracker_and_update_session`` (correctness, SMS reminders): Rasa's HTTP
  API routes (``trigger_intent``, used by the reminder job, docs/reminders.md) start a new session
  without an output channel, so our ``action_session_start``, which utters the AI notice, fails
  (``None.name()``), the session is never started and no rule applies (the bot answered
  ``utter_default``). With no output channel the session start now gets a collecting one, and its
  messages (the AI notice) are kept for the request's output channel (``session_start_messages``;
  the SMS channel puts them first in the reminder).
- ``EndpointConfig.request`` (speed): Rasa opens a new aiohttp session, so a new TCP connection,
  for every call to an endpoint (each custom action's call to the action server): about a tenth
  of the event loop's time under load (py-spy, docs/load_benchmark.md). Calls now reuse one
  session per endpoint and event loop (keep-alive); the request itself (URL, headers, parameters,
  timeout, errors, the JSON it returns) is Rasa's. Idle connections are dropped after
  ``KEEPALIVE_SECONDS``, below the action server's keep-alive (Sanic's 5 s), so the client never
  reuses a connection the server is closing.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import lru_cache
from typing import Any

# The Rasa version the patches below were written for and tested with.
RASA_VERSION = "3.6.21"

_INSTALLED = False


class UnsupportedRasaVersion(RuntimeError):
    """The installed Rasa is not the version the patches were written for."""


def check_rasa_version(version: str) -> None:
    """Raise ``UnsupportedRasaVersion`` unless ``version`` is ``RASA_VERSION``."""
    if version != RASA_VERSION:
        raise UnsupportedRasaVersion(
            f"bot/rasa_patches.py patches Rasa {RASA_VERSION} internals, but Rasa {version} is "
            "installed: check each patch against this version's code, then update RASA_VERSION"
        )


@lru_cache(maxsize=1)
def _response_validator() -> Any:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    error = best_match(_response_validator().iter_errors(result))
    if error is None:
        return True
    if isinstance(error, ValidationError):
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            f"from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
    raise error


# Keep-alive to endpoints (the action server): idle connections are closed by the client after
# this many seconds, before the server's own keep-alive timeout (Sanic: 5 s) can close them.
KEEPALIVE_SECONDS = 2.0
# (url, headers, basic auth) -> (event loop, its session)
_SESSIONS: dict[tuple[str, str, str], tuple[Any, Any]] = {}


def _kept_session(endpoint: Any) -> Any:
    """The endpoint's session on the running event loop (made on first use; a new one for a new
    loop or after it was closed), with Rasa's headers, auth and timeout."""
    import asyncio

    import aiohttp
    from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT

    loop = asyncio.get_running_loop()
    key = (endpoint.url, repr(sorted((endpoint.headers or {}).items())), repr(endpoint.basic_auth))
    known = _SESSIONS.get(key)
    if known is not None and known[0] is loop and not known[1].closed:
        return known[1]
    auth = (
        aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
        if endpoint.basic_auth
        else None
    )
    session = aiohttp.ClientSession(
        headers=endpoint.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
    )
    _SESSIONS[key] = (loop, session)
    return session


async def _request(
    self: Any,
    method: str = "post",
    subpath: str | None = None,
    content_type: str | None = "application/json",
    compress: bool = False,
    **kwargs: Any,
) -> Any:
    """Rasa 3.6.21's ``EndpointConfig.request`` with the session kept (``_kept_session``)."""
    import os
    import ssl

    from aiohttp.client_exceptions import ContentTypeError
    from rasa.shared.exceptions import FileNotFoundException
    from rasa.utils.endpoints import ClientResponseError, concat_url

    headers = {}
    if content_type:
        headers["Content-Type"] = content_type
    if "headers" in kwargs:
        headers.update(kwargs["headers"])
        del kwargs["headers"]
    if self.headers:
        headers.update(self.headers)
    url = concat_url(self.url, subpath)
    sslcontext = None
    if self.cafile:
        try:
            sslcontext = ssl.create_default_context(cafile=self.cafile)
        except FileNotFoundError as e:
            raise FileNotFoundException(
                f"Failed to find certificate file, '{os.path.abspath(self.cafile)}' does not exist."
            ) from e
    async with _kept_session(self).request(
        method,
        url,
        headers=headers,
        params=self.combine_parameters(kwargs),
        compress=compress,
        ssl=sslcontext,
        **kwargs,
    ) as response:
        if response.status >= 400:
            raise ClientResponseError(
                response.status, response.reason, await response.content.read()
            )
        try:
            return await response.json()
        except ContentTypeError:
            return None


# The messages the session start of the current request uttered when Rasa gave it no output
# channel (per asyncio task: one request never sees another's).
_SESSION_START_MESSAGES: ContextVar[list[dict[str, Any]] | None] = ContextVar(
    "kk_session_start_messages", default=None
)


def session_start_messages() -> list[dict[str, Any]]:
    """Take what this request's session start uttered without an output channel (once)."""
    messages = _SESSION_START_MESSAGES.get() or []
    _SESSION_START_MESSAGES.set(None)
    return messages


def _patch_session_start(processor_cls: Any) -> None:
    from rasa.core.channels.channel import CollectingOutputChannel

    original = processor_cls.fetch_tracker_and_update_session

    async def fetch_tracker_and_update_session(
        self: Any, sender_id: str, output_channel: Any = None, metadata: Any = None
    ) -> Any:
        if output_channel is not None:
            return await original(self, sender_id, output_channel, metadata)
        collector = CollectingOutputChannel()
        tracker = await original(self, sender_id, collector, metadata)
        _SESSION_START_MESSAGES.set(list(collector.messages))
        return tracker

    processor_cls.fetch_tracker_and_update_session = fetch_tracker_and_update_session


def install() -> None:
    """Apply every patch (idempotent); ``UnsupportedRasaVersion`` on another Rasa version."""
    global _INSTALLED
    if _INSTALLED:
        return
    import rasa
    from rasa.core.actions.action import RemoteAction

    check_rasa_version(rasa.__version__)
    if not callable(getattr(RemoteAction, "_validate_action_result", None)):
        raise UnsupportedRasaVersion("RemoteAction._validate_action_result is gone")
    RemoteAction._validate_action_result = _validate_action_result
    from rasa.core.processor import MessageProcessor

    if not callable(getattr(MessageProcessor, "fetch_tracker_and_update_session", None)):
        raise UnsupportedRasaVersion("MessageProcessor.fetch_tracker_and_update_session is gone")
    _patch_session_start(MessageProcessor)
    from rasa.utils.endpoints import EndpointConfig

    if not callable(getattr(EndpointConfig, "request", None)):
        raise UnsupportedRasaVersion("EndpointConfig.request is gone")
    EndpointConfig.request = _request
    _INSTALLED = True
