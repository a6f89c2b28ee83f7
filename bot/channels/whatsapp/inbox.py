"""The WhatsApp channel's worker: the messages stored by the webhook (storage/inbox.py), each
person's in order, several persons at a time.

- ``keep``: the webhook's messages stored in one transaction (the webhook answers Meta only
  then), and a drain started for each person who has new ones (one drain per person at most).
- A drain takes the person's oldest waiting message, counts a try, has it handled (the
  channel's ``handle``: the turn committed, the answers sent), deletes it, and takes the next.
  A message that fails is tried again after a pause; after ``MAX_TRIES`` it is dropped, with a
  log line without content, and the person is told (``give_up``). A message handled twice (a
  crash after its turn, before its row went) changes nothing: the turn is recorded under the
  message's id.
- ``start``: the messages left by a crash or a stop are handled at start-up.
- ``close``: no new message is taken; the ones in hand get ``GRACE`` seconds to end, the rest
  stays in the inbox for the next start.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from storage import inbox
from storage.db import Database
from storage.inbox import Waiting

log = logging.getLogger(__name__)

MAX_TRIES = 3  # handlings begun (a crash counts too) before a message is dropped
RETRY_PAUSE = 1.0  # seconds before a message that failed is tried again
GRACE = 4.0  # seconds a stop waits for the messages in hand

Handle = Callable[[Waiting], Awaitable[None]]
GiveUp = Callable[[str], Awaitable[None]]


class Inbox:
    """The waiting messages of one WhatsApp number, handled in the bot's loop."""

    def __init__(self, db: Database, handle: Handle, give_up: GiveUp) -> None:
        self.db = db
        self.handle = handle
        self.give_up = give_up
        self._drains: dict[str, asyncio.Task[None]] = {}
        self._closing = False
        self._started: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Handle what the last run left (in the running loop)."""
        self._started = asyncio.get_running_loop().create_task(self._resume())

    async def _resume(self) -> None:
        keys = await inbox.waiting(self.db)
        if keys:
            log.info("WhatsApp: waiting messages left by the last run, for %d person(s)", len(keys))
        for key in keys:
            self._wake(key)

    async def keep(self, messages: list[Waiting]) -> None:
        """Store a webhook call's messages (raised when they could not be), then wake their
        persons' drains."""
        keys = await inbox.put(self.db, messages, datetime.now(UTC))
        for key in keys:
            self._wake(key)

    def _wake(self, key: str) -> None:
        if self._closing or key in self._drains:
            return  # the running drain reads the new message after its current one
        self._drains[key] = asyncio.get_running_loop().create_task(self._drain(key))

    async def _drain(self, key: str) -> None:
        """One person's waiting messages, in order. No await between reading "none left" and
        leaving ``_drains``: a message stored meanwhile wakes a new drain."""
        try:
            while not self._closing:
                row = await inbox.next_of(self.db, key)
                if row is None:
                    break
                await self._one(row)
        except Exception as exc:  # the database failing: the next message or start resumes
            log.error("WhatsApp inbox stopped for a person: %s", type(exc).__name__)
        finally:
            self._drains.pop(key, None)

    async def _one(self, row: Waiting) -> None:
        if row.tries >= MAX_TRIES:
            log.error("WhatsApp message dropped after %d tries", row.tries)
            await inbox.done(self.db, row.id)
            await self.give_up(row.chat_key)
            return
        await inbox.begin(self.db, row.id)
        try:
            await self.handle(row)
        except Exception as exc:  # logged without content; tried again, then dropped
            tried = row.tries + 1
            log.error("WhatsApp message not handled (try %d): %s", tried, type(exc).__name__)
            await asyncio.sleep(RETRY_PAUSE)
            return
        await inbox.done(self.db, row.id)

    async def close(self, grace: float = GRACE) -> None:
        """Take no new message; wait ``grace`` seconds for those in hand, then stop them (they
        stay in the inbox: handled at the next start)."""
        self._closing = True
        if self._started is not None:
            await self._started
        drains = set(self._drains.values())
        if drains:
            _, late = await asyncio.wait(drains, timeout=grace)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late)
                log.warning("WhatsApp: messages of %d person(s) left for the next start", len(late))
