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
  the SMS channel puts them first in the reminder). The collector has the name of the channel a
  ``trigger_intent`` request asks for (``output_channel=sms``: ``remember_trigger_request``
  below), so the notice is that channel's variant (the short SMS one).
- ``MessageProcessor.log_message`` and ``_update_tracker_session`` (correctness, issue 20): Rasa
  starts a new session (``action_session_start`` utters the AI notice) before the message that
  started it is parsed, so the notice followed the old session's ``language`` slot: Danish before
  the answer to a first message in English. When a message starts a session and says which
  language it is in (``bot.nlu.retrieval_classifier.opening_language``: "ENGLISH", or English
  text), the slot is set to that language just before the session starts, where Rasa sets
  ``session_started_metadata`` (Rasa's function with that one addition). The new session's slots
  start over as before, and the classifier sets the slot from the message again. A session that
  the reminder job's ``trigger_intent`` starts takes the ``language`` entity of that request
  (``remember_trigger_request``, a request middleware the SMS channel registers: the route
  starts the session before it reads the entities). A session started by a message that says
  nothing ("ok", "1"), or by another API call, keeps the old slot's notice.
- ``EndpointConfig.request`` (speed): Rasa opens a new aiohttp session, so a new TCP connection,
  for every call to an endpoint (each custom action's call to the action server): about a tenth
  of the event loop's time under load (py-spy, docs/load_benchmark.md). Calls now reuse one
  session per endpoint and event loop (keep-alive); the request itself (URL, headers, parameters,
  timeout, errors, the JSON it returns) is Rasa's. Idle connections are dropped after
  ``KEEPALIVE_SECONDS``, below the action server's keep-alive (Sanic's 5 s), so the client never
  reuses a connection the server is closing. The session encodes request bodies (the whole
  tracker, every action call) with ``bot.json_codec`` (ujson) instead of ``json.dumps``.
- ``RemoteAction._validate_action_result``, again (speed): even with the reused validator,
  jsonschema's ``iter_errors`` over the event schema's ``oneOf`` cost ~3 % of the event loop.
  A check compiled once from the same schema (``_compile_fast_check``: type, const, properties,
  required, items and a oneOf discriminated by ``"event"``) accepts the plain responses our
  action server sends; it only ever says "valid" for what the schema accepts, and everything it
  is not sure of (another shape, an invalid response) goes through the full validation above.
- ``rasa.core.processor.DaskGraphRunner`` (speed): the server's model (NLU and policy graphs,
  run several times per message) runs with ``bot.graph_runner.SequentialGraphRunner``, which
  calls the graph's nodes in dask's order without dask's per-run scheduling (~12 % of the event
  loop): same results, same exceptions. Training (``rasa.model_training``) still uses dask.
- ``RulePolicy._is_rule_applicable`` (speed): called for every rule key and every turn of the
  conversation on each prediction, it copied the rule's states into a reversed list each time
  (~3 % of the event loop, py-spy). The reversed states are kept per rule key (read-only, like
  the list Rasa builds); the checks after that are Rasa's, line for line.
- ``RulePolicy._get_possible_keys`` (speed): Rasa filters the rule keys against every state of
  the conversation, newest first, even once none is left; the patch stops there (same keys).

Training has one patch of its own, in ``bot/nlu/training_patches.py`` (installed by
``bot.nlu.training_progress``, the command ``./kk run`` trains with; same version check):
``validate_yaml_schema`` is skipped for a YAML text that already passed it (a retrain after one
changed entry, issue 16).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel
from rasa.shared.core.constants import PREVIOUS_ACTION

from bot import json_codec
from kkshared.i18n import LANGUAGE_SLOT, LANGUAGES, Language

# The Rasa version the patches below were written for and tested with.
RASA_VERSION = "3.6.21"

_INSTALLED = False


class UnsupportedRasaVersion(RuntimeError):
    """The installed Rasa is not the version the patches were written for."""


def patch_target(owner: Any, name: str, label: str) -> Any:
    """``owner.name``, the function a patch replaces; ``UnsupportedRasaVersion`` when Rasa no
    longer has it (``label``: how the message names it)."""
    target = getattr(owner, name, None)
    if not callable(target):
        raise UnsupportedRasaVersion(f"{label} is gone")
    return target


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


# A check compiled from a JSON schema that returns True only for instances the schema accepts
# (False: not sure, validate them in full).
_FastCheck = Callable[[Any], bool]

