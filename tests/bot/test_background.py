"""The one background loop: due jobs run, a failing job does not end the loop, a wake runs
the woken jobs at once, and the last round runs on the way out."""

from __future__ import annotations

import asyncio

from bot.background import Background


async def test_jobs_run_when_due_survive_failures_and_wake_and_end_with_a_last_round() -> None:
    loop = Background()
    runs: dict[str, int] = {"deliver": 0, "broken": 0, "slow": 0}

    async def deliver() -> float:
        runs["deliver"] += 1
        return 3600.0  # not due again unless woken

    async def broken() -> float:
        runs["broken"] += 1
        raise OSError("disk")

    async def slow() -> None:
        runs["slow"] += 1

    loop.add("deliver", deliver, woken=True, last=True)
    loop.add("broken", broken, retry=0.01)
    loop.every("slow", 3600.0, slow)
    stop = asyncio.Event()
    task = asyncio.create_task(loop.run(stop))
    for _ in range(200):
        await asyncio.sleep(0.01)
        if runs["broken"] >= 3:
            break
    assert runs["broken"] >= 3  # retried after its period, the loop still alive
    assert runs["deliver"] == 1 and runs["slow"] == 0  # not due yet
    loop.wake()
    for _ in range(100):
        await asyncio.sleep(0.01)
        if runs["deliver"] == 2:
            break
    assert runs["deliver"] == 2
    stop.set()
    await asyncio.wait_for(task, 5)
    assert runs["deliver"] == 3  # the last round
    assert runs["slow"] == 0
