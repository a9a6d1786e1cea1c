"""Keep-alive to Rasa's endpoints (bot/rasa_patches.py): calls to the action server reuse one
connection instead of opening one per call, and answer and fail exactly as Rasa's own request."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

import bot.channels  # noqa: F401  (installs the patches, as the Rasa server does)
from bot import rasa_patches


async def _serve(handler) -> tuple[web.AppRunner, int, list[tuple]]:
    """An HTTP server on a free loopback port that records the client connection of each call."""
    peers: list[tuple] = []

    async def recording(request: web.Request) -> web.StreamResponse:
        peers.append(request.transport.get_extra_info("peername"))
        return await handler(request)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", recording)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, port, peers


def test_patch_is_installed() -> None:
    assert EndpointConfig.request is rasa_patches._request


def test_calls_reuse_one_connection_and_return_the_json() -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        body = await request.json()
        return web.json_response(
            {"echo": body, "token": request.headers.get("X-Token"), "q": request.query.get("a")}
        )

    async def run() -> tuple[list, list[tuple]]:
        runner, port, peers = await _serve(handler)
        try:
            endpoint = EndpointConfig(
                url=f"http://127.0.0.1:{port}/webhook", headers={"X-Token": "t"}, params={"a": "1"}
            )
            answers = [await endpoint.request(json={"n": n}, method="post") for n in range(3)]
            return answers, peers
        finally:
            await runner.cleanup()

    answers, peers = asyncio.run(run())
    assert answers == [{"echo": {"n": n}, "token": "t", "q": "1"} for n in range(3)]
    assert len(peers) == 3 and len(set(peers)) == 1  # one TCP connection for all three calls


def test_an_error_status_raises_like_rasa() -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.json_response({"detail": "nope"}, status=401)

    async def run() -> None:
        runner, port, _ = await _serve(handler)
        try:
            await EndpointConfig(url=f"http://127.0.0.1:{port}/webhook").request(json={})
        finally:
            await runner.cleanup()

    with pytest.raises(ClientResponseError) as raised:
        asyncio.run(run())
    assert raised.value.status == 401


def test_a_new_event_loop_gets_a_new_session() -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.json_response({"ok": True})

    async def run() -> dict:
        runner, port, _ = await _serve(handler)
        try:
            return await EndpointConfig(url=f"http://127.0.0.1:{port}/x").request(method="get")
        finally:
            await runner.cleanup()

    assert asyncio.run(run()) == {"ok": True}
    assert asyncio.run(run()) == {"ok": True}  # not the first loop's session
