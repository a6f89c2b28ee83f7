"""A person from PAT answers in the chat: the hand-off from the bot to staff.

When a request arrives, staff get a short card in their chat (Telegram: ``PAT_STAFF_CHAT_ID``
or each id of ``PAT_STAFF_IDS``; terminal: ``pat-bot staff``). If the person chose « Ici, dans
ce chat », the card has a button « Répondre dans le chat »: the first staff member who answers
takes the conversation; their messages reach the person signed « Anne, de l'équipe PAT : »,
and the person's messages reach staff tagged with the reference, until either side ends it or
``PAT_HANDOFF_DAYS`` pass without a message. While it is open the service still checks each
message for distress first (help lines for the person, a warning for staff) and commands still
work (bot/conversation/service.py).

Messages go through the relay queue (storage/handoffs.py), in order, retried when the channel
refuses them; a message that cannot be delivered is dropped after a few tries and its sender is
told. A chat that is away (a web page closed: ``Away``) is not refused: its messages wait for
it without counting tries. A message stays in the queue only until it is delivered: no text is
kept.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.channels.base import Away, Chats
from bot.channels.registry import TELEGRAM, channel_of, is_desk
from bot.conversation.i18n import Catalogs, Translator
from bot.delivery.backoff import backoff
from bot.staff import desks
from bot.staff import handoff_texts as words
from bot.staff import texts as staff
from bot.staff.desks import CONSOLE as CONSOLE  # imported from here (the console, the tests)
from bot.staff.handoff_texts import END_BUTTON as END_BUTTON  # imported from here (channels)
from bot.staff.texts import say
from storage import handoffs
from storage.db import Database
from storage.handoffs import HandOffRow, Relayed
from storage.models import RequestPayload

log = logging.getLogger(__name__)


class Undeliverable(Exception):
    """A channel refused a message for good (not a passing failure): no retry."""


Count = Callable[[str], None]

MAX_ATTEMPTS = 6  # about a minute of tries, then the sender is told
POLL_SECONDS = 1.0  # another process (pat-bot staff, pat-bot chat) may have queued something


def utcnow() -> datetime:
    return datetime.now(UTC)


class HandOff:
    """Cards to staff, conversations between a person and a staff member, and their relay."""

    def __init__(
        self,
        db: Database,
        catalogs: Catalogs,
        staff_voice: Translator,
        *,
        days: int = 7,
        console: Path | None = None,
        clock: Callable[[], datetime] = utcnow,
        chats: Chats | None = None,
        wake: Callable[[], None] = lambda: None,
    ) -> None:
        self.db = db
        self.catalogs = catalogs
        self.t = staff_voice
        self.days = days
        self.console = console  # pat-bot staff's file: terminal people get a person then
        self.clock = clock
        self.chats = chats or Chats()  # where each message is relayed
        self.telegram_staff: list[str] = []  # tg-staff:<chat id>, set by the Telegram adapter
        self.count: Count = lambda _key: None
        self._wake = wake  # the background loop's (bot/background.py)

    # -- who is there ----------------------------------------------------------------------------

    def staff_for(self, chat_key: str) -> list[str]:
        """Where staff read about this person's requests and conversations (bot/staff/desks.py)."""
        return desks.staff_for(chat_key, self.telegram_staff, self.console)

    def can_reply_here(self, chat_key: str) -> bool:
        """Whether to offer « Ici, dans ce chat »: staff can answer in this chat now."""
        return desks.can_reply_here(chat_key, self.telegram_staff, self.console)

    @staticmethod
    def pieces(text: str, limit: int = TELEGRAM.relay_limit) -> list[str]:
        """A long text in parts a chat can carry, in order (the staff chat is Telegram's)."""
        return [text[i : i + limit] for i in range(0, len(text), limit)] or [""]

    def _person(self, locale: str) -> Translator:
        return self.catalogs.get(locale)

    async def _queue(self, *messages: tuple[str, str, str, str, str]) -> None:
        await handoffs.enqueue(self.db, messages)
        self._wake()

    async def _to_staff(self, chat_key: str, ref: str, kind: str, text: str) -> None:
        await self._queue(*((to, ref, kind, text, "") for to in self.staff_for(chat_key)))

    # -- a new request -----------------------------------------------------------------------------

    async def offer(self, chat_key: str, payload: RequestPayload) -> None:
        """Tell staff about a new request; a hand-off is offered when the person chose it."""
        where = self.staff_for(chat_key)
        channel = channel_of(chat_key)
        chosen = payload.value("contact_pref") == "chat" and channel.handoff
        if not where or (where == [CONSOLE] and not chosen and not self.can_reply_here(chat_key)):
            return  # nobody to tell (a terminal without its console keeps nothing waiting)
        if not chosen and not channel.card_always:
            return  # the request goes by e-mail only: nothing of it through Telegram
        text = words.card(self.t, chat_key, payload, chosen)
        if chosen:
            await handoffs.offer(self.db, payload.ref, chat_key, payload.locale, self.clock())
        await self._to_staff(chat_key, payload.ref, "card_chat" if chosen else "card", text)

    # -- the person's side -------------------------------------------------------------------------

    async def open_for(self, chat_key: str) -> HandOffRow | None:
        return await handoffs.open_for(self.db, chat_key)

    async def person_writes(self, row: HandOffRow, text: str, distress: bool) -> str | None:
        """Pass the person's message on to staff; returns the reminder to show once, if due."""
        msgid = staff.PERSON_DISTRESS if distress else staff.PERSON_SAYS
        said = say(self.t, msgid, ref=row.ref, text=text)
        where = self.staff_for(row.chat_key)
        await self._queue(*((to, row.ref, "to_staff", said, row.chat_key) for to in where))
        await handoffs.touch(self.db, row.ref, self.clock(), "reminded")
        self.count("to_staff")
        if row.reminded:
            return None
        return say(self._person(row.locale), words.REMINDER, name=row.staff_name or "")

    async def person_sent_media(self, chat_key: str) -> str | None:
        """A photo, file or sticker during a hand-off: staff hear that one came (not what);
        what to tell the person (None: no hand-off open, the bot answers as usual)."""
        row = await handoffs.open_for(self.db, chat_key)
        if row is None:
            return None
        await self._to_staff(
            chat_key, row.ref, "notice", say(self.t, staff.PERSON_MEDIA, ref=row.ref)
        )
        return say(self._person(row.locale), words.MEDIA_NOT_PASSED, name=row.staff_name or "")

    async def person_ends(self, chat_key: str) -> str | None:
        """The person pressed « Terminer »: what to tell them (None: nothing was open)."""
        row = await handoffs.open_for(self.db, chat_key)
        if row is None or not await handoffs.close(self.db, row.ref, "person", self.clock()):
            return None
        await self._to_staff(
            chat_key, row.ref, "notice", say(self.t, staff.PERSON_ENDED, ref=row.ref)
        )
        return self._person(row.locale).gettext(words.ENDED_BY_YOU)

    async def forgotten(self, chat_key: str, refs: list[str]) -> None:
        """/forget ended these hand-offs (storage/erasure.py erased them and their queue):
        staff are told."""
        for ref in refs:
            await self._to_staff(chat_key, ref, "notice", say(self.t, staff.FORGOTTEN, ref=ref))

    # -- the staff side ----------------------------------------------------------------------------

    async def take(self, ref: str, staff_key: str, name: str) -> tuple[bool, str]:
        """A staff member wants to answer ``ref``: (may write now, what to tell them)."""
        outcome = await handoffs.take(self.db, ref, staff_key, name, self.clock())
        row = await handoffs.get(self.db, ref)
        if outcome == "other" and row is not None:
            return False, say(self.t, staff.ALREADY_TAKEN, ref=ref, name=row.staff_name or "")
        if outcome in ("unknown", "closed") or row is None:
            return False, say(self.t, staff.NO_CHAT, ref=ref)
        if outcome == "taken":
            self.count("opened")
            text = say(self.t, staff.TAKEN_BY, ref=ref, name=name)
            await self._to_staff(row.chat_key, ref, "notice", text)
        return True, say(self.t, staff.FOCUS, ref=ref, name=name)

    async def staff_writes(
        self, ref: str, staff_key: str, name: str, text: str, where: str
    ) -> str | None:
        """Pass a staff member's message on to the person; what to tell staff if it cannot."""
        allowed, why = await self.take(ref, staff_key, name)
        row = await handoffs.get(self.db, ref)
        if not allowed or row is None:
            return why
        t = self._person(row.locale)
        said = say(t, words.STAFF_SAYS, name=name, text=text)
        if not row.introduced:
            said += "\n\n" + t.gettext(words.FIRST_NOTE)
        await self._queue((row.chat_key, ref, "to_person", said, where))
        await handoffs.touch(self.db, ref, self.clock(), "introduced")
        self.count("to_person")
        return None

    async def staff_closes(self, ref: str, staff_key: str, name: str) -> str:
        row = await handoffs.get(self.db, ref)
        if row is None or row.closed_at is not None:
            return say(self.t, staff.NO_CHAT, ref=ref)
        if row.staff_key not in (None, staff_key):
            return say(self.t, staff.ALREADY_TAKEN, ref=ref, name=row.staff_name or "")
        await handoffs.close(self.db, ref, "staff", self.clock())
        if row.staff_key is not None:  # the person was talking with someone: they are told
            ended = say(self._person(row.locale), words.ENDED_BY_STAFF, name=name)
            await self._queue((row.chat_key, ref, "notice", ended, ""))
        text = say(self.t, staff.STAFF_ENDED, ref=ref, name=name)
        await self._to_staff(row.chat_key, ref, "notice", text)
        return text

    # -- time ----------------------------------------------------------------------------

    async def expire(self) -> int:
        """Close hand-offs without a message for ``days``; both sides are told."""
        now = self.clock()
        rows = await handoffs.idle_since(self.db, now - timedelta(days=self.days))
        for row in rows:
            if not await handoffs.close(self.db, row.ref, "expired", now):
                continue
            if row.staff_key is not None:
                ended = say(self._person(row.locale), words.EXPIRED, days=self.days)
                await self._queue((row.chat_key, row.ref, "notice", ended, ""))
                text = say(self.t, staff.EXPIRED_STAFF, ref=row.ref, days=self.days)
                await self._to_staff(row.chat_key, row.ref, "notice", text)
        return len(rows)

    # -- delivery ----------------------------------------------------------------------------

    def backoff(self, attempts: int) -> float:
        return backoff(attempts, 2.0, 30.0)  # no spread: one relay per chat, in order

    async def deliver(self) -> int:
        """Send what is queued for the chats this process serves, in order per chat: a chat
        whose message waits for a retry gets nothing newer meanwhile. Returns how many went."""
        sent = 0
        blocked: set[str] = set()
        now = self.clock()
        for msg in await handoffs.waiting(self.db, self.chats.relayed()):
            if msg.to_key in blocked:
                continue
            if msg.next_attempt_at is not None and msg.next_attempt_at > now:
                blocked.add(msg.to_key)
                continue
            sender = self.chats.relayer(msg.to_key)
            assert sender is not None  # waiting() gave only the chats relayed here
            try:
                await sender(msg)
            except Away:  # no page open: it waits, in order, and no try is counted
                blocked.add(msg.to_key)
                continue
            except Exception as exc:  # the channel refused: retry, or give up and tell
                await self._failed(msg, exc, blocked)
                continue
            await handoffs.delivered(self.db, msg.id)
            sent += 1
        return sent

    async def _failed(self, msg: Relayed, exc: Exception, blocked: set[str]) -> None:
        error = type(exc).__name__
        if msg.attempts + 1 < MAX_ATTEMPTS and not isinstance(exc, Undeliverable):
            blocked.add(msg.to_key)
            when = self.clock() + timedelta(seconds=self.backoff(msg.attempts + 1))
            await handoffs.retry_at(self.db, msg.id, when)
            log.warning("relay %s to a chat failed (%s); trying again", msg.ref, error)
            return
        await handoffs.delivered(self.db, msg.id)  # given up: dropped, and its sender told
        log.error("relay %s not delivered after %d tries (%s)", msg.ref, MAX_ATTEMPTS, error)
        if is_desk(msg.from_key):
            text = say(self.t, staff.NOT_DELIVERED_TO_PERSON, ref=msg.ref, error=error)
            await self._queue((msg.from_key, msg.ref, "notice", text, ""))
        elif msg.from_key:  # the person's message did not reach staff: they hear it
            row = await handoffs.get(self.db, msg.ref)
            t = self._person(row.locale if row else "fr")
            await self._queue((msg.from_key, msg.ref, "notice", t.gettext(words.NOT_PASSED_ON), ""))

    def kick(self) -> None:
        self._wake()

    async def round(self) -> float:
        """One round of the background loop: deliver what is queued; then every second, since
        another process (pat-bot staff, pat-bot chat) may queue something too."""
        await self.deliver()
        return POLL_SECONDS
