"""The conversation service: one entry point shared by every channel (terminal, web, Telegram).

``handle`` is: load the person's state → understand what they typed → ``advance`` the pure
engine → store everything the event changed in one transaction → render the answer. The person
is answered only after the commit, so a crash at any point loses nothing, and a request is
stored with its composed e-mail before anyone says it was received (the outbox delivers it).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.channels.registry import channel_of
from bot.conversation.i18n import Catalogs, Translator
from bot.conversation.limits import DailyQuota, FloodLimit
from bot.conversation.render import Outgoing, render_all, render_text
from bot.conversation.requests import draw_ref, new_request
from bot.conversation.turns import Reply as Reply  # the channels import it from here
from bot.conversation.turns import answer, honest_erasure, store_turn
from bot.conversation.understanding import Understanding, is_distress
from bot.delivery.outbox import Outbox
from bot.staff.handoff import HandOff
from bot.staff.stats import Counters
from flows.engine import (
    END_CHAT,
    Choice,
    Effect,
    Event,
    Start,
    State,
    Submit,
    Text,
    advance,
    prompt,
)
from flows.loader import FlowSet
from flows.nlu import Classifier
from flows.schema import InputStep
from flows.texts import SLOW_DOWN, TOO_MANY_REQUESTS
from storage import conversations
from storage.db import Database
from storage.erasure import Forgotten
from storage.models import RequestPayload

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


class ConversationService:
    """Runs conversations for every chat, durably."""

    def __init__(
        self,
        flows: FlowSet,
        db: Database,
        catalogs: Catalogs,
        outbox: Outbox,
        *,
        default_locale: str = "fr",
        clock: Callable[[], datetime] = utcnow,
        classifier: Classifier | None = None,
        context: dict[str, str] | None = None,
        flood: FloodLimit | None = None,
        quota: DailyQuota | None = None,
    ) -> None:
        self.flows = flows
        self.db = db
        self.catalogs = catalogs
        self.outbox = outbox
        self.chats = outbox.chats  # how channels of this process reach their chats
        self.default_locale = default_locale
        self.clock = clock
        self.classifier = classifier or Classifier.from_flows(flows)
        self.understanding = Understanding(flows, self.classifier)
        # Values texts may show (the privacy notice's retention periods and contacts); each
        # chat adds its own (``context_for``).
        self.context = context or {}
        self.flood = flood or FloodLimit(30)
        self.quota = quota or DailyQuota(3)
        self.counters = Counters()
        self.handoff: HandOff | None = None  # a person from PAT answering in the chat
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self._topic_labels = {name: label for name, (_, label) in flows.intent_targets().items()}

    # -- one event -----------------------------------------------------------------------------

    async def handle(
        self,
        chat_key: str,
        event: Event,
        *,
        locale: str | None = None,
        update_id: int | None = None,
        username: str | None = None,
    ) -> list[Outgoing]:
        """Apply one event for one chat; return the messages to show, in order."""
        reply = await self.handle_full(
            chat_key, event, locale=locale, update_id=update_id, username=username
        )
        return reply.messages

    async def handle_full(
        self,
        chat_key: str,
        event: Event,
        *,
        locale: str | None = None,
        update_id: int | None = None,
        username: str | None = None,
        address: str | None = None,
    ) -> Reply:
        """Like ``handle``, with the state before and after (adapters need both). With an
        ``update_id``, an update applied before (redelivered after a crash) changes nothing
        and returns no message. ``username`` (Telegram's, when the person has one) goes with a
        request sent by this event, as the consent notice says. ``address`` (the web page's
        client) is counted too for the daily limit of requests."""
        if isinstance(event, Text):  # lone surrogates and the like: replaced, never a crash
            event = replace(event, text=event.text.encode("utf-8", "replace").decode("utf-8"))
        async with self._lock(chat_key):
            before = await conversations.load_conversation(self.db, chat_key)
            state = before or State(locale=locale or self.default_locale)
            relayed = await self._handoff_turn(chat_key, state, event, update_id)
            if relayed is not None:
                return Reply(relayed, before, before)
            context = self.context_for(chat_key)
            event = self.understanding.read(state, event, self.translator(state), context)
            if not is_distress(event):  # distress is never silenced by the flood limit
                limit = self.flood.check(chat_key)
                if limit != "ok":
                    notice = [render_text(SLOW_DOWN, self.translator(state))]
                    return Reply(notice if limit == "warn" else [], before, before)
            now = self.clock()
            if self.understanding.sends(state, event) and await self.quota.reached(
                self.db, chat_key, now, address
            ):
                notice = [render_text(TOO_MANY_REQUESTS, self.translator(state))]
                return Reply(notice + self.current_prompt(chat_key, state), before, before)
            after, effects = advance(self.flows, state, event, now)
            try:
                saved, stored = await store_turn(
                    self.db, self._new_request, chat_key, after, effects, now, update_id, username
                )
            except conversations.AlreadyApplied:
                return Reply([], before, before)
            self._after_commit(chat_key, saved, event, (state, after), effects, now, address)
            if saved.forgotten is not None:
                effects = await self._erase(chat_key, effects, saved.forgotten)
            out = answer(self.translator(after), context, effects, saved, now)
            await self._follow_up(chat_key, stored)
            return Reply(out, before, after, erased=saved.forgotten is not None)

    async def _handoff_turn(
        self, chat_key: str, state: State, event: Event, update_id: int | None
    ) -> list[Outgoing] | None:
        """While a person from PAT answers in this chat, the person's texts go to them. None:
        the bot handles the event as usual (a button, a command; distress too, after it has
        been passed on, so that the help lines show at once). Also tells ``state`` whether
        staff can answer here now (« Ici, dans ce chat »)."""
        if self.handoff is None:
            return None
        state.reply_here = self.handoff.can_reply_here(chat_key)
        if isinstance(event, Choice) and event.option == END_CHAT:
            ended = await self.handoff.person_ends(chat_key)
            return [Outgoing(ended)] if ended else None
        if not isinstance(event, Text):
            return None
        row = await self.handoff.open_for(chat_key)
        if row is None:
            return None
        if isinstance(self.flows.steps.get(state.step), InputStep) and state.started:
            return None  # filling in a new request: the bot's question is answered first
        crisis = self.classifier.crisis(event.text, state.locale)
        limit = self.flood.check(chat_key) if crisis is None else "ok"
        if limit != "ok":  # staff are not flooded either
            return [render_text(SLOW_DOWN, self.translator(state))] if limit == "warn" else []
        recorded_here = crisis is None and update_id is not None  # else with the turn
        if recorded_here and not await conversations.record_update(
            self.db, update_id or 0, self.clock()
        ):
            return []  # Telegram sent this update again: passed on already
        reminder = await self.handoff.person_writes(row, event.text, distress=crisis is not None)
        if crisis is not None:
            return None
        return [Outgoing(reminder)] if reminder else []

    def _after_commit(
        self,
        chat_key: str,
        saved: conversations.Saved,
        event: Event,
        states: tuple[State, State],
        effects: list[Effect],
        now: datetime,
        address: str | None,
    ) -> None:
        """Counters, the outbox woken, and the daily limit's count (per address too)."""
        day = now.date().isoformat()
        self.counters.event(day, event, *states, effects)
        submits = [e for e in effects if isinstance(e, Submit)]
        for submit, (ref, duplicate) in zip(submits, saved.requests, strict=True):
            if not duplicate:
                self.counters.request(day, submit)
                self.counters.add(day, "channel", channel_of(chat_key).name)
                log.info("request %s stored", ref)
                self.outbox.kick()
                self.quota.sent(address)

    async def _follow_up(self, chat_key: str, stored: list[RequestPayload]) -> None:
        """Staff hear about each new request (bot/staff/handoff.py)."""
        if self.handoff is not None:
            for payload in stored:
                await self.handoff.offer(chat_key, payload)

    async def _erase(self, chat_key: str, effects: list[Effect], gone: Forgotten) -> list[Effect]:
        """Finish the erasure the person asked for before answering: staff answering them are
        told, files and the log emptied; « tout effacé » only when nothing remains readable
        (bot/delivery/erasures.py)."""
        if self.handoff is not None:
            await self.handoff.forgotten(chat_key, gone.handoffs)
        finished = await self.outbox.erasures.finish()
        log.info("a person's data was erased at their request")
        return honest_erasure(effects, gone.in_flight, finished)

    # -- helpers --------------------------------------------------------------------------------

    @staticmethod
    def _draw_ref(now: datetime) -> str:
        return draw_ref(now)

    def _new_request(
        self, chat_key: str, submit: Submit, now: datetime, username: str | None
    ) -> conversations.NewRequest:
        fr = self.catalogs.get("fr")
        return new_request(
            chat_key, submit, self._draw_ref(now), now, fr, self._topic_labels, username
        )

    def _lock(self, chat_key: str) -> asyncio.Lock:
        """One person's events are handled one at a time, in order."""
        lock = self._locks.get(chat_key)
        if lock is None:
            lock = self._locks[chat_key] = asyncio.Lock()
        return lock

    # -- for the channels -----------------------------------------------------------------------

    async def state_of(self, chat_key: str) -> State | None:
        return await conversations.load_conversation(self.db, chat_key)

    def translator(self, state: State | None) -> Translator:
        return self.catalogs.get(state.locale if state else self.default_locale)

    def context_for(self, chat_key: str) -> dict[str, str]:
        """The values texts show in this chat: the settings' (``context``), the chat's channel
        (the privacy notice says only what applies to it), and ``handoff`` when a person from
        PAT can answer in this chat (bot/staff/desks.py)."""
        context = {**self.context, "channel": channel_of(chat_key).name}
        if self.handoff is not None and self.handoff.staff_for(chat_key):
            context["handoff"] = "on"
        return context

    def current_prompt(self, chat_key: str, state: State) -> list[Outgoing]:
        context = self.context_for(chat_key)
        return render_all(prompt(self.flows, state), self.translator(state), context)

    async def explain(self, chat_key: str, msgid: str) -> list[Outgoing]:
        """A short explanation (e.g. 'I read only text'), then the current question again."""
        state = await self.state_of(chat_key)
        if state is None or not state.started:
            first = await self.handle(chat_key, Start())
            return [render_text(msgid, self.translator(state)), *first]
        again = self.current_prompt(chat_key, state)
        return [render_text(msgid, self.translator(state)), *again]

    def expects_phone(self, state: State | None) -> bool:
        step = self.flows.steps.get(state.step) if state else None
        return isinstance(step, InputStep) and step.validator == "phone"

    async def first_time(self, update_id: int) -> bool:
        """Whether this Telegram update is new (Telegram sends one again after a crash),
        recorded now: for updates that change no conversation (the turn records its own)."""
        return await conversations.record_update(self.db, update_id, self.clock())

    async def forget_updates(self, days: int = 7) -> None:
        """Updates older than ``days`` are never sent again: their ids may go."""
        await conversations.forget_updates_before(self.db, self.clock() - timedelta(days=days))

    async def flush_counts(self) -> None:
        """Write the anonymous counters gathered in memory (every few seconds, and at exit)."""
        await self.counters.flush(self.db)