# JSON-Schema types, each checked on exactly the Python types that have it (an int subclass other
# than bool, a float with an integral value as "integer", ...: not sure, so full validation).
_FAST_TYPES: dict[str, _FastCheck] = {
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "string": lambda x: isinstance(x, str),
    "null": lambda x: x is None,
    "boolean": lambda x: isinstance(x, bool),
    "number": lambda x: type(x) is int or type(x) is float,
    "integer": lambda x: type(x) is int,
}


def _never(instance: Any) -> bool:
    return False


def _compile_fast_check(schema: Any) -> _FastCheck:
    """The fast check of ``schema`` (draft 2020-12, as Rasa's schema is validated): the keywords
    type, const (a string), properties, required, items (one schema) and a oneOf whose branches
    each fix one property to a different string const (Rasa's event schemas: ``"event"``).
    A (sub)schema with any other keyword is never fast (``_never``)."""
    if not isinstance(schema, dict):
        return _never
    if set(schema) - {"type", "const", "properties", "required", "items", "oneOf"}:
        return _never
    checks: list[_FastCheck] = []
    if "type" in schema:
        names = [schema["type"]] if isinstance(schema["type"], str) else schema["type"]
        if not isinstance(names, list) or not all(n in _FAST_TYPES for n in names):
            return _never
        types = [_FAST_TYPES[n] for n in names]
        checks.append(lambda x: any(t(x) for t in types))
    if "const" in schema:
        const = schema["const"]
        if not isinstance(const, str):
            return _never
        checks.append(lambda x: isinstance(x, str) and x == const)
    if "properties" in schema:
        properties = schema["properties"]
        if not isinstance(properties, dict):
            return _never
        compiled = [(key, _compile_fast_check(sub)) for key, sub in properties.items()]
        checks.append(
            lambda x: not isinstance(x, dict) or all(c(x[k]) for k, c in compiled if k in x)
        )
    if "required" in schema:
        required = schema["required"]
        if not isinstance(required, list):
            return _never
        checks.append(lambda x: not isinstance(x, dict) or all(k in x for k in required))
    if "items" in schema:
        item_check = _compile_fast_check(schema["items"])
        checks.append(lambda x: not isinstance(x, list) or all(item_check(i) for i in x))
    if "oneOf" in schema:
        one_of = _compile_fast_one_of(schema["oneOf"])
        if one_of is None:
            return _never
        checks.append(one_of)
    return lambda x: all(check(x) for check in checks)


def _compile_fast_one_of(branches: Any) -> _FastCheck | None:
    """A oneOf whose branches all fix the same property to different string consts: an object
    with that property set to one of them matches exactly that branch (every other branch fails
    on the const), so it is valid if and only if that branch accepts it."""
    if not isinstance(branches, list) or not branches:
        return None
    if not all(isinstance(b, dict) and isinstance(b.get("properties"), dict) for b in branches):
        return None
    for key in branches[0]["properties"]:
        consts = [b["properties"].get(key) for b in branches]
        if not all(
            isinstance(c, dict) and set(c) == {"const"} and isinstance(c["const"], str)
            for c in consts
        ):
            continue
        values = [c["const"] for c in consts]
        if len(set(values)) != len(values):
            continue
        by_value = {
            value: _compile_fast_check(b) for value, b in zip(values, branches, strict=True)
        }

        def check(x: Any, key: str = key, by_value: dict[str, _FastCheck] = by_value) -> bool:
            if not isinstance(x, dict):
                return False
            value = x.get(key)
            branch = by_value.get(value) if isinstance(value, str) else None
            return branch is not None and branch(x)

        return check
    return None


@lru_cache(maxsize=1)
def _response_fast_check() -> _FastCheck:
    from rasa.core.actions.action import RemoteAction

    return _compile_fast_check(RemoteAction.action_response_format_spec())


def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    if _response_fast_check()(result):
        return True
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
        json_serialize=json_codec.dumps,  # the tracker in every action call (bot/json_codec.py)
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


class _NamedCollector(CollectingOutputChannel):
    """Rasa's collecting output channel, named ``name`` when given (else "collector")."""

    def __init__(self, name: str | None = None) -> None:
        super().__init__()
        self._name = name

    def name(self) -> str:
        return self._name or super().name()


