"""A Sanic app with channel blueprints served on a free loopback port, as Rasa registers them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sanic import Sanic

from tools.processes import free_port


async def serve(app: Sanic, path: str) -> tuple[str, Callable[[], Awaitable[None]]]:
    """Start ``app``; returns the URL of ``path`` on it and the coroutine that stops it."""
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    await server.startup()
    await server.before_start()
    await server.after_start()

    async def stop() -> None:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()

    return f"http://127.0.0.1:{port}{path}", stop
