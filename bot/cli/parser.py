"""pat-bot's command line, in the staff's language: every command, its options and its help
(argparse, with its own -h, section titles and one line on a wrong option)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from pydantic import ValidationError

from bot.conversation.i18n import CatalogError, Catalogs, Translator
from bot.settings import Settings
from bot.staff import texts as staff
from bot.staff.texts import say
from flows.loader import FLOWS_DIR
from flows.locales import LOCALES


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
    """pat-bot's parser: the commands that run the bot (chat, run, web, health), then staff's."""

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
    _staff_commands(command, h)
    return parser


def _staff_commands(command: Callable[[str, str], _Parser], h: Callable[[str], str]) -> None:
    """The staff commands, which print and end (bot/cli/commands.py, bot/staff/export.py), with
    their options, in the order ``pat-bot -h`` lists them. ``command`` adds one; ``h``
    translates a help text."""
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
