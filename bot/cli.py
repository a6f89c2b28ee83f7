"""``pat-bot``: the command line.

pat-bot            Telegram when PAT_TELEGRAM_TOKEN is set, else the terminal chat
pat-bot chat       the conversation in this terminal
pat-bot -h         every command: outbox, export, digest, stats, graph, sources, check…

What it says to staff is in PAT_STAFF_LOCALE (bot/staff/texts.py).
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
from typing import Any, NoReturn

from pydantic import ValidationError

from bot.app import build_app, settle
from bot.channels.terminal import TerminalChat
from bot.conversation.i18n import BRUSSELS, CatalogError, Catalogs, Translator
from bot.failures import explain
from bot.logs import configure_logging
from bot.settings import Settings, problem
from bot.staff import digest
from bot.staff import texts as staff
from bot.staff.export import export_command
from bot.staff.texts import say
from flows.loader import FLOWS_DIR, FlowError, load_flows
from flows.locales import LOCALES, REFERENCE


def _check(directory: Path, t: Translator) -> int:
    try:
        flows = load_flows(directory)
    except FlowError as exc:
        for found in exc.problems:
            print(found, file=sys.stderr)
        print(say(t, staff.CHECK_PROBLEMS, count=len(exc.problems)), file=sys.stderr)
        return 1
    print(say(t, staff.CHECK_OK, flows=len(flows.flows), steps=len(flows.steps)))
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


def _health(settings: Settings, t: Translator) -> int:
    try:
        age = time.time() - settings.heartbeat_path.stat().st_mtime
    except OSError:
        print(t.gettext(staff.NO_HEARTBEAT), file=sys.stderr)
        return 1
    healthy = age < HEARTBEAT_SECONDS * 4
    print(say(t, staff.HEARTBEAT_OK if healthy else staff.HEARTBEAT_STALE, seconds=round(age)))
    return 0 if healthy else 1


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)


async def run_web(settings: Settings, stop: asyncio.Event | None = None) -> int:
    """The web channel alone (sites that do not use Telegram), until SIGINT/SIGTERM."""
    from bot.channels.web import WebChannel, serve

    stop = stop or asyncio.Event()
    _stop_on_signals(stop)
    async with build_app(settings) as app:
        settle(app)
        channel = WebChannel(app.service, app.catalogs, settings)
        port = settings.web_port or 8080
        logging.getLogger(__name__).info("web channel on %s:%d", settings.web_host, port)
        beat = asyncio.create_task(_heartbeat(settings.heartbeat_path, stop))
        try:
            await serve(channel, settings.web_host, port, stop, settings.web_trusted_proxies)
        finally:
            stop.set()
            await beat
    return 0


async def run_telegram(settings: Settings, stop: asyncio.Event | None = None) -> int:
    """Run the Telegram bot until SIGINT/SIGTERM (or ``stop`` is set)."""
    from telegram import Update

    from bot.channels.telegram import TelegramFrontDoor

    stop = stop or asyncio.Event()
    settings.heartbeat_path.unlink(missing_ok=True)  # a crashed bot's beat says nothing now
    _stop_on_signals(stop)
    async with build_app(settings) as app:
        door = TelegramFrontDoor(
            app.service, app.catalogs, settings.staff_ids, settings.staff_chat_id
        )
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
            web = None
            if settings.web_port is not None:  # the web page too, from the same process
                from bot.channels.web import WebChannel, serve

                channel = WebChannel(app.service, app.catalogs, settings)
                web = asyncio.create_task(
                    serve(
                        channel,
                        settings.web_host,
                        settings.web_port,
                        stop,
                        settings.web_trusted_proxies,
                    )
                )
            try:
                await stop.wait()
                if web is not None:
                    await web
            finally:
                stop.set()
                await beat
                await tg.updater.stop()
                await tg.stop()
    return 0


async def _outbox(
    settings: Settings, action: str | None, ref: str | None, all_: bool, t: Translator
) -> int:
    """List undelivered requests (no personal data), or retry one or all of them now."""
    from storage import repo

    if action == "retry" and not ref and not all_:
        print(t.gettext(staff.OUTBOX_WHICH), file=sys.stderr)
        return 2
    async with build_app(settings, run_worker=False) as app:
        if action == "retry":
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
                print(say(t, staff.OUTBOX_BUSY, ref=r))
            if not refs:
                if not busy:
                    nothing = say(t, staff.OUTBOX_NOTHING_FOR, ref=ref) if ref else None
                    print(nothing or t.gettext(staff.OUTBOX_NOTHING), file=sys.stderr)
                return 0 if busy else 1
            failed = 0
            for r in refs:
                record = await repo.get_request(app.db, r)
                if record is None:
                    continue
                ok = await app.outbox.attempt(record)
                after = await repo.get_request(app.db, r)
                if ok:
                    print(say(t, staff.OUTBOX_DELIVERED, ref=r))
                elif after and after.lease_until and after.lease_until > datetime.now(UTC):
                    print(say(t, staff.OUTBOX_BUSY, ref=r))
                else:
                    error = (after.last_error if after else "") or "?"
                    print(say(t, staff.OUTBOX_NOT_DELIVERED, ref=r, error=error))
                    failed += 1
            return 1 if failed else 0
        rows = [rec for rec in await repo.list_requests(app.db) if rec.status != "delivered"]
        if not rows:
            print(t.gettext(staff.OUTBOX_ALL_DELIVERED))
            return 0
        tries = max(6, len(t.gettext(staff.COL_ATTEMPTS)))
        print(
            f"{t.gettext(staff.COL_REF):<16} {t.gettext(staff.COL_STATUS):<10} "
            f"{t.gettext(staff.COL_ATTEMPTS):>{tries}}  {t.gettext(staff.COL_NEXT):<16}  "
            f"{t.gettext(staff.COL_ERROR)}"
        )
        for rec in rows:
            when = rec.next_attempt_at
            nxt = when.astimezone(BRUSSELS).strftime("%Y-%m-%d %H:%M") if when else "-"
            error = (rec.last_error or "").replace("\n", " ")[:80]
            status = t.gettext(staff.STATUSES.get(rec.status, rec.status))
            print(f"{rec.ref:<16} {status:<10} {rec.attempts:>{tries}}  {nxt:<16}  {error}")
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
            found.update(tier=intent.tier, about=intent.about, danger=intent.danger)
            if intent.then is not None:
                found["otherwise"] = intent.then.name
        print(json.dumps(found, ensure_ascii=False))
    return 0


async def _digest(settings: Settings, send: bool, t: Translator) -> int:
    """``pat-bot digest``: show this week's digest; with ``--send``, make and send it now."""
    from storage import repo

    now = datetime.now(UTC)
    week = digest.week_of(now.astimezone(BRUSSELS).date())
    async with build_app(settings, run_worker=False) as app:
        await app.service.flush_counts()
        weekly = digest.WeeklyDigest(
            app.db, app.flows, t, settings.digest_weekday or 1, settings.mail_from, settings.mail_to
        )
        if not send:
            subject, body = await digest.digest_text(app.db, app.flows, t, now)
            print(f"{subject}\n\n{body}", end="")
            return 0
        made = await weekly.make(now, week)
        if not made and await repo.digest_state(app.db, week) == "sent":
            print(say(t, digest.DIGEST_ALREADY, week=week))
            return 0
        error = await app.outbox.send_digests()
        if error is None:
            print(say(t, digest.DIGEST_SENT, week=week, to=settings.mail_to))
            return 0
        print(say(t, digest.DIGEST_NOT_SENT, week=week, error=error), file=sys.stderr)
        return 1


