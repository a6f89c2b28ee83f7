"""The conversation in a terminal: the same service as Telegram, read from stdin.

Contract (tests and scripts rely on it): each bot message is printed, then its choices as
numbered lines ``1) Label``; the person answers with the number or the label (several numbers,
``1 3`` or ``1,3``, toggle several answers of a multiple choice). On a free-text question the
buttons it offers are shown as ``[Label]`` and chosen by typing the label, since a number typed
there is an answer. Commands start with ``/`` (/menu, /cancel, /help, /privacy, /language,
/forget, /sos, /start). A ``> `` prompt is shown only when stdin is a terminal. End of input
exits cleanly with status 0. Of a line longer than the bot takes (2,000 characters), the first
``LINE_MAX`` characters are read and the rest counted and dropped: the answer is that it is too
long, with its true length.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TextIO

from bot.channels.registry import TERMINAL
from bot.conversation.commands import typed_command
from bot.conversation.render import OutButton, Outgoing, callback_data, parse_callback, render_text
from bot.conversation.service import ConversationService
from bot.staff.handoff import END_BUTTON
from flows import texts
from flows.distress import MAX_CHARS as DISTRESS_READS
from flows.engine import (
    END_CHAT,
    Choice,
    Command,
    Event,
    SetLocale,
    Start,
    Text,
)
from flows.loader import MENU_STEP
from flows.validators import MAX_INPUT_CHARS
from storage.db import StorageError
from storage.handoffs import Relayed

log = logging.getLogger(__name__)

TERMINAL_CHAT = TERMINAL.prefix  # one person per data folder (a test may choose another key)
_NUMBERS = re.compile(r"^\d+(?:\s*[, ]\s*\d+)*$")
# Of a typed line, no more than this is read: enough for the engine to see that it is too long
# (MAX_INPUT_CHARS) and for the distress check to read all it reads of any message (it comes
# first, even for a text too long to keep). The rest of a longer line is read in chunks and
# dropped, so a 64 MB line is neither held nor analysed.
LINE_MAX = max(MAX_INPUT_CHARS, DISTRESS_READS) + 1
_CHUNK = 64 * 1024


class TerminalChat:
    """Reads lines, turns them into events, prints what the bot says."""

    def __init__(
        self,
        service: ConversationService,
        stdin: TextIO,
        stdout: TextIO,
        *,
        chat_key: str = TERMINAL_CHAT,
        locale: str | None = None,
    ) -> None:
        self.service = service
        self.stdin = stdin
        self.stdout = stdout
        self.chat_key = chat_key
        self.locale = locale
        self.last: Outgoing | None = None  # the last message with buttons

    def show(self, messages: list[Outgoing]) -> None:
        for out in messages:
            self.stdout.write(out.text + "\n")
            if out.expects == "text" and out.buttons:
                # A number typed here is an answer, so these are chosen by typing the label.
                self.stdout.write("  ".join(f"[{b.label}]" for b in out.buttons) + "\n")
            else:
                for number, button in enumerate(out.buttons, start=1):
                    self.stdout.write(f"{number}) {button.label}\n")
            self.stdout.write("\n")
            if out.buttons:
                self.last = out
        self.stdout.flush()

    def events_for(self, line: str) -> list[Event]:
        """What one typed line means."""
        word = line.strip().split(" ", 1)[0].lower() if line.startswith("/") else ""
        if word == "/start":
            payload = line.strip()[len("/start") :].strip() or None
            return [Start(payload)]
        command = typed_command(word)
        if command is not None:
            return [Command(command)]
        buttons = self.last.buttons if self.last else ()
        expects_text = self.last is not None and self.last.expects == "text"
        if buttons and _NUMBERS.match(line.strip()) and not expects_text:
            numbers = [int(n) for n in re.split(r"[ ,]+", line.strip())]
            several_ok = self.last is not None and self.last.expects == "multi"
            if (len(numbers) == 1 or several_ok) and all(1 <= n <= len(buttons) for n in numbers):
                chosen = [parse_callback(buttons[n - 1].data) for n in numbers]
                return [c for c in chosen if isinstance(c, Choice)]
        return [Text(line)]

    def read_line(self) -> tuple[str, int]:
        """One line from stdin (empty at the end of input), cut at ``LINE_MAX`` characters,
        and how many characters it had (its new line left out)."""
        line = self.stdin.readline(LINE_MAX)
        length = len(line.rstrip("\n"))
        if len(line) == LINE_MAX and not line.endswith("\n"):
            while True:  # the rest of this line: read and counted, never kept
                rest = self.stdin.readline(_CHUNK)
                length += len(rest.rstrip("\n"))
                if not rest or rest.endswith("\n"):
                    break
        return line, length

    async def _send(self, event: Event) -> None:
        try:
            messages = await self.service.handle(self.chat_key, event, locale=self.locale)
        except Exception as exc:  # a kind line, nothing lost (nothing was stored), go on
            # The database and the system say what failed ("database or disk is full"), never what
            # was typed; other errors are named only.
            cause = str(exc) if isinstance(exc, StorageError | OSError) else ""
            log.error("could not handle a line: %s %s", type(exc).__name__, cause)
            state = await self.service.state_of(self.chat_key)
            messages = [render_text(texts.ERROR, self.service.translator(state))]
        self.show(messages)

    async def notify(self, chat_key: str, text: str) -> None:
        """News about a request (delivered, or not), printed when it happens."""
        self.stdout.write(text + "\n\n")
        self.stdout.flush()

    async def relayed(self, msg: Relayed) -> None:
        """A message from a person of PAT, or about the conversation with them."""
        buttons: tuple[OutButton, ...] = ()
        if msg.kind == "to_person":
            state = await self.service.state_of(self.chat_key)
            label = self.service.translator(state).gettext(END_BUTTON)
            buttons = (OutButton(callback_data(0, END_CHAT), label),)
        self.show([Outgoing(msg.text, buttons, expects="choice" if buttons else "nothing")])

    async def run(self, *, new: bool = False) -> int:
        # Its own key: another terminal on the same folder is another person.
        self.service.chats.connect(self.chat_key, tell=self.notify, relay=self.relayed)
        state = await self.service.state_of(self.chat_key)
        resumable = state is not None and state.started and state.step != MENU_STEP and not new
        if not resumable:
            await self._send(Start(locale=self.locale))
        elif self.locale and state is not None and state.locale != self.locale:
            await self._send(SetLocale(self.locale))  # --lang switches a conversation too
        else:
            await self._send(Command("resume"))
        interactive = self.stdin.isatty()
        while True:
            if interactive:
                self.stdout.write("> ")
                self.stdout.flush()
            line, length = await asyncio.to_thread(self.read_line)
            if not line:
                return 0
            line = line.rstrip("\n")
            if not line.strip():
                continue
            for event in self.events_for(line):
                if isinstance(event, Text) and length > len(line):  # the engine says how long
                    event = Text(event.text, length=length)
                await self._send(event)
