"""``pat-bot``: the command line.

pat-bot            Telegram when PAT_TELEGRAM_TOKEN is set, else the terminal chat
pat-bot chat       the conversation in this terminal
pat-bot check      validate every flow file (exit 1 and list all problems if any)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import logging
import signal
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError

from bot.app import build_app, settle
from bot.failures import explain
from bot.logs import configure_logging
from bot.settings import Settings, problem
from bot.terminal import TerminalChat
from flows.loader import FLOWS_DIR, FlowError, load_flows
from flows.locales import LOCALES, REFERENCE


def _check(directory: Path) -> int:
    try:
        flows = load_flows(directory)
    except FlowError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) found.", file=sys.stderr)
        return 1
    print(f"OK: {len(flows.flows)} flows, {len(flows.steps)} steps.")
    return 0


async def _chat(settings: Settings, locale: str | None, new: bool) -> int:
    async with build_app(settings) as app:
        chat = TerminalChat(app.service, sys.stdin, sys.stdout, locale=locale)
        return await chat.run(new=new)


HEARTBEAT_SECONDS = 30


async def _heartbeat(path: Path, stop: asyncio.Event) -> None:
    """Touch a file while the bot runs, for the container healthcheck."""

    def beat() -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(str(int(time.time())), encoding="ascii")

    try:
        while not stop.is_set():
            await asyncio.to_thread(beat)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), HEARTBEAT_SECONDS)
    finally:  # a stopped bot is not healthy, even right after a restart
        await asyncio.to_thread(path.unlink, missing_ok=True)


def _health(settings: Settings) -> int:
    try:
        age = time.time() - settings.heartbeat_path.stat().st_mtime
    except OSError:
        print("no heartbeat: is the bot running?", file=sys.stderr)
        return 1
    healthy = age < HEARTBEAT_SECONDS * 4
    print(f"heartbeat {age:.0f}s ago: {'ok' if healthy else 'stale'}")
    return 0 if healthy else 1


async def run_telegram(settings: Settings, stop: asyncio.Event | None = None) -> int:
    """Run the Telegram bot until SIGINT/SIGTERM (or ``stop`` is set)."""
    from telegram import Update

    from bot.telegram_bot import TelegramFrontDoor

    stop = stop or asyncio.Event()
    settings.heartbeat_path.unlink(missing_ok=True)  # a crashed bot's beat says nothing now
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with build_app(settings) as app:
        door = TelegramFrontDoor(app.service, app.catalogs, settings.staff_ids)
        tg = door.build(settings)
        async with tg:
            assert tg.updater is not None
            await door.post_init(tg)
            settle(app)
            await tg.start()
            if settings.telegram_webhook_url:
                secret = settings.telegram_webhook_secret
                await tg.updater.start_webhook(
                    listen=settings.telegram_webhook_listen,
                    port=settings.telegram_webhook_port,
                    url_path=settings.telegram_webhook_path,
                    webhook_url=settings.telegram_webhook_url,
                    secret_token=secret.get_secret_value() if secret else None,
                    allowed_updates=Update.ALL_TYPES,
                )
                logging.getLogger(__name__).info("webhook mode")
            else:
                await tg.updater.start_polling(allowed_updates=Update.ALL_TYPES)
                logging.getLogger(__name__).info("long polling")
            beat = asyncio.create_task(_heartbeat(settings.heartbeat_path, stop))
            try:
                await stop.wait()
            finally:
                stop.set()
                await beat
                await tg.updater.stop()
                await tg.stop()
    return 0


async def _outbox(settings: Settings, action: str | None, ref: str | None, all_: bool) -> int:
    """List undelivered requests (no personal data), or retry one or all of them now."""
    from storage import repo

    async with build_app(settings, run_worker=False) as app:
        if action == "retry":
            if not ref and not all_:
                print("say which: pat-bot outbox retry R-… or --all", file=sys.stderr)
                return 2
            await app.outbox.release_dead_leases()
            now = datetime.now(UTC)
            refs = await repo.reset_for_retry(app.db, now, None if all_ else ref)
            # A request a running bot is sending right now (its lease runs) is left to it:
            # sending it here too would deliver it twice.
            busy = [
                r.ref
                for r in await repo.list_requests(app.db, "pending")
                if r.ref not in refs and (not ref or r.ref == ref)
            ]
            for r in busy:
                print(f"{r}: being sent by the running bot right now; nothing to do")
            if not refs:
                if not busy:
                    print("nothing to retry" + (f" for {ref}" if ref else ""), file=sys.stderr)
                return 0 if busy else 1
            failed = 0
            for r in refs:
                record = await repo.get_request(app.db, r)
                if record is None:
                    continue
                ok = await app.outbox.attempt(record)
                after = await repo.get_request(app.db, r)
                if ok:
                    print(f"{r}: delivered")
                elif after and after.lease_until and after.lease_until > datetime.now(UTC):
                    print(f"{r}: being sent by the running bot right now; nothing to do")
                else:
                    print(f"{r}: not delivered: {(after.last_error if after else '') or '?'}")
                    failed += 1
            return 1 if failed else 0
        rows = [rec for rec in await repo.list_requests(app.db) if rec.status != "delivered"]
        if not rows:
            print("Every request has been delivered.")
            return 0
        print(f"{'reference':<16} {'status':<8} {'tries':>5}  {'next try (UTC)':<19}  last error")
        for rec in rows:
            when = rec.next_attempt_at
            nxt = when.strftime("%Y-%m-%d %H:%M:%S") if when else "-"
            error = (rec.last_error or "").replace("\n", " ")[:80]
            print(f"{rec.ref:<16} {rec.status:<8} {rec.attempts:>5}  {nxt:<19}  {error}")
        return 0


def _classify(lang: str | None) -> int:
    """What the bot understands of each line of stdin, as JSON lines."""
    import json

    from flows.nlu import Classifier

    classifier = Classifier.from_flows(load_flows())
    for line in sys.stdin:
        text = line.rstrip("\n")
        if not text.strip():
            continue
        intent = classifier.classify(text, lang)
        found: dict[str, object] = {
            "text": text,
            "intent": intent.name,
            "score": intent.score,
            "alternatives": [{"intent": n, "score": s} for n, s in intent.alternatives],
            "reason": intent.reason,
        }
        if intent.name == "crisis":
            found.update(tier=intent.tier, about=intent.about, shelter=intent.shelter)
            if intent.then is not None:
                found["otherwise"] = intent.then.name
        print(json.dumps(found, ensure_ascii=False))
    return 0


async def _stats(settings: Settings, days: int) -> int:
    from bot.stats import report

    async with build_app(settings, run_worker=False) as app:
        await app.service.flush_counts()
        print(await report(app.db, app.flows, app.catalogs.get("fr"), days))
    return 0


def _graph(out: Path) -> int:
    from bot.graph import mermaid, svg

    flows = load_flows()
    out.mkdir(parents=True, exist_ok=True)
    (out / "flows.mmd").write_text(mermaid(flows), encoding="utf-8")
    for flow_id in flows.flows:
        (out / f"{flow_id}.svg").write_text(svg(flows, flow_id), encoding="utf-8")
    print(f"wrote {out / 'flows.mmd'} and {len(flows.flows)} SVG files in {out}")
    return 0


def _sources(settings: Settings, lang: str | None) -> int:
    from bot.i18n import Catalogs
    from bot.review import sources_report

    catalogs = Catalogs(settings.locales_dir)
    other = catalogs.get(lang) if lang and lang != REFERENCE else None
    print(sources_report(load_flows(), catalogs.get(REFERENCE), other), end="")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pat-bot", description="PAT front door chat-bot")
    sub = parser.add_subparsers(dest="command")
    chat = sub.add_parser("chat", help="the conversation in this terminal")
    chat.add_argument("--lang", choices=LOCALES, default=None)
    chat.add_argument("--new", action="store_true", help="start over instead of resuming")
    sub.add_parser("run", help="the Telegram bot (needs PAT_TELEGRAM_TOKEN)")
    sub.add_parser("health", help="is a running bot alive? (for Docker's healthcheck)")
    outbox = sub.add_parser("outbox", help="requests not yet delivered; retry them")
    outbox.add_argument("action", nargs="?", choices=["list", "retry"], default="list")
    outbox.add_argument("ref", nargs="?", help="the reference to retry (R-…)")
    outbox.add_argument("--all", action="store_true", help="retry every undelivered request")
    classify = sub.add_parser("classify", help="what the bot understands of typed texts")
    classify.add_argument("--lang", choices=LOCALES, default=None)
    stats = sub.add_parser("stats", help="anonymous statistics for PAT staff")
    stats.add_argument("--days", type=int, default=30)
    graph = sub.add_parser("graph", help="draw the flows (Mermaid text and SVG files)")
    graph.add_argument("--out", type=Path, default=Path("flows-graph"))
    sources = sub.add_parser("sources", help="every text that states a fact, with its sources")
    sources.add_argument("--lang", choices=LOCALES, default=None, help="also in this language")
    check = sub.add_parser("check", help="validate the flow files")
    check.add_argument("--dir", type=Path, default=FLOWS_DIR)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "check":
        return _check(args.dir)
    if args.command == "classify":
        return _classify(args.lang)
    if args.command == "graph":
        return _graph(args.out)
    try:
        settings = Settings()
    except ValidationError as exc:  # one line: which setting, what is wrong, what is allowed
        print(f"pat-bot: {problem(exc)}", file=sys.stderr)
        return 2
    try:
        return _command(args, settings)
    except KeyboardInterrupt:
        return 0
    except Exception as exc:  # cannot start or go on: one line, and exit (never hang)
        print(f"pat-bot: {explain(exc, settings)}", file=sys.stderr)
        return 1


def _command(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "sources":
        return _sources(settings, args.lang)
    if args.command == "health":
        return _health(settings)
    configure_logging(settings.log_level)
    if args.command == "stats":
        return asyncio.run(_stats(settings, args.days))
    if args.command == "outbox":
        return asyncio.run(_outbox(settings, args.action, args.ref, args.all))
    if args.command == "run" or (args.command is None and settings.telegram_token):
        if settings.telegram_token is None:
            print("pat-bot: PAT_TELEGRAM_TOKEN is not set (see README: Telegram).", file=sys.stderr)
            return 2
        return asyncio.run(run_telegram(settings))
    # The terminal chat prints to stdout; keep routine log lines out of the conversation.
    logging.getLogger().setLevel(logging.WARNING)
    # Bytes that are not UTF-8 are read as the replacement character, never a crash.
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="replace")
    return asyncio.run(_chat(settings, getattr(args, "lang", None), bool(getattr(args, "new", 0))))


if __name__ == "__main__":
    sys.exit(main())
