"""What blocks the event loop during bench/run.py's paced phase: one run of one implementation
with probes on the loop, then the worst stalls and what ran during each.

    .venv/bin/python bench/stalls.py [--impl ours|baseline] [--people 1000] [--top 5]

Probes (each costs about a microsecond per callback, so the figures are slightly worse than
bench/run.py's): every callback over 6 ms with the coroutine it resumed and where it stopped
next, every garbage collection over 5 ms, every loop iteration over 20 ms with how many
callbacks were ready when it began. This is how the eighth session found the e-mail composed
in a thread (bench/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
import time
from asyncio import base_events, events
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench.run as bench_run

now = time.perf_counter
slow_callbacks: list[tuple[float, float, str]] = []
collections: list[tuple[float, float, int]] = []
iterations: list[tuple[float, float, int]] = []
stalls: list[tuple[float, float]] = []


def _where(task: asyncio.Task[Any]) -> str:
    """The last frames of the coroutine chain a task is suspended in."""
    coro: Any = task.get_coro()
    frames = []
    while coro is not None and getattr(coro, "cr_frame", None) is not None:
        frame = coro.cr_frame
        frames.append(f"{Path(frame.f_code.co_filename).name}:{frame.f_lineno}")
        coro = getattr(coro, "cr_await", None)
    return ">".join(frames[-4:])


def install() -> None:
    run_handle = events.Handle._run
    run_once = base_events.BaseEventLoop._run_once  # type: ignore[attr-defined]

    def timed_handle(self: events.Handle) -> None:
        task = getattr(self._callback, "__self__", None)  # type: ignore[attr-defined]
        before = _where(task) if isinstance(task, asyncio.Task) else repr(self)[:80]
        start = now()
        run_handle(self)
        took = now() - start
        if took > 0.006:
            after = _where(task) if isinstance(task, asyncio.Task) and not task.done() else ""
            slow_callbacks.append((start, took * 1000, f"{before} => {after or 'done'}"))

    def timed_iteration(self: Any) -> None:
        ready = len(self._ready)
        start = now()
        run_once(self)
        took = now() - start
        if took > 0.02:
            iterations.append((start, took * 1000, ready))

    started: dict[str, float] = {}

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started["t"] = now()
        elif now() - started.get("t", now()) > 0.005:
            took = (now() - started["t"]) * 1000
            collections.append((started["t"], took, info["generation"]))

    events.Handle._run = timed_handle  # type: ignore[method-assign]
    base_events.BaseEventLoop._run_once = timed_iteration  # type: ignore[attr-defined]
    gc.callbacks.append(on_gc)

    async def watch_loop(stop: asyncio.Event, lateness: list[float]) -> None:
        while not stop.is_set():
            start = now()
            await asyncio.sleep(0.01)
            late = (now() - start - 0.01) * 1000
            lateness.append(late)
            stalls.append((start, late))

    bench_run.watch_loop = watch_loop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--impl", choices=["ours", "baseline"], default="ours")
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--think", type=float, default=2.0)
    parser.add_argument("--top", type=int, default=5)
    args = parser.parse_args()
    install()
    figures = asyncio.run(bench_run.child(args.impl, args.people, args.think))
    keys = ("paced_stall_ms", "p99_ms", "updates_per_s", "rss_mb")
    print(json.dumps({k: round(figures[k], 2) for k in keys}))
    begin = stalls[0][0] if stalls else 0.0
    print(f"stalls over 50 ms: {sum(1 for _, ms in stalls if ms > 50)} of {len(stalls)}")
    for at, ms in sorted(stalls, key=lambda s: -s[1])[: args.top]:
        low, high = at - 0.005, at + ms / 1000 + 0.02
        print(f"== stall of {ms:.1f} ms, {at - begin:.2f} s into the paced phase")
        for t, took, what in slow_callbacks:
            if low <= t <= high:
                print(f"   callback {took:5.1f} ms  {what}")
        for t, took, generation in collections:
            if low <= t <= high:
                print(f"   gc gen {generation} {took:5.1f} ms")
        for t, took, ready in iterations:
            if low <= t <= high:
                print(f"   iteration {took:5.1f} ms, {ready} callbacks ready")


if __name__ == "__main__":
    main()
