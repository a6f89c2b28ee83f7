"""The conversation service: one entry point shared by the terminal and Telegram adapters.

For each thing a person does it loads their state, runs the pure engine, and in one SQLite
transaction stores the new state, any consent and any finished request (with its composed
e-mail). Only after that commit is the person answered and delivery attempted, so a crash at
any point loses nothing and sends nothing twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
import time
import weakref
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import aiosqlite
from babel import Locale

from bot.i18n import Catalogs, Translator
from bot.mail import compose
from bot.outbox import Outbox
from bot.render import Outgoing, fold, render, render_text
from flows.engine import (
    SEND,
    Choice,
    ConsentGiven,
    Effect,
    Event,
    Forget,
    Say,
    Start,
    State,
    Submit,
    Text,
    advance,
    prompt,
)
from flows.loader import FlowSet
from flows.nlu import Classifier
from flows.schema import InputStep, SummaryStep
from flows.texts import CRISIS, DUPLICATE, SLOW_DOWN, TOO_MANY_REQUESTS
from storage import repo
from storage.db import Database
from storage.models import PayloadField, RequestPayload

log = logging.getLogger(__name__)

DAY = timedelta(days=1)
_REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read aloud


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
        mail_from: str,
        mail_to: str,
        default_locale: str = "fr",
        clock: Callable[[], datetime] = utcnow,
        classifier: Classifier | None = None,
        retention_days: int = 30,
        abandoned_days: int = 7,
        rate_limit_per_minute: int = 30,
        max_requests_per_day: int = 3,
    ) -> None:
        self.flows = flows
        self.db = db
        self.catalogs = catalogs
        self.outbox = outbox
        self.mail_from = mail_from
        self.mail_to = mail_to
        self.default_locale = default_locale
        self.clock = clock
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self.classifier = classifier or Classifier.from_flows(flows)
        # Values any text may show (the privacy notice names the retention periods).
        self.context = {
            "retention_days": str(retention_days),
            "abandoned_days": str(abandoned_days),
        }
        self.rate_limit = rate_limit_per_minute
        self.max_requests_per_day = max_requests_per_day
        self._recent: dict[str, deque[float]] = {}
        self._warned: set[str] = set()
        self._topic_labels = {name: label for name, (_, label) in flows.intent_targets().items()}

    # -- public -------------------------------------------------------------------------------

    async def state_of(self, chat_key: str) -> State | None:
        return await repo.load_conversation(self.db, chat_key)

    async def handle(
        self,
        chat_key: str,
        event: Event,
        *,
        locale: str | None = None,
        update_id: int | None = None,
    ) -> list[Outgoing]:
        """Apply one event for one chat; return the messages to show, in order.

        With an ``update_id``, an update already applied (redelivered after a crash) changes
        nothing and returns no message.
        """
        async with self._lock(chat_key):
            if update_id is not None and await repo.update_seen(self.db, update_id):
                return []
            if not self._within_rate(chat_key):
                if chat_key in self._warned:
                    return []  # told once; quiet until the minute has passed
                self._warned.add(chat_key)
                state = await repo.load_conversation(self.db, chat_key)
                return [render_text(SLOW_DOWN, self.translator(state))]
            return await self._handle(chat_key, event, locale, update_id)

    def _within_rate(self, chat_key: str) -> bool:
        """Sliding one-minute window of events per person (kept in memory only)."""
        now = time.monotonic()
        window = self._recent.setdefault(chat_key, deque())
        while window and now - window[0] > 60:
            window.popleft()
        if len(window) >= self.rate_limit:
            return False
        window.append(now)
        self._warned.discard(chat_key)
        if len(self._recent) > 10_000:  # forget idle people
            for key in [k for k, w in self._recent.items() if not w or now - w[-1] > 60]:
                del self._recent[key]
        return True

    async def explain(self, chat_key: str, msgid: str) -> list[Outgoing]:
        """A short explanation (e.g. 'I read only text'), then the current question again."""
        async with self._lock(chat_key):
            state = await repo.load_conversation(self.db, chat_key)
        if state is None or not state.started:
            first = await self.handle(chat_key, Start())
            return [render_text(msgid, self.translator(state)), *first]
        return [render_text(msgid, self.translator(state)), *self.current_prompt(state)]

    def expects_phone(self, state: State | None) -> bool:
        if state is None:
            return False
        step = self.flows.steps.get(state.step)
        return isinstance(step, InputStep) and step.validator == "phone"

    def _lock(self, chat_key: str) -> asyncio.Lock:
        lock = self._locks.get(chat_key)
        if lock is None:
            lock = self._locks[chat_key] = asyncio.Lock()
        return lock

    def translator(self, state: State | None) -> Translator:
        return self.catalogs.get(state.locale if state else self.default_locale)

    def current_prompt(self, state: State) -> list[Outgoing]:
        t = self.translator(state)
        return [render(e, t, self.context) for e in prompt(self.flows, state) if isinstance(e, Say)]

    async def _count(
        self,
        conn: aiosqlite.Connection,
        now: datetime,
        event: Event,
        old: State,
        new: State,
        effects: list[Effect],
    ) -> None:
        """Anonymous counters for staff statistics: no chat key, no text, only ids."""
        if isinstance(event, Start):
            await repo.count(conn, now, "conversation")
        if new.source and new.source != old.source:
            await repo.count(conn, now, "source", new.source)
        for topic in new.faq_read:
            if topic not in old.faq_read:
                await repo.count(conn, now, "faq", topic)
        if new.step != old.step or isinstance(event, Start):
            await repo.count(conn, now, "reached", new.step)
        for effect in effects:
            if isinstance(effect, Say) and effect.text.id == CRISIS:
                await repo.count(conn, now, "crisis")

    @staticmethod
    async def _count_request(conn: aiosqlite.Connection, now: datetime, submit: Submit) -> None:
        await repo.count(conn, now, "request", submit.offer)
        await repo.count(conn, now, "region", str(submit.answers.get("region", "")))
        await repo.count(conn, now, "language", submit.locale)

    # -- internals ----------------------------------------------------------------------------

    async def _handle(
        self, chat_key: str, event: Event, locale: str | None, update_id: int | None
    ) -> list[Outgoing]:
        state = await repo.load_conversation(self.db, chat_key)
        if state is None:
            state = State(locale=locale or self.default_locale)
        if isinstance(event, Text) and state.started:
            event = self._match_label(state, event)
        if isinstance(event, Text):
            event = Text(event.text, self.classifier.classify(event.text, state.locale))
        now = self.clock()
        if await self._over_daily_quota(chat_key, state, event, now):
            t = self.translator(state)
            return [render_text(TOO_MANY_REQUESTS, t), *self.current_prompt(state)]
        new_state, effects = advance(self.flows, state, event, now)
        context: dict[str, str] = dict(self.context)
        submitted: list[str] = []
        duplicate = False
        forgotten: list[str] | None = None
        async with self.db.transaction() as conn:
            if update_id is not None:
                await repo.record_update(conn, update_id, now)
            await self._count(conn, now, event, state, new_state, effects)
            for effect in effects:
                if isinstance(effect, Forget):
                    forgotten = await repo.forget_person(conn, chat_key, now)
                elif isinstance(effect, ConsentGiven):
                    await repo.insert_consent(conn, chat_key, effect.version, effect.at)
                elif isinstance(effect, Submit):
                    context["date"] = self.translator(new_state).long_date(now)
                    fingerprint = self._fingerprint(chat_key, effect)
                    same = await repo.same_request_since(conn, fingerprint, now - DAY)
                    if same is not None:
                        context["ref"] = same
                        duplicate = True
                        continue
                    ref = await self._new_ref(conn, now)
                    payload = self._payload(effect, ref, now)
                    message = compose(payload, self.mail_from, self.mail_to)
                    await repo.insert_request(
                        conn, chat_key, payload, message.as_bytes(), fingerprint
                    )
                    await self._count_request(conn, now, effect)
                    context["ref"] = ref
                    submitted.append(ref)
            await repo.save_conversation(conn, chat_key, new_state, now)
        for ref in submitted:
            log.info("request %s stored", ref)
            self.outbox.kick()
        if forgotten is not None:
            await self.db.checkpoint()
            await self.outbox.forget_files(forgotten)
            log.info("a person's data was erased at their request")
        t = self.translator(new_state)
        out = [render(e, t, context) for e in effects if isinstance(e, Say)]
        return [render_text(DUPLICATE, t), *out] if duplicate else out

    async def _over_daily_quota(
        self, chat_key: str, state: State, event: Event, now: datetime
    ) -> bool:
        """Sending one more request today would pass the daily limit."""
        sending = (
            isinstance(event, Choice)
            and event.option == SEND
            and isinstance(self.flows.steps.get(state.step), SummaryStep)
            and state.mode == "normal"
        )
        if not sending:
            return False
        return await repo.requests_since(self.db, chat_key, now - DAY) >= (
            self.max_requests_per_day
        )

    @staticmethod
    def _fingerprint(chat_key: str, submit: Submit) -> str:
        data = json.dumps([chat_key, submit.offer, dict(submit.answers)], sort_keys=True)
        return hashlib.sha256(data.encode("utf-8")).hexdigest()

    def _match_label(self, state: State, event: Text) -> Event:
        """Typing a button's label counts as pressing it."""
        typed = fold(event.text)
        if not typed:
            return event
        for out in self.current_prompt(state):
            for button in out.buttons:
                if fold(button.label) == typed:
                    turn, _, option = button.data.partition(":")
                    return Choice(option=option, turn=int(turn))
        return event

    async def _new_ref(self, conn: aiosqlite.Connection, now: datetime) -> str:
        while True:
            suffix = "".join(secrets.choice(_REF_ALPHABET) for _ in range(4))
            ref = f"R-{now:%y%m%d}-{suffix}"
            if not await repo.ref_exists(conn, ref):
                return ref

    def _payload(self, submit: Submit, ref: str, now: datetime) -> RequestPayload:
        fr = self.catalogs.get("fr")
        fields = []
        for f in submit.fields:
            value = f.value
            if isinstance(value, tuple):
                shown = ", ".join(fr.render(v) for v in value)
            elif isinstance(value, str):
                shown = value
            else:
                shown = fr.render(value)
            raw = list(f.raw) if isinstance(f.raw, tuple) else f.raw
            fields.append(PayloadField(key=f.key, label=fr.render(f.label), value=shown, raw=raw))
        return RequestPayload(
            ref=ref,
            offer=submit.offer,
            offer_label=fr.render(submit.offer_title),
            created_at=now,
            locale=submit.locale,
            locale_label=Locale.parse(submit.locale).get_display_name("fr") or submit.locale,
            fields=fields,
            faq_read=list(submit.faq_read),
            faq_read_labels=[self._topic_labels.get(t, t) for t in submit.faq_read],
            consent_version=submit.consent_version,
            consent_at=submit.consent_at,
            source=submit.source,
        )
