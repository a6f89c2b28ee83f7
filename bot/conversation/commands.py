"""The commands a person can type, the same on every channel: the word, and what it does.

Telegram lists them without the slash (its own command menu adds it); the terminal and the
web page read ``/word``. /sos (the help lines by situation) works in every language; /aide and
/hulp are the words French and Dutch speakers try.
"""

from __future__ import annotations

from flows.engine import CommandName

COMMANDS: dict[str, CommandName] = {
    "sos": "urgent",
    "menu": "menu",
    "help": "help",
    "privacy": "privacy",
    "cancel": "cancel",
    "language": "language",
    "forget": "forget",
    "aide": "urgent",
    "hulp": "urgent",
}


def typed_command(word: str) -> CommandName | None:
    """What ``/word`` typed in a text does (None: not a command)."""
    return COMMANDS.get(word[1:]) if word.startswith("/") else None
