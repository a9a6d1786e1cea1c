"""The action server's settings: every ``KK_*`` environment variable it reads, parsed here.

The action server is its own process (``python -m actions.server``); nothing else under
``actions/`` reads the environment. ``load_settings()`` builds one immutable ``ActionSettings``
from ``os.environ`` (or a mapping: tests); the server's ``main`` and the process-wide
case-service client (``actions/client.py``) call it when they are set up.

| variable | default | meaning |
| --- | --- | --- |
| ``KK_ACTIONS_TOKEN`` | none (required, 16+ chars) | ``X-KK-Actions-Token`` the Rasa server sends |
| ``KK_ACTIONS_PORT`` | 5055 | port the server listens on (``--port`` wins) |
| ``KK_ACTIONS_HOST`` | ``127.0.0.1`` | listen address (container: ``0.0.0.0`` + network policy) |
| ``KK_API_URL`` | ``http://127.0.0.1:8000`` | the case service |
| ``KK_SERVICE_TOKEN`` | the published dev token | ``X-Service-Token`` towards the case service |
| ``KK_CATALOGUE_POLL_SECONDS`` | 10 | how often the live citizen catalogue is fetched (0: off) |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from kkshared.defaults import DEFAULT_API_URL, DEFAULT_SERVICE_TOKEN

DEFAULT_ACTIONS_PORT = 5055
DEFAULT_ACTIONS_HOST = "127.0.0.1"


@dataclass(frozen=True)
class ActionSettings:
    api_url: str = DEFAULT_API_URL
    service_token: str = field(default=DEFAULT_SERVICE_TOKEN, repr=False)
    actions_token: str = field(default="", repr=False)
    actions_port: int = DEFAULT_ACTIONS_PORT
    actions_host: str = DEFAULT_ACTIONS_HOST
    # KK_CATALOGUE_POLL_SECONDS: how often the live citizen catalogue is fetched
    # (actions/faq_catalogue.py); 0: the catalogue in the repository only.
    catalogue_poll_seconds: float = 10.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ActionSettings:
        port = (env.get("KK_ACTIONS_PORT") or "").strip()
        try:
            actions_port = int(port) if port else DEFAULT_ACTIONS_PORT
        except ValueError as error:
            raise ValueError(f"KK_ACTIONS_PORT must be a port number, not {port!r}") from error
        host = (env.get("KK_ACTIONS_HOST") or "").strip() or DEFAULT_ACTIONS_HOST
        if not all(c.isalnum() or c in ".-:" for c in host):
            raise ValueError(f"KK_ACTIONS_HOST must be an address or host name, not {host!r}")
        return cls(
            api_url=(env.get("KK_API_URL") or DEFAULT_API_URL).rstrip("/"),
            service_token=env.get("KK_SERVICE_TOKEN") or DEFAULT_SERVICE_TOKEN,
            actions_token=env.get("KK_ACTIONS_TOKEN", ""),
            actions_port=actions_port,
            actions_host=host,
            catalogue_poll_seconds=_poll_seconds(env),
        )


def _poll_seconds(env: Mapping[str, str]) -> float:
    """0 (off) or 1-50 s: a publish must reach every process within a minute."""
    raw = (env.get("KK_CATALOGUE_POLL_SECONDS") or "").strip()
    try:
        value = float(raw) if raw else 10.0
    except ValueError as error:
        raise ValueError(f"KK_CATALOGUE_POLL_SECONDS must be a number, not {raw!r}") from error
    if value and not 1.0 <= value <= 50.0:
        raise ValueError("KK_CATALOGUE_POLL_SECONDS must be 0 (off) or between 1 and 50")
    return value


def load_settings(environ: Mapping[str, str] | None = None) -> ActionSettings:
    """The settings from ``environ`` (default: this process's environment), built now."""
    return ActionSettings.from_env(os.environ if environ is None else environ)
