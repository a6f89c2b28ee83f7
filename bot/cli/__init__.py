"""``pat-bot``: the command line.

pat-bot            Telegram when PAT_TELEGRAM_TOKEN is set, else the terminal chat
pat-bot chat       the conversation in this terminal
pat-bot -h         every command: outbox, export, digest, stats, graph, sources, check…

What it says to staff is in PAT_STAFF_LOCALE (bot/staff/texts.py). This file reads the
command line and sends each command where it is done: parser.py (the commands and their
help), serve.py (running the bot), commands.py (the staff commands that print and end).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from bot.cli.commands import (
    _check,
    _classify,
    _digest,
    _graph,
    _outbox,
    _sources,
    _staff_console,
    _stats,
)
from bot.cli.parser import _parser, _staff_voice
from bot.cli.serve import _chat, _health, run_telegram, run_web
from bot.conversation.i18n import Translator
from bot.failures import explain
from bot.logs import configure_logging
from bot.settings import Settings, problem
from bot.staff import texts as staff
from bot.staff.export import export_command


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
