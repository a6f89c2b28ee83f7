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
import os
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
    refused = _own_data_dir(settings)
    if refused:
        print(f"pat-bot: {refused}", file=sys.stderr)
        return 2
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


def _own_data_dir(settings: Settings) -> str | None:
    """What the bot writes from here on is for its own user only (umask 077): a new data
    folder is 0700, the database, the outbox's ``.eml`` files and the heartbeat 0600. An
    existing folder and the files in it keep the permissions they have (docs/deploy.md).

    Creates the data folder now: a path where no folder can be (under /proc, inside a file, a
    parent this user may not write in) is a refused setting, exit 2 (no restart can fix it),
    not a failure found later. Returns that line, or None when the folder is there."""
    os.umask(0o077)
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        allowed = Settings.model_fields["data_dir"].description
        why = exc.strerror or type(exc).__name__
        return (
            f"PAT_DATA_DIR={str(settings.data_dir)!r} is refused: no folder can be made there "
            f"({why}). Allowed: {allowed}."
        )
    return None


if __name__ == "__main__":
    sys.exit(main())
