"""One loop for everything the bot does besides answering people.

Delivering requests, relaying hand-off messages, retention, flushing the counters and the
heartbeat are jobs of one ``Background`` loop instead of a task each. A job is an async
function that returns how many seconds it wants to wait before its next run; the loop runs
every job that is due, in the order they were added, then sleeps until the next one is due or
until ``wake()`` is called (a new request, a message to relay). A job that fails is logged
(its error type only) and tried again after its ``retry`` period: it never ends the loop. When
the loop is asked to stop, jobs added with ``last=True`` make one more round, so a request
confirmed just before quitting is sent now rather than at the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

Run = Callable[[], Awaitable[float]]


@dataclass
class Job:
    name: str
    run: Run
    retry: float  # seconds before the next try after a failure
    woken: bool  # due at once when the loop is woken
    last: bool  # one more round on the way out
    due: float = 0.0  # on the loop's clock


class Background:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.jobs: list[Job] = []
        self._wake = asyncio.Event()

    def add(
        self,
        name: str,
        run: Run,
        *,
        retry: float = 60.0,
        woken: bool = False,
        last: bool = False,
        first: float = 0.0,
    ) -> None:
        """A job whose first run is ``first`` seconds from now."""
        self.jobs.append(Job(name, run, retry, woken, last, self.clock() + first))
        self._wake.set()

    def every(self, name: str, seconds: float, job: Callable[[], Awaitable[object]]) -> None:
        """A job run every ``seconds``, the first time after one period."""

        async def run() -> float:
            await job()
            return seconds

        self.add(name, run, retry=seconds, first=seconds)

    def wake(self) -> None:
        """Something is waiting: run the jobs that are woken now."""
        now = self.clock()
        for job in self.jobs:
            if job.woken:
                job.due = min(job.due, now)
        self._wake.set()

    async def _run(self, job: Job) -> None:
        try:
            wait = await job.run()
        except Exception as exc:  # a broken round must not end the loop
            log.error("background job %s failed: %s", job.name, type(exc).__name__)
            wait = job.retry
        job.due = self.clock() + wait

    async def run(self, stop: asyncio.Event) -> None:
        """Run the jobs until ``stop`` is set, then the last round."""
        while not stop.is_set():
            self._wake.clear()
            for job in list(self.jobs):
                if job.due <= self.clock() and not stop.is_set():
                    await self._run(job)
            pause = min((job.due for job in self.jobs), default=self.clock() + 60.0)
            await _first_of(self._wake, stop, max(0.0, pause - self.clock()))
        for job in list(self.jobs):
            if job.last:
                await self._run(job)


async def _first_of(wake: asyncio.Event, stop: asyncio.Event, seconds: float) -> None:
    """Wait until either event is set or ``seconds`` pass."""
    waiters = {asyncio.ensure_future(wake.wait()), asyncio.ensure_future(stop.wait())}
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiter
