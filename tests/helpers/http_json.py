"""The HTTP client of the suites that test a started system (tests/e2e, tests/production): a JSON
request with the standard library, answered as (status, body).

Not a test directory: the suites' conftest.py put this folder on ``sys.path``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any


def http(
    method: str,
    url: str,
    body: Any = None,
    headers: dict | None = None,
    raw: bytes | None = None,
    timeout: float = 30,
    unreachable: bool = False,
    text_on_success: bool = False,
) -> tuple[int, Any]:
    """(status, JSON body) of a request with ``body`` as JSON (or the bytes ``raw``). An error
    status's body that is not JSON comes back as text, a success's too with
    ``text_on_success``; with ``unreachable`` a server that does not answer is (0, the reason)
    instead of an exception."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, payload = response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, _decoded(error.read(), as_text=True)
    except (urllib.error.URLError, OSError) as error:
        if not unreachable:
            raise
        return 0, str(error)
    return status, _decoded(payload, as_text=text_on_success)


def _decoded(payload: bytes, as_text: bool) -> Any:
    """JSON, None for nothing; text that is not JSON raises, or with ``as_text`` is the text."""
    try:
        return json.loads(payload) if payload else None
    except ValueError:
        if not as_text:
            raise
        return payload.decode(errors="replace")
