"""A tiny in-process stand-in for the case service (aiohttp), for action tests.

It serves GET /locations and GET /locations/{id}/status with the contract's field names, records
the headers it received, and can be told to fail (status code) or to be slow (delay).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

LOCATIONS = [
    {
        "id": "laerkevej",
        "name": "Jobcenter København, Lærkevej",
        "kind": "jobcenter",
        "channel": "fysisk",
        "phone": "+45 00 00 00 02",
        "verified": True,
    },
    {
        "id": "ydelsesservice",
        "name": "Ydelsesservice (telefon)",
        "kind": "ydelsesservice",
        "channel": "telefon",
        "phone": "+45 00 00 00 03",
        "verified": True,
    },
    {
        "id": "jobcenter-telefon",
        "name": "Jobcenter København (telefon)",
        "kind": "jobcenter",
        "channel": "telefon",
        "phone": "+45 00 00 00 04",
        "verified": True,
    },
]


@dataclass
class StubState:
    statuses: dict[str, dict[str, Any]] = field(default_factory=dict)
    fail_with: int | None = None
    delay: float = 0.0
    headers: list[dict[str, str]] = field(default_factory=list)
    status_queries: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.asynccontextmanager
async def running_stub(state: StubState) -> AsyncIterator[str]:
    async def guard(request: web.Request) -> web.Response | None:
        state.headers.append(dict(request.headers))
        if state.delay:
            await asyncio.sleep(state.delay)
        if state.fail_with:
            return web.json_response({"detail": "stub failure"}, status=state.fail_with)
        return None

    async def locations(request: web.Request) -> web.Response:
        failed = await guard(request)
        return failed if failed is not None else web.json_response(LOCATIONS)

    async def status(request: web.Request) -> web.Response:
        failed = await guard(request)
        if failed is not None:  # a Response is an empty mapping, so it is falsy
            return failed
        location_id = request.match_info["location_id"]
        state.status_queries.append(request.query.get("at", ""))
        if location_id not in state.statuses:
            return web.json_response({"detail": "not found"}, status=404)
        return web.json_response({"location_id": location_id, **state.statuses[location_id]})

    app = web.Application()
    app.router.add_get("/locations", locations)
    app.router.add_get("/locations/{location_id}/status", status)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