async def _staff_console(settings: Settings, name: str) -> int:
    from bot.staff.console import StaffConsole

    async with build_app(settings, run_worker=False) as app:
        return await StaffConsole(app, sys.stdin, sys.stdout, name).run()


async def _stats(settings: Settings, days: int, t: Translator) -> int:
    from bot.staff.stats import report

    async with build_app(settings, run_worker=False) as app:
        await app.service.flush_counts()
        print(await report(app.db, app.flows, t, days))
    return 0


def _graph(out: Path, t: Translator) -> int:
    from bot.staff.graph import mermaid, svg

    flows = load_flows()
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / "flows.mmd").write_text(mermaid(flows, t), encoding="utf-8")
        for flow_id in flows.flows:
            (out / f"{flow_id}.svg").write_text(svg(flows, flow_id, t), encoding="utf-8")
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        print(f"pat-bot : {say(t, staff.CANNOT_WRITE, folder=out, why=why)}", file=sys.stderr)
        return 1
    print(say(t, staff.GRAPH_WROTE, mermaid=out / "flows.mmd", count=len(flows.flows), folder=out))
    return 0


def _sources(settings: Settings, lang: str | None) -> int:
    from bot.conversation.i18n import Catalogs
    from bot.staff.review import sources_report

    catalogs = Catalogs(settings.locales_dir)
    other = catalogs.get(lang) if lang and lang != REFERENCE else None
    print(sources_report(load_flows(), catalogs.get(REFERENCE), other), end="")
    return 0