def _patch_session_start(processor_cls: Any) -> None:
    original = processor_cls.fetch_tracker_and_update_session

    async def fetch_tracker_and_update_session(
        self: Any, sender_id: str, output_channel: Any = None, metadata: Any = None
    ) -> Any:
        if output_channel is not None:
            return await original(self, sender_id, output_channel, metadata)
        requested = _TRIGGER.get()
        # Named like the channel a trigger_intent request asked for, so its variants are chosen
        # (the short SMS notice before a reminder).
        collector = _NamedCollector(requested.output_channel if requested else None)
        tracker = await original(self, sender_id, collector, metadata)
        _SESSION_START_MESSAGES.set(list(collector.messages))
        return tracker

    processor_cls.fetch_tracker_and_update_session = fetch_tracker_and_update_session


# The text of the message the current request is logging (per asyncio task), for the session
# start it may cause.
_MESSAGE_TEXT: ContextVar[str | None] = ContextVar("kk_message_text", default=None)


@dataclass(frozen=True)
class TriggerRequest:
    """What a ``trigger_intent`` request (the reminder job's) asks for, kept for the session
    start Rasa's route runs before it reads the request."""

    language: Language | None  # its ``language`` entity
    output_channel: str | None  # its ``output_channel`` query parameter ("sms")


_TRIGGER: ContextVar[TriggerRequest | None] = ContextVar("kk_trigger_request", default=None)


def _entity_value(entities: Any, name: str) -> Any:
    """An entity's value in Rasa's two notations: {"name": value} or [{"entity", "value"}]."""
    if isinstance(entities, dict):
        return entities.get(name)
    if isinstance(entities, list):
        for entity in entities:
            if isinstance(entity, dict) and entity.get("entity") == name:
                return entity.get("value")
    return None


async def remember_trigger_request(request: Any) -> None:
    """Sanic request middleware: keep what a ``trigger_intent`` request asks for (its
    ``language`` entity and ``output_channel``) for the session start that Rasa's route runs
    before it reads the request. Set on every request (None for any other), since the requests of
    one keep-alive connection share a task and with it the context."""
    trigger = None
    if request.method == "POST" and request.path.endswith("/trigger_intent"):
        try:
            body = request.json
        except Exception:  # Rasa's route answers a body it cannot read itself
            body = None
        value = (
            _entity_value(body.get("entities"), LANGUAGE_SLOT) if isinstance(body, dict) else None
        )
        channel = request.args.get("output_channel")
        trigger = TriggerRequest(
            value if value in LANGUAGES else None, channel if isinstance(channel, str) else None
        )
    _TRIGGER.set(trigger)


def _patch_session_language(processor_cls: Any) -> None:
    from rasa.core.policies.policy import PolicyPrediction
    from rasa.shared.core.constants import ACTION_SESSION_START_NAME, SESSION_START_METADATA_SLOT
    from rasa.shared.core.events import SlotSet

    original_log_message = processor_cls.log_message

    async def log_message(self: Any, message: Any, should_save_tracker: bool = True) -> Any:
        token = _MESSAGE_TEXT.set(message.text)
        try:
            return await original_log_message(self, message, should_save_tracker)
        finally:
            _MESSAGE_TEXT.reset(token)

    async def _update_tracker_session(
        self: Any, tracker: Any, output_channel: Any, metadata: Any = None
    ) -> None:
        """Rasa 3.6.21's ``MessageProcessor._update_tracker_session`` (start a session when the
        tracker has none or it expired), with the ``language`` slot set from the message (or
        the ``trigger_intent`` request) that starts it, next to Rasa's
        ``session_started_metadata``."""
        if not tracker.applied_events() or self._has_session_expired(tracker):
            action_session_start = self._get_action(ACTION_SESSION_START_NAME)
            if metadata:
                tracker.update(SlotSet(SESSION_START_METADATA_SLOT, metadata), self.domain)
            trigger = _TRIGGER.get()
            language = _opening_language(_MESSAGE_TEXT.get()) or (trigger and trigger.language)
            if language is not None and tracker.get_slot(LANGUAGE_SLOT) != language:
                tracker.update(SlotSet(LANGUAGE_SLOT, language), self.domain)
            await self._run_action(
                action=action_session_start,
                tracker=tracker,
                output_channel=output_channel,
                nlg=self.nlg,
                prediction=PolicyPrediction.for_action_name(self.domain, ACTION_SESSION_START_NAME),
            )

    processor_cls.log_message = log_message
    processor_cls._update_tracker_session = _update_tracker_session


