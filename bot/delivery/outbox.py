"""Delivery of stored requests to PAT staff, so that none is ever lost.

A request is committed in SQLite (status ``pending``, with what staff receive) before anyone
is told it was received. A background worker then hands what is due to the deliverer
(bot/delivery/base.py): today an e-mail, through SMTP (aiosmtplib) when ``PAT_SMTP_HOST`` is
set, else ``.eml`` files in ``PAT_DATA_DIR/outbox/``.

- A failed attempt is retried with exponential back-off and jitter, up to a bounded number of
  attempts; then the request is ``failed`` with its last error, staff are alerted, and the
  person is asked to write to pat@smes.be with their reference.
- Before sending, a process takes a lease on the request, so the bot and ``pat-bot outbox
  retry`` never send the same request at the same time; the ``Message-ID`` derives from the
  reference, so the one duplicate a crash can cause (after the server accepted, before we
  recorded it) is recognisable. The lease names its owner (host, pid, a token of the process):
  a lease whose owner died mid-send on this machine is taken back at once — by the next bot
  that starts and by ``pat-bot outbox retry`` — instead of blocking the request until it ends.
- A backlog (after an outage of the mail server) goes out paced, 20 requests a second at
  most and 20 per round of the background loop: composing an e-mail is event-loop time
  (``PACE``), and the loop's other jobs run between two rounds (``BATCH``).
- The person hears that the request arrived only once it has: the worker tells them through
  whichever channel of the running process reaches their chat (bot/channels/base.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

from bot.channels.base import Chats
from bot.conversation.i18n import Catalogs, Translator
from bot.delivery.backoff import backoff
from bot.delivery.base import Deliverer
from bot.delivery.erasures import Erasures
from bot.delivery.leases import LEASE_OWNER, lease_owner_alive
from bot.staff import texts as staff
from bot.staff.texts import say
from flows import texts
from flows.engine import Msg
from flows.locales import REFERENCE
from storage import deliveries, digests, erasure
from storage.db import Database
from storage.models import Delivery, RequestRecord

log = logging.getLogger(__name__)

StaffAlert = Callable[[str], Awaitable[None]]
# Seconds between two deliveries of a backlog (requests kept during a mail server outage, a
# burst): at most 20 a second, so that composing them (about 5 ms each, on the event loop)
# never crowds out the answers to people. PAT sends dozens a day; one waits no longer.
PACE = 0.05
# Attempts per round at most (a second of PACE): the background loop's other jobs (staff
# replies in a hand-off, erasures, the heartbeat) run between two rounds, the people whose
# requests went are told after each, and the next round comes at once.
BATCH = 20


def utcnow() -> datetime:
    return datetime.now(UTC)


class Outbox:
    """The delivery worker over the durable outbox in SQLite."""

    def __init__(
        self,
        db: Database,
        deliverer: Deliverer,
        catalogs: Catalogs,
        *,
        max_attempts: int = 8,
        base_delay: float = 30.0,
        max_delay: float = 3600.0,
        lease_seconds: float = 300.0,
        clock: Callable[[], datetime] = utcnow,
        jitter: Callable[[], float] = random.random,
        staff_voice: Translator | None = None,
        chats: Chats | None = None,
        wake: Callable[[], None] = lambda: None,
    ) -> None:
        self.db = db
        self.pace = PACE
        self.batch = BATCH
        self.deliverer = deliverer
        self.catalogs = catalogs
        self.staff = staff_voice or catalogs.get(REFERENCE)  # alerts, in the staff's language
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.lease = timedelta(seconds=lease_seconds)
        self.clock = clock
        self.jitter = jitter
        self.chats = chats or Chats()  # how people are told about their request
        self.staff_alert: StaffAlert | None = None
        self.weekly: Callable[[datetime], Awaitable[None]] | None = None  # makes the digest
        self._wake = wake  # the background loop's (bot/background.py)
        self.erasures = Erasures(db, deliverer, self.staff, clock)
        self._untold: set[str] = set()  # references whose person could not be told (logged)

    def kick(self) -> None:
        """A new request is waiting: deliver it now."""
        self._wake()

    def backoff(self, attempts: int) -> float:
        """Seconds to wait after ``attempts`` failed attempts: doubling, capped, jittered."""
        return backoff(attempts, self.base_delay, self.max_delay, self.jitter())

    async def attempt(self, record: Delivery | RequestRecord) -> bool:
        """One delivery attempt of one request; True when delivered."""
        now = self.clock()
        if not await deliveries.claim(self.db, record.ref, now, now + self.lease, LEASE_OWNER):
            return False
        payload = await deliveries.payload_of(self.db, record.ref)
        try:
            if payload is None:
                raise LookupError("request erased before delivery")
            renew = functools.partial(deliveries.renew, self.db, record.ref, LEASE_OWNER)
            async with self._holding(renew):
                await self.deliverer.deliver(payload)
        except Exception as exc:  # any delivery failure: keep the request, plan a retry
            await self._failed(record, exc)
            return False
        if not await deliveries.mark_delivered(self.db, record.ref, self.clock(), LEASE_OWNER):
            await self._lost(record.ref, sent=True)
            return False
        log.info("request %s delivered", record.ref)
        return True

    @contextlib.asynccontextmanager
    async def _holding(self, renew: Callable[[datetime], Awaitable[bool]]) -> AsyncIterator[None]:
        """Renew a lease while sending (an SMTP step may take PAT_SMTP_TIMEOUT, longer than a
        lease): no other process sends what this one is sending. ``renew(until)`` extends it
        and says whether it is still held."""

        async def keep() -> None:
            while True:
                await asyncio.sleep(self.lease.total_seconds() / 3)
                if not await renew(self.clock() + self.lease):
                    return

        renewing = asyncio.create_task(keep())
        try:
            yield
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing

    async def _failed(self, record: Delivery | RequestRecord, exc: Exception) -> None:
        attempts = record.attempts + 1
        error = f"{type(exc).__name__}: {exc}"
        retry_at = None
        if attempts < self.max_attempts:
            retry_at = self.clock() + timedelta(seconds=self.backoff(attempts))
        if not await deliveries.mark_attempt_failed(
            self.db, record.ref, error, retry_at, LEASE_OWNER
        ):
            await self._lost(record.ref, sent=False)
        elif retry_at is None:
            await self._give_up(record.ref, attempts, type(exc).__name__)
        else:
            log.warning(
                "delivery of %s failed (attempt %d, %s); next try at %s",
                record.ref,
                attempts,
                type(exc).__name__,
                retry_at.isoformat(),
            )

    async def _lost(self, ref: str, *, sent: bool) -> None:
        """The lease was no longer ours when the send ended: the person erased the request
        meanwhile (finish the erasure; PAT asked to delete it if it reached them)."""
        reached_pat = sent and not self.deliverer.filed
        if await erasure.sender_done(self.db, ref, LEASE_OWNER, reached_pat):
            log.warning("request %s was erased while it was being sent", ref)
            await self.erasures.finish()
        else:  # renewed leases make this unexpected: say so
            log.error("request %s: another process took its lease during the send", ref)

    async def _give_up(self, ref: str, attempts: int, error_type: str) -> None:
        log.error("request %s NOT delivered after %d attempts (%s)", ref, attempts, error_type)
        if self.staff_alert is not None:
            text = say(
                self.staff, staff.ALERT_NOT_DELIVERED, ref=ref, attempts=attempts, error=error_type
            )
            try:
                await self.staff_alert(text)
            except Exception as exc:  # the alert is best effort; the log line above stays
                log.error("staff alert failed: %s", type(exc).__name__)

    async def tell_people(self) -> int:
        """Tell each person whose request was delivered (or given up) — once."""
        told = 0
        for record in await deliveries.untold_requests(self.db):
            sender = self.chats.teller(record.chat_key)
            if sender is None:
                continue  # told later, by a process that can reach this chat
            if record.status != "delivered":
                msgid = texts.NOT_DELIVERED
            elif self.deliverer.filed:
                msgid = texts.FILED
            else:
                msgid = texts.DELIVERED
            text = self.catalogs.get(record.locale).render(Msg(msgid), {"ref": record.ref})
            try:
                await sender(record.chat_key, text)
            except Exception as exc:  # a closed page, a blocked bot: tried again next round
                if record.ref not in self._untold:  # said once, not every round
                    self._untold.add(record.ref)
                    log.warning("could not tell about %s: %s", record.ref, type(exc).__name__)
                continue
            await deliveries.mark_told(self.db, record.ref, record.status)
            told += 1
            # Give way between two people: a round after an outage may tell hundreds, and a
            # chat that answers at once would otherwise hold the loop for the whole round
            # (bench/run.py, worst paced event-loop stall < 50 ms).
            await asyncio.sleep(0)
        return told

    async def release_dead_leases(self) -> int:
        """Take back leases left by processes that died mid-send; returns how many."""
        released = await deliveries.release_dead_leases(self.db, self.clock(), lease_owner_alive)
        if released:
            log.warning("%d request(s) left mid-send by a stopped process: sending again", released)
        return released

    async def send_digests(self) -> str | None:
        """Make the weekly digest when due, and send the digests waiting; the last error."""
        if self.weekly is not None:
            await self.weekly(self.clock())
        error = None
        for week, message, attempts in await digests.due_digests(self.db, self.clock()):
            now = self.clock()
            if not await digests.claim_digest(self.db, week, now, now + self.lease, LEASE_OWNER):
                continue
            try:
                renew = functools.partial(digests.renew_digest, self.db, week, LEASE_OWNER)
                async with self._holding(renew):
                    await self.deliverer.deliver_digest(week, message)
            except Exception as exc:  # kept; tried again later, like a request
                error = f"{type(exc).__name__}: {exc}"
                retry_at = self.clock() + timedelta(seconds=self.backoff(attempts + 1))
                await digests.mark_digest(self.db, week, None, error, retry_at)
                log.warning("weekly digest %s not sent (%s)", week, type(exc).__name__)
                continue
            await digests.mark_digest(self.db, week, self.clock())
            log.info("weekly digest %s sent", week)
        return error

    async def run_once(self) -> int:
        """Attempt the due requests once (the first ``BATCH`` of a backlog), then tell people,
        then the weekly digest; returns how many requests were delivered."""
        delivered = 0
        due = await deliveries.due_requests(self.db, self.clock(), limit=self.batch)
        for i, record in enumerate(due):
            if i:  # a backlog goes out paced: composing is event-loop time people wait for
                await asyncio.sleep(self.pace)
            delivered += await self.attempt(record)
        await self.tell_people()
        await self.send_digests()
        return delivered

    async def round(self) -> float:
        """One round of the background loop; seconds until the next attempt is due."""
        await self.run_once()
        due = await deliveries.next_attempt_time(self.db)
        if due is None:
            return 60.0
        return max(0.05, min(60.0, (due - self.clock()).total_seconds()))