class _Formatter(argparse.HelpFormatter):
    usage_prefix = "usage: "

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, self.usage_prefix if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse in the staff's language: its own -h, section titles and one line on error."""

    def __init__(self, *args: Any, t: Translator, **kwargs: Any) -> None:
        def formatter(prog: str) -> argparse.HelpFormatter:
            made = _Formatter(prog)
            made.usage_prefix = t.gettext(staff.USAGE)
            return made

        kwargs.update(add_help=False, formatter_class=formatter)
        super().__init__(*args, **kwargs)
        self.t = t
        self.options = self.add_argument_group(t.gettext(staff.OPTIONS))
        self.options.add_argument(
            "-h", "--help", action="help", default=argparse.SUPPRESS, help=t.gettext(staff.HELP)
        )

    def error(self, message: str) -> NoReturn:
        self.exit(2, say(self.t, staff.WRONG_ARGUMENTS, prog=self.prog, detail=message) + "\n")


def days(text: str) -> int:
    """--days: a whole number of days from 1 to 3650 (argparse says so when it is not)."""
    days = int(text)
    if not 1 <= days <= 3650:
        raise ValueError(text)
    return days


def _parser(t: Translator) -> _Parser:
    def h(msgid: str) -> str:
        return t.gettext(msgid)

    parser = _Parser(prog="pat-bot", description=h(staff.DESCRIPTION), t=t)
    sub = parser.add_subparsers(dest="command", title=h(staff.COMMANDS), metavar=h(staff.COMMAND))

    def command(name: str, help_: str) -> _Parser:
        made: _Parser = sub.add_parser(name, help=h(help_), description=h(help_), t=t)
        return made

    chat = command("chat", staff.H_CHAT)
    chat.options.add_argument("--lang", choices=LOCALES, default=None, help=h(staff.H_LANG))
    chat.options.add_argument("--new", action="store_true", help=h(staff.H_NEW))
    command("run", staff.H_RUN)
    command("web", staff.H_WEB)
    command("health", staff.H_HEALTH)
    outbox = command("outbox", staff.H_OUTBOX)
    what = outbox.add_argument_group(h(staff.ARGUMENTS))
    what.add_argument(
        "action",
        nargs="?",
        choices=["list", "retry"],
        default="list",
        help=h(staff.H_OUTBOX_ACTION),
    )
    what.add_argument("ref", nargs="?", help=h(staff.H_OUTBOX_REF))
    outbox.options.add_argument("--all", action="store_true", help=h(staff.H_OUTBOX_ALL))
    export = command("export", staff.H_EXPORT)
    export.options.add_argument("--days", type=days, default=30, help=h(staff.H_DAYS))
    export.options.add_argument(
        "--format", choices=["csv", "json"], default="csv", help=h(staff.H_EXPORT_FORMAT)
    )
    export.options.add_argument("--with-contact", action="store_true", help=h(staff.H_WITH_CONTACT))
    digest = command("digest", staff.H_DIGEST)
    digest.options.add_argument("--send", action="store_true", help=h(staff.H_DIGEST_SEND))
    console = command("staff", staff.H_STAFF)
    console.options.add_argument("--name", default="PAT", help=h(staff.H_STAFF_NAME))
    stats = command("stats", staff.H_STATS)
    stats.options.add_argument("--days", type=days, default=30, help=h(staff.H_DAYS))
    graph = command("graph", staff.H_GRAPH)
    graph.options.add_argument(
        "--out", type=Path, default=Path("flows-graph"), help=h(staff.H_GRAPH_OUT)
    )
    classify = command("classify", staff.H_CLASSIFY)
    classify.options.add_argument("--lang", choices=LOCALES, default=None, help=h(staff.H_LANG))
    sources = command("sources", staff.H_SOURCES)
    sources.options.add_argument(
        "--lang", choices=LOCALES, default=None, help=h(staff.H_SOURCES_LANG)
    )
    check = command("check", staff.H_CHECK)
    check.options.add_argument("--dir", type=Path, default=FLOWS_DIR, help=h(staff.H_CHECK_DIR))
    return parser


