"""Limits that protect PAT's mailbox and the bot: a flood of messages, too many requests.

- ``FloodLimit``: more than ``per_minute`` messages from one person within a minute get one
  calm answer, then silence until the minute has passed. Kept in memory only (it is about
  the last minute); once a minute, people quiet for a minute are forgotten, so it holds the
  people of the last two minutes at most.
- ``DailyQuota``: at most ``per_day`` requests per person in 24 hours (counted in SQLite);
  beyond, the person is asked to write to pat@smes.be directly. On the web page a new cookie
  makes a new person, so requests are also counted per address (in memory: a restart forgets
  them), at most ``PEOPLE_PER_ADDRESS`` times as many (an office behind one address).

Distress is never silenced: the service checks it before the flood limit.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Literal

from storage import conversations
from storage.db import Database

WINDOW = 60.0  # seconds


class FloodLimit:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._recent: dict[str, deque[float]] = {}
        self._warned: set[str] = set()
        self._pruned_at = clock()

    def check(self, chat_key: str) -> Literal["ok", "warn", "quiet"]:
        """``ok``: go on; ``warn``: over the limit, say so once; ``quiet``: said already."""
        now = self.clock()
        window = self._recent.setdefault(chat_key, deque())
        while window and now - window[0] > WINDOW:
            window.popleft()
        if len(window) >= self.per_minute:
            if chat_key in self._warned:
                return "quiet"
            self._warned.add(chat_key)
            return "warn"
        window.append(now)
        self._warned.discard(chat_key)
        if now - self._pruned_at > WINDOW:  # once a minute: forget who has been quiet
            self._pruned_at = now
            for key in [k for k, w in self._recent.items() if not w or now - w[-1] > WINDOW]:
                del self._recent[key]
                self._warned.discard(key)
        return "ok"


PEOPLE_PER_ADDRESS = 3
DAY = 86_400.0  # seconds


class DailyQuota:
    def __init__(self, per_day: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_day = per_day
        self.clock = clock
        self._by_address: dict[str, deque[float]] = {}

    async def reached(
        self, db: Database, chat_key: str, now: datetime, address: str | None = None
    ) -> bool:
        """Whether one more request from this person (and this address, when given) would
        pass the daily limit."""
        sent = await conversations.requests_since(db, chat_key, now - timedelta(days=1))
        return sent >= self.per_day or self._from(address) >= self.per_day * PEOPLE_PER_ADDRESS

    def sent(self, address: str | None) -> None:
        """A request from ``address`` was stored."""
        if address is not None:
            self._from(address)
            self._by_address.setdefault(address, deque()).append(self.clock())

    def _from(self, address: str | None) -> int:
        """Requests from ``address`` in the last day; addresses with none are forgotten."""
        if address is None:
            return 0
        times = self._by_address.get(address, deque())
        while times and self.clock() - times[0] > DAY:
            times.popleft()
        if not times:
            self._by_address.pop(address, None)
        return len(times)
