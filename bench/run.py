"""Speed and memory of the PAT bot, side by side with a usual ConversationHandler bot.

    .venv/bin/python bench/run.py [--people 1000] [--think 2.0] [--repeat 3]

Each implementation runs in its own process (so peak memory is its own) with the real
python-telegram-bot Application and an in-process Bot API stand-in that never touches the
network (bench/common.py): our bot on a real SQLite file with its outbox, the baseline
(bench/baseline.py) with PicklePersistence. Simulated people play a full request (menu, one FAQ
answer, an offer, consent, contact details, summary, send; 16 updates each):

1. saturation: all people at once, as fast as the bot answers -> updates per second, the time
   for the whole run (the ratio's basis), peak memory, storage per request;
2. paced: the same number of people, each pausing 0 to 2x``--think`` seconds between messages
   (about people/think updates per second offered) -> bot-side latency per update, and the
   worst event-loop stall (how late a 10 ms timer fires);
3. locked (ours only, it is the one on SQLite; in a fresh process): fifty people at their pace
   while another process holds the database's write lock for 2 seconds (as a long ``pat-bot``
   command could) -> the worst event-loop stall: the bot must queue its writes, not freeze.

4. web (bench/web.py): the same request from up to 200 people over WebSocket to a real
   ``pat-bot web`` process -> messages per second, round-trip p99, the server's peak memory.

The last line is machine-readable:
ratio_vs_baseline=<baseline time / our time> p99_ms=<x> updates_per_s=<y> rss_mb=<z>
locked_stall_ms=<worst event-loop stall while the lock is held> web_p99_ms=<w> web_rss_mb=<m>
"""

from __future__ import annotations

import time

_T0 = time.perf_counter()  # before the heavy imports: "time to first answer" includes them

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Awaitable, Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


async def drive(
    process: Callable[[dict[str, Any]], Awaitable[None]],
    api: Any,
    people: range,
    think: float,
    latencies: list[float],
) -> None:
    """Every person plays the scenario; bot-side time of each update is recorded."""
    from bench.common import SCENARIO, Person

    rng = random.Random(42)

    async def play(n: int) -> None:
        person = Person(n)
        for step in SCENARIO:
            if think:
                await asyncio.sleep(rng.uniform(0, 2 * think))
            update = person.update(step, api)
            start = time.perf_counter()
            await process(update)
            latencies.append((time.perf_counter() - start) * 1000)

    await asyncio.gather(*(play(n) for n in people))


async def watch_loop(stop: asyncio.Event, stalls: list[float]) -> None:
    """How late a 10 ms timer fires, again and again: the event loop's stalls (ms)."""
    while not stop.is_set():
        start = time.perf_counter()
        await asyncio.sleep(0.01)
        stalls.append((time.perf_counter() - start - 0.01) * 1000)


async def hold_write_lock(db_path: Path, seconds: float) -> asyncio.subprocess.Process:
    """Another process that takes the write lock and keeps it for ``seconds``."""
    holder = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1], isolation_level=None);"
        " c.execute('BEGIN IMMEDIATE'); print('locked', flush=True);"
        " time.sleep(float(sys.argv[2])); c.execute('COMMIT')",
        str(db_path),
        str(seconds),
        stdout=asyncio.subprocess.PIPE,
    )
    assert holder.stdout is not None
    await holder.stdout.readline()
    return holder


def folder_bytes(folder: Path, skip: str = "outbox") -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and skip not in p.parts)


async def child(impl: str, people: int, think: float, locked: bool = False) -> dict[str, Any]:
    from telegram import Update

    from bench.common import InMemoryBotAPI

    data = Path(tempfile.mkdtemp(prefix=f"pat-bench-{impl}-"))
    api = InMemoryBotAPI()
    figures: dict[str, Any] = {"impl": impl, "people": people}
    requests = 0
    if impl == "ours":
        from pydantic import SecretStr

        from bot.app import build_app, settle
        from bot.channels.telegram import TelegramFrontDoor
        from bot.settings import Settings
        from storage import deliveries

        settings = Settings(
            data_dir=data,
            telegram_token=SecretStr("1:BENCH"),
            rate_limit_per_minute=1000,
            max_requests_per_day=100,
            _env_file=None,
        )  # type: ignore[call-arg]
        async with build_app(settings) as app:
            door = TelegramFrontDoor(app.service, app.catalogs)
            # Telegram's own sending limit (AIORateLimiter) is left out, as in the baseline:
            # it measures Telegram, not the bot.
            tg = door.build(
                settings, rate_limit=False, request=api, get_updates_request=InMemoryBotAPI()
            )
            async with tg:
                await door.post_init(tg)
                settle(app)  # as bot/cli/serve.py run_telegram does before serving
                if locked:  # in a process of its own: its stalls are the lock's, not a heap's
                    return await locked_phase(tg, api, people, settings.db_path, Update)
                figures.update(await phases(tg, api, people, think, Update))
                # Counted in SQL: loading every request would itself raise peak memory.
                requests = await deliveries.count_requests(app.db)
        figures["storage_bytes"] = folder_bytes(data)
    else:
        from bench.baseline import build

        tg = build("1:BENCH", data, request=api, get_updates_request=InMemoryBotAPI())
        async with tg:
            figures.update(await phases(tg, api, people, think, Update))
            await tg.update_persistence()
        requests = len(list((data / "outbox").glob("*.eml")))
        figures["storage_bytes"] = folder_bytes(data)
    figures["requests"] = requests
    figures["storage_per_request"] = figures["storage_bytes"] / max(1, requests)
    figures["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


async def phases(app: Any, api: Any, people: int, think: float, update_cls: Any) -> dict[str, Any]:
    async def process(raw: dict[str, Any]) -> None:
        # As in production: through the application's update processor, which applies the
        # concurrency the bot was built with (ours: 64 updates at a time; the baseline: one).
        update = update_cls.de_json(raw, app.bot)
        await app.update_processor.process_update(update, app.process_update(update))

    # Time to first answer: process start (imports included) to the first /start answered.
    from bench.common import SCENARIO, Person

    await process(Person(10**6).update(SCENARIO[0], api))
    first_answer_ms = ((api.first_sent_at or time.perf_counter()) - _T0) * 1000

    saturation: list[float] = []
    start = time.perf_counter()
    await drive(process, api, range(people), 0.0, saturation)
    wall = time.perf_counter() - start
    paced: list[float] = []
    stalls: list[float] = []
    stop = asyncio.Event()
    watcher = asyncio.create_task(watch_loop(stop, stalls))
    await drive(process, api, range(people, 2 * people), think, paced)
    stop.set()
    await watcher
    return {
        "paced_stall_ms": max(stalls),
        "first_answer_ms": first_answer_ms,
        "saturation_s": wall,
        "updates_per_s": len(saturation) / wall,
        "p50_ms": percentile(paced, 50),
        "p95_ms": percentile(paced, 95),
        "p99_ms": percentile(paced, 99),
        "mean_ms": statistics.mean(paced),
        "saturation_p99_ms": percentile(saturation, 99),
        "updates": len(saturation) + len(paced),
    }


async def locked_phase(
    app: Any, api: Any, people: int, db_path: Path, update_cls: Any
) -> dict[str, Any]:
    """Fifty people writing at their pace (a light load, so that a stall would be the lock's)
    while another process holds the write lock for 2 s: the worst event-loop stall, and the
    slowest update (it waited for the lock)."""

    async def process(raw: dict[str, Any]) -> None:
        update = update_cls.de_json(raw, app.bot)
        await app.update_processor.process_update(update, app.process_update(update))

    latencies: list[float] = []
    stalls: list[float] = []
    stop = asyncio.Event()
    watcher = asyncio.create_task(watch_loop(stop, stalls))
    holder = await hold_write_lock(db_path, 2.0)
    some = range(10 * people, 10 * people + min(50, people))
    await drive(process, api, some, 0.5, latencies)
    await holder.wait()
    stop.set()
    await watcher
    return {"locked_stall_ms": max(stalls), "locked_slowest_ms": max(latencies)}


ROWS = [
    ("updates per second (saturation)", "updates_per_s", "{:.0f}", "higher"),
    ("time for the saturation run (s)", "saturation_s", "{:.2f}", "lower"),
    ("latency p50, paced (ms)", "p50_ms", "{:.2f}", "lower"),
    ("latency p95, paced (ms)", "p95_ms", "{:.2f}", "lower"),
    ("latency p99, paced (ms)", "p99_ms", "{:.2f}", "lower"),
    ("latency p99, saturation (ms)", "saturation_p99_ms", "{:.0f}", "lower"),
    ("worst event-loop stall, paced (ms)", "paced_stall_ms", "{:.1f}", "lower"),
    ("time to first answer (ms)", "first_answer_ms", "{:.0f}", "lower"),
    ("peak memory RSS (MB)", "rss_mb", "{:.1f}", "lower"),
    ("storage per request (bytes)", "storage_per_request", "{:.0f}", "lower"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--think", type=float, default=2.0)
    parser.add_argument("--repeat", type=int, default=3, help="alternating rounds (median)")
    parser.add_argument("--impl", choices=["ours", "baseline"])
    parser.add_argument("--locked", action="store_true", help="the locked phase alone")
    args = parser.parse_args()
    if args.impl:  # a child process: one implementation, figures as JSON
        figures = asyncio.run(child(args.impl, args.people, args.think, args.locked))
        print(json.dumps(figures))
        return
    # Rounds alternate the two implementations so that a busy moment on a shared machine
    # weighs on both; each figure is the median over the rounds.
    runs: dict[str, list[dict[str, Any]]] = {"ours": [], "baseline": []}
    for _ in range(args.repeat):
        for impl in ("ours", "baseline"):
            command = [sys.executable, __file__, "--impl", impl, "--people", str(args.people)]
            command += ["--think", str(args.think)]
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            runs[impl].append(json.loads(done.stdout.strip().splitlines()[-1]))
    results = {
        impl: {
            key: statistics.median(r[key] for r in rounds)
            if isinstance(rounds[0][key], float)
            else rounds[0][key]  # counts and names: the same in every round
            for key in rounds[0]
        }
        for impl, rounds in runs.items()
    }
    per_round = [
        b["saturation_s"] / o["saturation_s"]
        for o, b in zip(runs["ours"], runs["baseline"], strict=True)
    ]
    locked = [sys.executable, __file__, "--impl", "ours", "--locked", "--people", str(args.people)]
    done = subprocess.run(locked, capture_output=True, text=True, check=True)
    results["ours"].update(json.loads(done.stdout.strip().splitlines()[-1]))
    ours, base = results["ours"], results["baseline"]
    print(
        f"{args.people} people, {ours['updates']} updates each run "
        f"(requests stored: ours {ours['requests']}, baseline {base['requests']})"
    )
    print(
        f"median of {args.repeat} alternating round(s); baseline/ours time per round: "
        + ", ".join(f"{r:.2f}" for r in per_round)
    )
    print(f"{'':34} {'PAT bot':>12} {'baseline':>12} {'baseline/ours':>14}")
    for title, key, fmt, _ in ROWS:
        ratio = base[key] / ours[key] if ours[key] else float("nan")
        print(f"{title:34} {fmt.format(ours[key]):>12} {fmt.format(base[key]):>12} {ratio:>14.2f}")
    print(
        "while another process held the write lock for 2 s: worst event-loop stall "
        f"{ours['locked_stall_ms']:.1f} ms, slowest update {ours['locked_slowest_ms']:.0f} ms "
        "(it waited for the lock, the others went on)"
    )
    # The web channel (bench/web.py): the same request over WebSocket, a pat-bot web process.
    from bench.web import measure as measure_web

    web_people = min(args.people, 200)  # each client is a socket of this process
    web = asyncio.run(measure_web(web_people, args.think))
    print(
        f"web channel, {web_people} people over WebSocket: {web['web_msgs_per_s']:.0f} "
        f"messages/s at saturation; paced round trip p50 {web['web_p50_ms']:.1f} ms, "
        f"p99 {web['web_p99_ms']:.1f} ms (as the browser sees it); server peak "
        f"{web['web_rss_mb']:.0f} MB"
    )
    print(
        f"ratio_vs_baseline={base['saturation_s'] / ours['saturation_s']:.2f} "
        f"p99_ms={ours['p99_ms']:.2f} updates_per_s={ours['updates_per_s']:.0f} "
        f"rss_mb={ours['rss_mb']:.1f} locked_stall_ms={ours['locked_stall_ms']:.1f} "
        f"web_p99_ms={web['web_p99_ms']:.1f} web_rss_mb={web['web_rss_mb']:.1f}"
    )


if __name__ == "__main__":
    main()
