"""The conversation service: one entry point shared by the terminal and Telegram adapters.

For each thing a person does it loads their state, runs the pure engine, and in one SQLite
transaction (grouped with other people's, see ``Database.run``) stores the new state, any
consent and any finished request (with its composed e-mail). Only after that commit is the
person answered and delivery attempted, so a crash at any point loses nothing and sends
nothing twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
import sqlite3
import time
import weakref
from collections import Counter, OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from babel import Locale

from bot.i18n import Catalogs, Translator
from bot.mail import compose
from bot.outbox import Outbox
from bot.render import SELECTED_MARK, Outgoing, fold, render_all, render_text
from flows.engine import (
    SEND,
    Choice,
    ConsentGiven,
    Effect,
    Event,
    Forget,
    Intent,
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
from flows.texts import (
    CHECK_OTHER,
    CHECK_SELF,
    CRISIS,
    CRISIS_OTHER,
    CRISIS_SHELTER,
    DUPLICATE,
    SLOW_DOWN,
    TOO_MANY_REQUESTS,
)
from storage import repo
from storage.db import Database, Rollback, Work, statements_work
from storage.models import PayloadField, RequestPayload

log = logging.getLogger(__name__)

DAY = timedelta(days=1)
_CACHE_SIZE = 100_000


_REF_TAKEN = object()  # the reference drawn exists already: draw another


class _AlreadyProcessed(Exception):
    """This update id was applied before (Telegram redelivered it after a crash)."""


@dataclass
class Reply:
    """What to show, and the person's state before and after the event."""

    messages: list[Outgoing]
    before: State | None
    after: State | None


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
        notice: dict[str, str] | None = None,
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
        # Values any text may show (the privacy notice names the retention periods, and what
        # PAT set among controller_address, privacy_contact, mailbox_days).
        self.context = {
            "retention_days": str(retention_days),
            "abandoned_days": str(abandoned_days),
            **(notice or {}),
        }
        self.rate_limit = rate_limit_per_minute
        self.max_requests_per_day = max_requests_per_day
        self._recent: dict[str, deque[float]] = {}
        self._cache: OrderedDict[str, State] = OrderedDict()
        self._counts: Counter[tuple[str, str, str]] = Counter()
        self._warned: set[str] = set()
        self._topic_labels = {name: label for name, (_, label) in flows.intent_targets().items()}

    # -- public -------------------------------------------------------------------------------

    async def state_of(self, chat_key: str) -> State | None:
        """The person's state: from memory when known, else from the database."""
        state = self._cache.get(chat_key)
        if state is None:
            state = await repo.load_conversation(self.db, chat_key)
            if state is not None:
                self._remember(chat_key, state)
        return state

    def _remember(self, chat_key: str, state: State) -> None:
        # Write-through: only states already committed to SQLite are cached.
        self._cache[chat_key] = state
        self._cache.move_to_end(chat_key)
        while len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)

    def drop_cache(self) -> None:
        """After changes made behind the service's back (retention purges)."""
        self._cache.clear()

    async def handle(
        self,
        chat_key: str,
        event: Event,
        *,
        locale: str | None = None,
        update_id: int | None = None,
    ) -> list[Outgoing]:
        """Apply one event for one chat; return the messages to show, in order."""
        reply = await self.handle_full(chat_key, event, locale=locale, update_id=update_id)
        return reply.messages

    async def handle_full(
        self,
        chat_key: str,
        event: Event,
        *,
        locale: str | None = None,
        update_id: int | None = None,
    ) -> Reply:
        """Like ``handle``, with the state before and after (adapters need both).

        With an ``update_id``, an update already applied (redelivered after a crash) changes
        nothing and returns no message.
        """
        async with self._lock(chat_key):
            before = await self.state_of(chat_key)
            if not self._within_rate(chat_key):
                if chat_key in self._warned:
                    return Reply([], before, before)  # told once; quiet for the minute
                self._warned.add(chat_key)
                return Reply([render_text(SLOW_DOWN, self.translator(before))], before, before)
            try:
                return await self._handle(chat_key, event, before, locale, update_id)
            except _AlreadyProcessed:
                return Reply([], before, before)

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
            state = await self.state_of(chat_key)
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
        return render_all(prompt(self.flows, state), t, self.context)

    @staticmethod
    def _count(
        counts: Counter[tuple[str, str]],
        event: Event,
        old: State,
        new: State,
        effects: list[Effect],
    ) -> None:
        """Anonymous counters for staff statistics: no chat key, no text, only ids."""
        if isinstance(event, Start):
            counts["conversation", ""] += 1
        if new.source and new.source != old.source:
            counts["source", new.source] += 1
        for topic in new.faq_read:
            if topic not in old.faq_read:
                counts["faq", topic] += 1
        if new.step != old.step or isinstance(event, Start):
            counts["reached", new.step] += 1
        said = {e.text.id for e in effects if isinstance(e, Say)}
        if said & {CRISIS, CRISIS_OTHER, CRISIS_SHELTER}:
            # Help lines: at once (sure), or after "yes" to the question (confirmed).
            counts["crisis", "confirmed" if old.overlay == "check" else "sure"] += 1
        if said & {CHECK_SELF, CHECK_OTHER}:
            counts["crisis", "possible"] += 1

    @staticmethod
    def _count_request(counts: Counter[tuple[str, str]], submit: Submit) -> None:
        counts["request", submit.offer] += 1
        counts["region", str(submit.answers.get("region", ""))] += 1
        counts["language", submit.locale] += 1

    # -- internals ----------------------------------------------------------------------------

    async def _handle(
        self,
        chat_key: str,
        event: Event,
        before: State | None,
        locale: str | None,
        update_id: int | None,
    ) -> Reply:
        state = before or State(locale=locale or self.default_locale)
        if isinstance(event, Text) and state.started:
            event = self._match_label(state, event)
        if isinstance(event, Text):
            event = Text(event.text, self._understand(state, event.text))
        now = self.clock()
        if await self._over_daily_quota(chat_key, state, event, now):
            t = self.translator(state)
            notice = [render_text(TOO_MANY_REQUESTS, t), *self.current_prompt(state)]
            return Reply(notice, before, before)
        new_state, effects = advance(self.flows, state, event, now)
        context: dict[str, str] = dict(self.context)
        submitted: list[str] = []
        duplicate = False
        forgotten: list[str] | None = None
        counts: Counter[tuple[str, str]] = Counter()
        self._count(counts, event, state, new_state, effects)
        if not any(isinstance(e, Submit | Forget) for e in effects):
            # The common case: one grouped write (group commit), in one trip to the database.
            statements = [repo.record_update_sql(update_id, now)] if update_id is not None else []
            for effect in effects:
                if isinstance(effect, ConsentGiven):
                    statements.append(repo.insert_consent_sql(chat_key, effect.version, effect.at))
            statements.append(repo.save_conversation_sql(chat_key, new_state, now))
            if not await self.db.write(statements, guard_first=update_id is not None):
                raise _AlreadyProcessed
        elif any(isinstance(e, Forget) for e in effects):
            forgotten = await self._commit_forget(chat_key, update_id, now, new_state, effects)
        else:
            duplicate = await self._commit_submit(
                chat_key, update_id, now, new_state, effects, context, counts, submitted
            )
        self._remember(chat_key, new_state)
        day = now.date().isoformat()
        for (kind, key), n in counts.items():
            self._counts[(day, kind, key)] += n
        for ref in submitted:
            log.info("request %s stored", ref)
            self.outbox.kick()
        if forgotten is not None:
            await self.db.checkpoint()
            await self.outbox.forget_files(forgotten)
            log.info("a person's data was erased at their request")
        t = self.translator(new_state)
        out = render_all(effects, t, context)
        return Reply([render_text(DUPLICATE, t), *out] if duplicate else out, before, new_state)

    async def _commit_submit(
        self,
        chat_key: str,
        update_id: int | None,
        now: datetime,
        new_state: State,
        effects: list[Effect],
        context: dict[str, str],
        counts: Counter[tuple[str, str]],
        submitted: list[str],
    ) -> bool:
        """A request sent: stored with its e-mail, the consent and the new state, atomically,
        in one function run by the database thread within a group commit (no lock held across
        event-loop turns). Returns whether it was a duplicate of one sent in the last day."""
        submits = [e for e in effects if isinstance(e, Submit)]
        fingerprints = [self._fingerprint(chat_key, e) for e in submits]
        statements = [repo.record_update_sql(update_id, now)] if update_id is not None else []
        statements += [
            repo.insert_consent_sql(chat_key, e.version, e.at)
            for e in effects
            if isinstance(e, ConsentGiven)
        ]
        conversation = repo.save_conversation_sql(chat_key, new_state, now)

        def store(prepared: list[tuple[RequestPayload, bytes]]) -> Work:
            def work(conn: sqlite3.Connection) -> list[tuple[str, bool]]:
                # Rollback(False) when the update was applied before (redelivered).
                statements_work(statements, guard_first=update_id is not None)(conn)
                stored = store_requests(conn, prepared)
                conn.execute(*conversation)
                return stored

            return work

        def store_requests(
            conn: sqlite3.Connection, prepared: list[tuple[RequestPayload, bytes]]
        ) -> list[tuple[str, bool]]:
            """(reference, whether it is the same as one sent in the last day) per request."""
            stored = []
            for (payload, message), fingerprint in zip(prepared, fingerprints, strict=True):
                same = repo.same_request_since(conn, fingerprint, now - DAY)
                if same is not None:
                    stored.append((same, True))
                    continue
                if repo.ref_exists(conn, payload.ref):  # about one in a million per day
                    raise Rollback(_REF_TAKEN)
                conn.execute(*repo.insert_request_sql(chat_key, payload, message, fingerprint))
                stored.append((payload.ref, False))
            return stored

        result: object = _REF_TAKEN
        while result is _REF_TAKEN:
            # The e-mail is composed outside the database thread, with a reference drawn now
            # and checked for uniqueness inside the transaction.
            prepared = [self._prepare(e, self._draw_ref(now), now) for e in submits]
            result = await self.db.run(store(prepared))
        if result is False:
            raise _AlreadyProcessed
        assert isinstance(result, list)
        duplicate = False
        for effect, (ref, same) in zip(submits, result, strict=True):
            context["ref"] = ref
            context["date"] = self.translator(new_state).long_date(now)
            if same:
                duplicate = True
            else:
                self._count_request(counts, effect)
                submitted.append(ref)
        return duplicate

    async def _commit_forget(
        self,
        chat_key: str,
        update_id: int | None,
        now: datetime,
        new_state: State,
        effects: list[Effect],
    ) -> list[str]:
        """Data erased at the person's request: one full transaction (rare)."""
        forgotten: list[str] = []
        async with self.db.transaction() as conn:
            if update_id is not None and not await repo.record_update(conn, update_id, now):
                raise _AlreadyProcessed  # rolls the transaction back: nothing changes
            for effect in effects:
                if isinstance(effect, Forget):
                    forgotten += await repo.forget_person(conn, chat_key, now)
                elif isinstance(effect, ConsentGiven):
                    await repo.insert_consent(conn, chat_key, effect.version, effect.at)
            await repo.save_conversation(conn, chat_key, new_state, now)
        return forgotten

    async def flush_counts(self) -> None:
        """Write the anonymous counters gathered in memory (every few seconds, and at exit)."""
        if not self._counts:
            return
        pending, self._counts = self._counts, Counter()
        await repo.add_counts(self.db, pending)

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

    def _understand(self, state: State, text: str) -> Intent | None:
        """What the text is about. At a free-text question the text is the answer: only
        distress is looked for there; elsewhere, topics and offers too."""
        if isinstance(self.flows.steps.get(state.step), InputStep) and state.started:
            return self.classifier.crisis(text, state.locale)
        return self.classifier.classify(text, state.locale)

    def _match_label(self, state: State, event: Text) -> Event:
        """Typing a button's label counts as pressing it."""
        typed = fold(event.text)
        if not typed:
            return event
        t = self.translator(state)
        for say in prompt(self.flows, state):  # only the labels are rendered, not the texts
            if isinstance(say, Say):
                for button in say.buttons:
                    label = t.render(button.label, self.context)
                    if fold((SELECTED_MARK if button.selected else "") + label) == typed:
                        return Choice(option=button.id, turn=say.turn)
        return event

    @staticmethod
    def _draw_ref(now: datetime) -> str:
        suffix = "".join(secrets.choice(_REF_ALPHABET) for _ in range(4))
        return f"R-{now:%y%m%d}-{suffix}"

    def _prepare(self, submit: Submit, ref: str, now: datetime) -> tuple[RequestPayload, bytes]:
        payload = self._payload(submit, ref, now)
        return payload, compose(payload, self.mail_from, self.mail_to)

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
