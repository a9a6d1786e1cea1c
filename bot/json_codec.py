"""JSON encoding on the Rasa process's hot paths: the tracker sent with every action-server call
and each event row the tracker store writes.

ujson (a C encoder; Sanic, Rasa's web server, already uses it for every request and response)
encodes these dicts several times faster than the standard library. The output is the same JSON
value: ASCII-only like ``json.dumps``, ``/`` not escaped, NaN and infinities written as
``json.dumps`` writes them. What ujson refuses (types it does not know, too large numbers) goes to
``json.dumps``, which gives its usual result or its usual error.
"""

from __future__ import annotations

import json
from typing import Any

import ujson


def dumps(value: Any) -> str:
    """``value`` as JSON text, as ``json.dumps(value)`` would write it (up to whitespace)."""
    try:
        return ujson.dumps(value, ensure_ascii=True, escape_forward_slashes=False)
    except (OverflowError, TypeError, ValueError):
        return json.dumps(value)