def _staff_voice() -> tuple[Settings | ValidationError, Translator]:
    """The settings (or what is wrong with them) and the staff's language. With a wrong
    setting, the help still shows, in French; the commands that need settings say what is
    wrong."""
    try:
        settings = Settings()
    except ValidationError as exc:
        return exc, Catalogs.reference()
    try:
        return settings, Catalogs(settings.locales_dir).get(settings.staff_locale)
    except CatalogError:  # reported by the command that starts the bot
        return settings, Catalogs.reference()


def main(argv: Sequence[str] | None = None) -> int:
    settings, t = _staff_voice()
    args = _parser(t).parse_args(argv)
    if args.command == "check":
        return _check(args.dir, t)
    if args.command == "classify":
        return _classify(args.lang)
    if args.command == "graph":
        return _graph(args.out, t)
    if isinstance(settings, ValidationError):  # one line: which setting, what is wrong, allowed
        print(f"pat-bot: {problem(settings)}", file=sys.stderr)
        return 2
    try:
        return _command(args, settings, t)
    except KeyboardInterrupt:
        return 0
    except Exception as exc:  # cannot start or go on: one line, and exit (never hang)
        print(f"pat-bot: {explain(exc, settings)}", file=sys.stderr)
        return 1


def _command(args: argparse.Namespace, settings: Settings, t: Translator) -> int:
    if args.command == "sources":
        return _sources(settings, args.lang)
    if args.command == "health":
        return _health(settings, t)
    configure_logging(settings.log_level)
    if args.command == "stats":
        return asyncio.run(_stats(settings, args.days, t))
    if args.command == "outbox":
        return asyncio.run(_outbox(settings, args.action, args.ref, args.all, t))
    if args.command == "export":
        return asyncio.run(export_command(settings, args.days, args.format, args.with_contact, t))
    if args.command == "web":
        return asyncio.run(run_web(settings))
    if args.command == "staff":
        return asyncio.run(_staff_console(settings, args.name))
    if args.command == "digest":
        return asyncio.run(_digest(settings, args.send, t))
    if args.command == "run" or (args.command is None and settings.telegram_token):
        if settings.telegram_token is None:
            print(f"pat-bot: {t.gettext(staff.NO_TOKEN)}", file=sys.stderr)
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
