"""``pat-bot staff``: the staff side of the hand-off in a terminal, to try it locally.

Run ``pat-bot chat`` in one terminal and ``pat-bot staff --name Anne`` in another, on the same
data folder: while the console runs (it touches ``PAT_DATA_DIR/staff-console``), the chat
offers « Ici, dans ce chat », cards of new requests appear here, and ``/reply R-… text`` /
``/close R-…`` work as on Telegram. Messages pass through the same relay queue.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TextIO

from bot.app import App
from bot.staff import texts as staff
from bot.staff.commands import staff_command
from bot.staff.handoff import CONSOLE, HandOff
from bot.staff.texts import say
from storage.handoffs import Relayed

STAFF_KEY = CONSOLE  # the relay key of this console
BEAT_SECONDS = 5.0


class StaffConsole:
    def __init__(self, app: App, stdin: TextIO, stdout: TextIO, name: str) -> None:
        assert app.service.handoff is not None
        self.handoff: HandOff = app.service.handoff
        self.background = app.background
        self.file: Path = app.settings.data_dir / "staff-console"
        self.stdin, self.stdout, self.name = stdin, stdout, name
        self.t = self.handoff.t
        self.focus: str | None = None

    def print(self, text: str) -> None:
        self.stdout.write(text + "\n\n")
        self.stdout.flush()

    async def show(self, msg: Relayed) -> None:
        text = msg.text
        if msg.kind == "card_chat":
            text += f"\n→ /reply {msg.ref} …"
        self.print(text)

    async def _beat(self) -> None:
        """Say that staff are here, for the chat processes (removed on the way out)."""
        self.file.parent.mkdir(parents=True, exist_ok=True)
        self.file.touch()

    async def line(self, text: str) -> str | None:
        """One typed line; what to tell the staff member."""
        command = staff_command(text)
        if command is not None:
            if not command.complete or command.ref is None:
                return self.t.gettext(staff.HOW_TO_REPLY)
            if command.word == "/close":
                self.focus = None
                return await self.handoff.staff_closes(command.ref, STAFF_KEY, self.name)
            self.focus, text = command.ref, command.text
        if self.focus is None:
            return self.t.gettext(staff.HOW_TO_REPLY)
        return await self.handoff.staff_writes(self.focus, STAFF_KEY, self.name, text, STAFF_KEY)

    async def run(self) -> int:
        self.handoff.chats.connect(STAFF_KEY, relay=self.show)
        await self._beat()
        self.background.every("console", BEAT_SECONDS, self._beat)
        self.background.add("relay", self.handoff.round, woken=True, retry=1.0)
        self.print(say(self.t, staff.CONSOLE_INTRO, name=self.name))
        try:
            while True:
                typed = await asyncio.to_thread(self.stdin.readline)
                if not typed:
                    return 0
                if typed.strip():
                    answer = await self.line(typed.strip())
                    if answer:
                        self.print(answer)
        finally:
            self.file.unlink(missing_ok=True)
