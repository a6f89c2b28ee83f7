"""Where staff read about a person's requests and hand-offs: the Telegram staff chats (given by
the Telegram adapter), or, for a terminal, a ``pat-bot staff`` console while it runs."""

from __future__ import annotations

import time
from pathlib import Path

from bot.channels.registry import CONSOLE_DESK, TELEGRAM, TERMINAL, channel_of

CONSOLE_FRESH = 30.0  # seconds: a pat-bot staff console touches its file every few seconds
CONSOLE = CONSOLE_DESK  # pat-bot staff's key


def console_alive(path: Path) -> bool:
    """Whether a ``pat-bot staff`` console touched its file lately."""
    try:
        return time.time() - path.stat().st_mtime < CONSOLE_FRESH
    except OSError:
        return False


def staff_for(chat_key: str, telegram_staff: list[str], console: Path | None) -> list[str]:
    """Where staff read about this person's requests and conversations (none: no hand-off
    here): ``telegram_staff`` for a Telegram chat, the ``console`` (its file; None: no console)
    for a terminal. A terminal's console may be away for a moment: its messages wait for it."""
    channel = channel_of(chat_key)
    if channel is TELEGRAM:
        return list(telegram_staff)
    if channel is TERMINAL and console is not None:
        return [CONSOLE]
    return []


def can_reply_here(chat_key: str, telegram_staff: list[str], console: Path | None) -> bool:
    """Whether to offer « Ici, dans ce chat »: staff can answer in this chat now."""
    if channel_of(chat_key) is TERMINAL:
        return console is not None and console_alive(console)
    return channel_of(chat_key).handoff and bool(staff_for(chat_key, telegram_staff, console))
