"""Numbers, e-mail addresses and web addresses in a bot message, found by strict patterns.

A person in danger must be able to tap 112 on a phone. ``parts`` cuts a plain text into pieces,
each with the link it stands for (``tel:``, ``mailto:``, ``https:``) or none; the web page
builds its links from these pieces as text nodes and attributes, never as HTML from text.
``for_telegram`` writes long Belgian numbers in the international form that Telegram's apps
turn into a link (``+32 800 32 123``); short numbers (112, 107…) have no such form.
"""

from __future__ import annotations

import re

# Belgian short numbers of emergency and help lines (content-brief.md): 100, 101, 112 and the
# listening lines; only these, so that "2000 caractères" or a year is never a link.
SHORT_NUMBERS = ("100", "101", "102", "103", "106", "107", "108", "112", "1712", "1813")
_EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
# A Belgian number written from 0 (0800 32 123, 070 245 245, 0470 12 34 56) or +32.
_LONG = r"(?:\+32[ .]?|0)\d{1,3}(?:[ .]?\d{2,3}){2,3}"
_SHORT = "|".join(sorted(SHORT_NUMBERS, key=len, reverse=True))
# A web address of a help line or of PAT: a host with a known ending, an optional path.
_WEB = r"(?:https?://)?(?:[a-z0-9-]+\.)+(?:be|org|eu|com)(?:/[\w/.-]*[\w/])?"
_PATTERN = re.compile(
    rf"(?P<email>{_EMAIL})"
    rf"|(?<![\w+])(?P<long>{_LONG})(?![\w])"
    rf"|(?<![\w+.,])(?P<short>{_SHORT})(?![\w]|[.,]\d)"
    rf"|(?<![\w@./])(?P<web>{_WEB})(?![\w@])",
    re.IGNORECASE,
)

# The example domains (RFC 2606, and the French and Dutch words the texts use for them).
_EXAMPLE = re.compile(r"[@.]?(?:example|exemple|voorbeeld)\.[a-z]{2,}\b", re.IGNORECASE)

Part = tuple[str, str | None]


def _belgian(number: str) -> bool:
    """A Belgian phone number has 9 digits after its 0 (landlines, 0800, 070) or 10 (mobiles
    start 04): 0 + 8 or 9 digits, or +32 and the same without the 0."""
    digits = re.sub(r"\D", "", number)
    national = digits[2:] if number.startswith("+") else digits[1:]
    return len(national) in (8, 9)


def _tel(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    if number.startswith("+"):
        return "tel:+" + digits
    if digits.startswith("0") and len(digits) >= 9:
        return "tel:+32" + digits[1:]
    return "tel:" + digits


def parts(text: str) -> list[Part]:
    """The text in pieces: (text, link) where a number, an address or a site is, else
    (text, None). Joined, the pieces give the text back unchanged."""
    out: list[Part] = []
    at = 0
    for found in _PATTERN.finditer(text):
        piece = found.group(0)
        if found.group("long") and not _belgian(piece):
            continue  # a date, an account number, a longer figure: not a phone number
        if _EXAMPLE.search(piece):
            continue  # « prenom.nom@exemple.be »: an example to copy, not an address to write to
        if found.start() > at:
            out.append((text[at : found.start()], None))
        if found.group("email"):
            link = "mailto:" + piece
        elif found.group("web"):
            link = piece if piece.lower().startswith("http") else "https://" + piece
        else:
            link = _tel(piece)
        out.append((piece, link))
        at = found.end()
    if at < len(text):
        out.append((text[at:], None))
    return out


def international(number: str) -> str:
    """``0800 32 123`` → ``+32 800 32 123`` (Telegram links numbers written from +)."""
    return "+32 " + number[1:] if number.startswith("0") else number


_NATIONAL = re.compile(r"(?<![\w+])0\d")  # where a number written from 0 could start


def for_telegram(text: str) -> str:
    """Long Belgian numbers in the form Telegram's apps make tappable; the rest unchanged.
    (Every message to Telegram passes here: most have no such number and are returned at
    once, bench/run.py.)"""
    if _NATIONAL.search(text) is None:
        return text
    return "".join(
        international(piece) if link and link.startswith("tel:+32") and piece[0] == "0" else piece
        for piece, link in parts(text)
    )
