"""``pat-bot``: the command line.

pat-bot            Telegram when PAT_TELEGRAM_TOKEN is set, else the terminal chat
pat-bot chat       the conversation in this terminal
pat-bot check      validate every flow file (exit 1 and list all problems if any)
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.app import build_app
from bot.settings import Settings
from bot.terminal import TerminalChat
from flows.loader import FLOWS_DIR, FlowError, load_flows


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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pat-bot", description="PAT front door chat-bot")
    sub = parser.add_subparsers(dest="command")
    chat = sub.add_parser("chat", help="the conversation in this terminal")
    chat.add_argument("--lang", choices=["fr", "nl", "en"], default=None)
    chat.add_argument("--new", action="store_true", help="start over instead of resuming")
    check = sub.add_parser("check", help="validate the flow files")
    check.add_argument("--dir", type=Path, default=FLOWS_DIR)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "check":
        return _check(args.dir)
    settings = Settings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # The terminal chat prints to stdout; keep routine log lines out of the conversation.
    if args.command in (None, "chat"):
        logging.getLogger().setLevel(logging.WARNING)
        lang = getattr(args, "lang", None)
        new = bool(getattr(args, "new", False))
        try:
            return asyncio.run(_chat(settings, lang, new))
        except KeyboardInterrupt:
            return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
