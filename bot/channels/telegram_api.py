"""How the bot talks to the Bot API: Telegram HTML, inline keyboards, lean calls, retries.

Used by the Telegram adapter (bot/channels/telegram.py); kept apart so the adapter reads as the
list of its handlers.
"""

from __future__ import annotations

import asyncio
import html
import logging
import warnings
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Bot
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.warnings import PTBUserWarning

from bot.channels.links import for_telegram
from bot.channels.registry import TELEGRAM
from bot.conversation.render import Outgoing
from flows.locales import LOCALES

log = logging.getLogger(__name__)

T = TypeVar("T")


def locale_of(language_code: str | None, default: str = "fr") -> str:
    """Telegram's language (``nl-BE``, ``en``, ``pt-br``…) to one of ours; unknown: default."""
    base = (language_code or "").replace("_", "-").split("-")[0].lower()
    return base if base in LOCALES else default


_RETRY_DELAYS = (0.5, 1.0, 2.0)


def escape(text: str) -> str:
    """Telegram HTML needs only &, < and > escaped in text."""
    return html.escape(text, quote=False)


def chat_key(user_id: int) -> str:
    return f"{TELEGRAM.prefix}{user_id}"


def to_html(out: Outgoing, summary_line: str) -> str:
    """The message as Telegram HTML: every text escaped, summary labels in bold, long Belgian
    numbers written from +32 so that the apps make them tappable (bot/channels/links.py)."""
    if not out.summary:
        return escape(for_telegram(out.text))
    body = for_telegram(out.text.split("\n\n", 1)[0])
    lines = [
        summary_line.format(label=f"<b>{escape(label)}</b>", value=escape(value))
        for label, value in out.summary
    ]
    return escape(body) + "\n\n" + "\n".join(lines)


Markup = dict[str, list[list[dict[str, str]]]]

# The calls that send or edit a message for every update go through Bot.do_api_request
# (python-telegram-bot's public way to call an endpoint by name, with the same rate limiter,
# timeouts and error types): the bot never reads what Telegram answers, and the typed methods
# would parse each answer into a Message object, the largest single cost of an update
# (bench/README.md). The library suggests its typed method whenever one exists; that advice is the
# one thing silenced here. Calls whose answer is only ``True`` (answering a button, "typing…")
# use the typed methods: nothing to parse, and no advice to issue and filter (#24's ratio).
_LEAN_ENDPOINTS = ("send_message", "edit_message_text", "edit_message_reply_markup")
LEAN_CALL_ADVICE = r"Please use 'Bot\.(" + "|".join(_LEAN_ENDPOINTS) + r")' instead"
warnings.filterwarnings("ignore", message=LEAN_CALL_ADVICE, category=PTBUserWarning)


def keyboard(out: Outgoing) -> Markup | None:
    """An inline keyboard, one button per row, as the Bot API reads it."""
    if not out.buttons:
        return None
    return {"inline_keyboard": [[{"text": b.label, "callback_data": b.data}] for b in out.buttons]}


async def call(bot: Bot, endpoint: str, **params: object) -> None:
    """One Bot API call whose answer is not needed (see _LEAN_ENDPOINTS)."""
    await bot.do_api_request(
        endpoint, api_kwargs={k: v for k, v in params.items() if v is not None}
    )


async def with_retries(call: Callable[[], Awaitable[T]]) -> T:
    """Retry a Bot API call on network errors (rate limits are the rate limiter's job)."""
    for delay in _RETRY_DELAYS:
        try:
            return await call()
        except (NetworkError, TimedOut) as exc:
            if isinstance(exc, BadRequest):
                raise
            log.warning("Bot API call failed (%s); retrying in %.1fs", type(exc).__name__, delay)
            await asyncio.sleep(delay)
    return await call()
