"""Where staff read about a person's requests and hand-offs: the Telegram staff chat (for a
person on Telegram or on the web page), or, for a terminal, a ``pat-bot staff`` console while it
runs."""

from __future__ import annotations

import time
from pathlib import Path

from bot.channels.registry import CONSOLE_DESK, TELEGRAM_DESK, TERMINAL, channel_of

CONSOLE_FRESH = 30.0  # seconds: a pat-bot staff console touches its file every few seconds
CONSOLE = CONSOLE_DESK  # pat-bot staff's key


def console_alive(path: Path) -> bool:
    """Whether a ``pat-bot staff`` console touched its file lately."""
    try:
        return time.time() - path.stat().st_mtime < CONSOLE_FRESH
    except OSError:
        return False


def telegram_desks(staff_chat_id: int | None) -> list[str]:
    """The key of the Telegram staff chat (``PAT_STAFF_CHAT_ID``; none: no hand-off there)."""
    return [f"{TELEGRAM_DESK}{staff_chat_id}"] if staff_chat_id is not None else []


def staff_for(chat_key: str, telegram_staff: list[str], console: Path | None) -> list[str]:
    """Where staff read about this person's requests and conversations (none: no hand-off
    here): the ``console`` (its file; None: no console) for a terminal, ``telegram_staff`` for
    any other channel that carries a hand-off (Telegram, the web page: the Telegram bot on the
    same data folder delivers to staff). A terminal's console may be away for a moment: its
    messages wait for it."""
    channel = channel_of(chat_key)
    if channel is TERMINAL:
        return [CONSOLE] if console is not None else []
    if channel.handoff:
        return list(telegram_staff)
    return []


def can_reply_here(chat_key: str, telegram_staff: list[str], console: Path | None) -> bool:
    """Whether to offer « Ici, dans ce chat »: staff can answer in this chat now."""
    if channel_of(chat_key) is TERMINAL:
        return console is not None and console_alive(console)
    return channel_of(chat_key).handoff and bool(staff_for(chat_key, telegram_staff, console))
