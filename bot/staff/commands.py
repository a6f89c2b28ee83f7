"""What a staff member types to answer a hand-off: ``/reply R-… text`` and ``/close R-…``.

Read the same way in the Telegram staff chat (bot/staff/telegram_desk.py) and in
``pat-bot staff`` (bot/staff/console.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A request's reference, as staff write it in /reply and /close and as cards show it.
REFERENCE = re.compile(r"\bR-\d{6}-[A-Z0-9]{4}\b")


@dataclass(frozen=True)
class StaffCommand:
    """``/reply R-… text`` or ``/close R-…`` as a staff member typed it (Telegram, console)."""

    word: str  # "/reply" or "/close"
    ref: str | None  # None: no reference, or not written as one
    text: str  # what /reply says ("" when nothing)

    @property
    def complete(self) -> bool:
        return self.ref is not None and (self.word == "/close" or bool(self.text.strip()))


def staff_command(typed: str) -> StaffCommand | None:
    """What a staff member's line asks, when it is /reply or /close (``@bot`` ignored)."""
    parts = typed.split(maxsplit=2)
    word = parts[0].split("@")[0] if typed.startswith("/") else ""
    if word not in ("/reply", "/close"):
        return None
    ref = parts[1].upper() if len(parts) > 1 else ""
    return StaffCommand(
        word, ref if REFERENCE.fullmatch(ref) else None, parts[2] if len(parts) > 2 else ""
    )
