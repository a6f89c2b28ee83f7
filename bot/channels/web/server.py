"""The web channel's server: uvicorn inside pat-bot's own event loop, until pat-bot stops."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Iterator, Sequence

import uvicorn

from bot.channels.base import Served
from bot.channels.web.browser import MAX_FRAME
from bot.channels.web.channel import WebChannel
from bot.channels.web.diagnose import startup_line


class CannotListen(Exception):
    """The web channel cannot serve on its address (taken, not ours): one line, exit 1."""


class _Server(uvicorn.Server):
    """uvicorn inside pat-bot's own loop: pat-bot handles SIGINT and SIGTERM itself."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve(
    channel: WebChannel,
    host: str,
    port: int,
    stop: asyncio.Event,
    trusted: list[str],
    beside: Sequence[Served] = (),
) -> None:
    """Serve the web channel, and the channels ``beside`` it (webhooks), until ``stop`` is set;
    then close those."""
    try:
        await _serve(channel, host, port, stop, trusted, beside)
    finally:
        for served in beside:
            await served.close()


async def _serve(
    channel: WebChannel,
    host: str,
    port: int,
    stop: asyncio.Event,
    trusted: list[str],
    beside: Sequence[Served],
) -> None:
    config = uvicorn.Config(
        channel.app([route for served in beside for route in served.routes()]),
        host=host,
        port=port,
        ws="wsproto",
        ws_max_size=MAX_FRAME,
        log_level="warning",
        access_log=False,  # addresses and paths are not kept
        server_header=False,
        # X-Forwarded-For is believed from these only (the reverse proxy): the per-address limit.
        forwarded_allow_ips=trusted,
        timeout_graceful_shutdown=5,  # a client that never finishes does not hold the exit
    )
    where = f"{host}:{port}"
    try:  # asked first, so that a taken port is one line of ours, not uvicorn's log and a hang
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        raise CannotListen(f"the web channel cannot listen on {where}: {exc.strerror}") from exc
    logging.getLogger(__name__).log(*startup_line(host, port))  # what it can know: HTTP here
    server = _Server(config)
    task = asyncio.create_task(server.serve())
    stopped = asyncio.create_task(stop.wait())
    await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    if not stop.is_set():  # the server ended by itself: it could not start
        stopped.cancel()
        with contextlib.suppress(BaseException):
            await task
        raise CannotListen(f"the web channel on {where} stopped at start-up")
    server.should_exit = True
    await task
