"""The action server's settings: every ``KK_*`` environment variable it reads, parsed here.

The action server is its own process (``python -m actions.server``); nothing else under
``actions/`` reads the environment. ``load_settings()`` builds one immutable ``ActionSettings``
from ``os.environ`` (or a mapping: tests); the server's ``main`` and the process-wide
case-service client (``actions/client.py``) call it when they are set up.

| variable | default | meaning |
| --- | --- | --- |
| ``KK_ACTIONS_TOKEN`` | none (required, 16+ chars) | ``X-KK-Actions-Token`` the Rasa server sends |
| ``KK_ACTIONS_PORT`` | 5055 | port on 127.0.0.1 (``--port`` wins) |
| ``KK_API_URL`` | ``http://127.0.0.1:8000`` | the case service |
| ``KK_SERVICE_TOKEN`` | the published dev token | ``X-Service-Token`` towards the case service |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from kkshared.defaults import DEFAULT_API_URL, DEFAULT_SERVICE_TOKEN

DEFAULT_ACTIONS_PORT = 5055


@dataclass(frozen=True)
class ActionSettings:
    api_url: str = DEFAULT_API_URL
    service_token: str = field(default=DEFAULT_SERVICE_TOKEN, repr=False)
    actions_token: str = field(default="", repr=False)
    actions_port: int = DEFAULT_ACTIONS_PORT

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ActionSettings:
        port = (env.get("KK_ACTIONS_PORT") or "").strip()
        try:
            actions_port = int(port) if port else DEFAULT_ACTIONS_PORT
        except ValueError as error:
            raise ValueError(f"KK_ACTIONS_PORT must be a port number, not {port!r}") from error
        return cls(
            api_url=(env.get("KK_API_URL") or DEFAULT_API_URL).rstrip("/"),
            service_token=env.get("KK_SERVICE_TOKEN") or DEFAULT_SERVICE_TOKEN,
            actions_token=env.get("KK_ACTIONS_TOKEN", ""),
            actions_port=actions_port,
        )


def load_settings(environ: Mapping[str, str] | None = None) -> ActionSettings:
    """The settings from ``environ`` (default: this process's environment), built now."""
    return ActionSettings.from_env(os.environ if environ is None else environ)
