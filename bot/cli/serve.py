"""Running the bot: the terminal chat, the web page, Telegram (with the web page beside it when
PAT_WEB_PORT is set), until a signal; the heartbeat that `pat-bot health` reads."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from bot.app import App, build_app, settle
from bot.channels.terminal import TerminalChat
from bot.conversation.i18n import Translator
from bot.settings import Settings
from bot.staff import texts as staff
from bot.staff.texts import say

if TYPE_CHECKING:
    from telegram.ext import Updater


async def _chat(settings: Settings, locale: str | None, new: bool) -> int:
    async with build_app(settings) as app:
        chat = TerminalChat(app.service, sys.stdin, sys.stdout, locale=locale)
        return await chat.run(new=new)


HEARTBEAT_SECONDS = 30


@contextlib.asynccontextmanager
async def _heartbeat(app: App) -> AsyncIterator[None]:
    """Touch a file while the bot runs (a job of the background loop), for the container
    healthcheck; removed on the way out."""
    path = app.settings.heartbeat_path

    async def beat() -> None:
        def touch() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(str(int(time.time())), encoding="ascii")

        await asyncio.to_thread(touch)

    await beat()
    app.background.every("heartbeat", HEARTBEAT_SECONDS, beat)
    try:
        yield
    finally:  # a stopped bot is not healthy, even right after a restart
        await asyncio.to_thread(path.unlink, missing_ok=True)


def _health(settings: Settings, t: Translator) -> int:
    try:
        age = time.time() - settings.heartbeat_path.stat().st_mtime
    except OSError:
        print(t.gettext(staff.NO_HEARTBEAT), file=sys.stderr)
        return 1
    healthy = age < HEARTBEAT_SECONDS * 4
    print(say(t, staff.HEARTBEAT_OK if healthy else staff.HEARTBEAT_STALE, seconds=round(age)))
    return 0 if healthy else 1


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)


async def run_web(settings: Settings, stop: asyncio.Event | None = None) -> int:
    """The web channel alone (sites that do not use Telegram), until SIGINT/SIGTERM."""
    from bot.channels.base import served_beside
    from bot.channels.web import WebChannel, serve

    stop = stop or asyncio.Event()
    _stop_on_signals(stop)
    async with build_app(settings) as app, _heartbeat(app):
        settle(app)
        channel = WebChannel(app.service, app.catalogs, settings)
        port = settings.web_port or 8080
        beside = served_beside(app)  # WhatsApp's webhook, when it is set up
        try:
            await serve(
                channel, settings.web_host, port, stop, settings.web_trusted_proxies, beside
            )
        finally:
            stop.set()
    return 0


async def run_telegram(settings: Settings, stop: asyncio.Event | None = None) -> int:
    """Run the Telegram bot until SIGINT/SIGTERM (or ``stop`` is set), with the web page
    beside it when PAT_WEB_PORT is set."""
    from bot.channels.telegram import TelegramFrontDoor

    stop = stop or asyncio.Event()
    settings.heartbeat_path.unlink(missing_ok=True)  # a crashed bot's beat says nothing now
    _stop_on_signals(stop)
    async with build_app(settings) as app:
        door = TelegramFrontDoor(
            app.service, app.catalogs, settings.staff_ids, settings.staff_chat_id
        )
        tg = door.build(settings)
        async with tg:
            assert tg.updater is not None
            await door.post_init(tg)
            settle(app)
            await tg.start()
            await _receive_updates(tg.updater, settings)
            web = _web_beside(app, stop)
            try:
                async with _heartbeat(app):
                    await stop.wait()
                    if web is not None:
                        await web
            finally:
                stop.set()
                await tg.updater.stop()
                await tg.stop()
    return 0


async def _receive_updates(updater: Updater, settings: Settings) -> None:
    """Telegram's updates by webhook when PAT_TELEGRAM_WEBHOOK_URL is set, else by polling."""
    from telegram import Update

    if settings.telegram_webhook_url:
        secret = settings.telegram_webhook_secret
        await updater.start_webhook(
            listen=settings.telegram_webhook_listen,
            port=settings.telegram_webhook_port,
            url_path=settings.telegram_webhook_path,
            webhook_url=settings.telegram_webhook_url,
            secret_token=secret.get_secret_value() if secret else None,
            allowed_updates=Update.ALL_TYPES,
        )
        logging.getLogger(__name__).info("webhook mode")
    else:
        await updater.start_polling(allowed_updates=Update.ALL_TYPES)
        logging.getLogger(__name__).info("long polling")


def _web_beside(app: App, stop: asyncio.Event) -> asyncio.Task[None] | None:
    """The web page from the same process as Telegram, when PAT_WEB_PORT is set, with the
    channels served beside it (WhatsApp's webhook, when it is set up)."""
    settings = app.settings
    if settings.web_port is None:
        return None
    from bot.channels.base import served_beside
    from bot.channels.web import WebChannel, serve

    channel = WebChannel(app.service, app.catalogs, settings)
    where = (settings.web_host, settings.web_port)
    beside = served_beside(app)
    return asyncio.create_task(serve(channel, *where, stop, settings.web_trusted_proxies, beside))