def _opening_language(text: str | None) -> Language | None:
    if not text:
        return None
    from bot.nlu.retrieval_classifier import opening_language

    return opening_language(text)


# Rasa's own RulePolicy._is_rule_applicable, kept by install() (the tests compare with it).
rasa_is_rule_applicable: Callable[..., bool] | None = None


@lru_cache(maxsize=4096)
def _reversed_rule_states(rule_key: str) -> tuple[dict[str, Any], ...]:
    return tuple(reversed(json.loads(rule_key)))


def _is_rule_applicable(
    self: Any, rule_key: str, turn_index: int, conversation_state: dict[str, Any]
) -> bool:
    """Rasa 3.6.21's ``RulePolicy._is_rule_applicable`` with the reversed rule states cached."""
    reversed_rule_states = _reversed_rule_states(rule_key)
    if turn_index >= len(reversed_rule_states):
        return True
    current_previous_action = conversation_state.get(PREVIOUS_ACTION)
    rule_previous_action = reversed_rule_states[turn_index].get(PREVIOUS_ACTION)
    if not rule_previous_action and not current_previous_action:
        return True
    if not rule_previous_action or not current_previous_action:
        return False
    return bool(self._does_rule_match_state(reversed_rule_states[turn_index], conversation_state))


# Rasa's own RulePolicy._get_possible_keys, kept by install() (the tests compare with it).
rasa_get_possible_keys: Callable[..., set[str]] | None = None


def _get_possible_keys(self: Any, lookup: dict[str, str], states: list[Any]) -> set[str]:
    """Rasa 3.6.21's ``RulePolicy._get_possible_keys`` (the rule keys whose states match the
    conversation's, newest first), stopping once no key is left instead of filtering an empty
    set for every older state of the conversation."""
    possible = list(lookup)
    for turn_index, state in enumerate(reversed(states)):
        if not possible:
            break
        possible = [key for key in possible if self._is_rule_applicable(key, turn_index, state)]
    return set(possible)


def install() -> None:
    """Apply every patch (idempotent); ``UnsupportedRasaVersion`` on another Rasa version."""
    global _INSTALLED
    if _INSTALLED:
        return
    import rasa
    from rasa.core.actions.action import RemoteAction

    check_rasa_version(rasa.__version__)
    patch_target(RemoteAction, "_validate_action_result", "RemoteAction._validate_action_result")
    RemoteAction._validate_action_result = _validate_action_result
    from rasa.core.processor import MessageProcessor

    patch_target(
        MessageProcessor,
        "fetch_tracker_and_update_session",
        "MessageProcessor.fetch_tracker_and_update_session",
    )
    _patch_session_start(MessageProcessor)
    patch_target(MessageProcessor, "log_message", "MessageProcessor.log_message")
    patch_target(
        MessageProcessor, "_update_tracker_session", "MessageProcessor._update_tracker_session"
    )
    patch_target(MessageProcessor, "_has_session_expired", "MessageProcessor._has_session_expired")
    patch_target(MessageProcessor, "_run_action", "MessageProcessor._run_action")
    _patch_session_language(MessageProcessor)
    from rasa.utils.endpoints import EndpointConfig

    patch_target(EndpointConfig, "request", "EndpointConfig.request")
    EndpointConfig.request = _request
    import rasa.core.processor
    from rasa.engine.runner.dask import DaskGraphRunner

    from bot.graph_runner import SequentialGraphRunner

    if getattr(rasa.core.processor, "DaskGraphRunner", None) not in (
        DaskGraphRunner,
        SequentialGraphRunner,
    ):
        raise UnsupportedRasaVersion("rasa.core.processor no longer runs graphs with dask")
    rasa.core.processor.DaskGraphRunner = SequentialGraphRunner
    from rasa.core.policies.rule_policy import RulePolicy

    global rasa_is_rule_applicable
    rasa_is_rule_applicable = patch_target(
        RulePolicy, "_is_rule_applicable", "RulePolicy._is_rule_applicable"
    )
    RulePolicy._is_rule_applicable = _is_rule_applicable
    global rasa_get_possible_keys
    rasa_get_possible_keys = patch_target(
        RulePolicy, "_get_possible_keys", "RulePolicy._get_possible_keys"
    )
    RulePolicy._get_possible_keys = _get_possible_keys
    _INSTALLED = True
