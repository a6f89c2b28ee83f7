"""Who is at the other end of the web channel: the session cookie, the origins allowed, the
language the browser asks for, and the limits per address (several people behind one NAT)."""

from __future__ import annotations

import secrets
from typing import Literal
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection

from bot.conversation.limits import FloodLimit
from flows.locales import LOCALES

# "__Host-": only this host may set it (a sibling sub-domain cannot plant a session id).
COOKIE = "__Host-pat_session"
PER_ADDRESS_PER_MINUTE = 120  # messages from one address (several people behind one NAT)
SOCKETS_PER_ADDRESS = 20  # open WebSockets from one address at a time


def session_of(conn: HTTPConnection) -> str | None:
    """The session id of the cookie; None when there is none, or not one of ours."""
    sid = conn.cookies.get(COOKIE, "")
    return sid if 20 <= len(sid) <= 64 and sid.replace("-", "").replace("_", "").isalnum() else None


def session_cookie(max_age: int, sid: str | None = None) -> str:
    """A ``Set-Cookie`` value for ``max_age`` seconds from now: a new session id, or ``sid``
    again (each visit: the cookie lasts as long after the last visit as an unfinished
    conversation is kept, PAT_ABANDONED_DAYS). Written by hand: Python's cookie module knows
    "Partitioned" only from 3.14."""
    return (
        f"{COOKIE}={sid or secrets.token_urlsafe(24)}; Max-Age={max_age}; Path=/; "
        "Secure; HttpOnly; SameSite=None; Partitioned"
    )


def origin_ok(conn: HTTPConnection, allowed: set[str]) -> bool:
    """The page's own origin, or one PAT allowed (PAT_WEB_ALLOWED_ORIGINS)."""
    origin = conn.headers.get("origin")
    if origin is None:
        return bool(conn.scope["type"] == "http")  # a browser always sends it on a WebSocket
    if origin in allowed:
        return True
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc == conn.headers.get("host")


def locale_of(conn: HTTPConnection, default: str) -> str:
    """The language asked for: ``?lang=``, else the browser's Accept-Language, else ``default``."""
    asked = conn.query_params.get("lang", "")
    if asked in LOCALES:
        return asked
    for part in conn.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().split("-")[0].lower()
        if code in LOCALES:
            return code
    return default


def address_of(conn: HTTPConnection) -> str:
    """The client's address (X-Forwarded-For when it comes from a trusted proxy)."""
    return conn.client.host if conn.client else "?"


class AddressLimits:
    """Per-address limits: messages a minute, and WebSockets open at a time."""

    def __init__(self) -> None:
        self.messages = FloodLimit(PER_ADDRESS_PER_MINUTE)
        self.sockets: dict[str, int] = {}

    def flooding(self, address: str) -> Literal["ok", "warn", "quiet"]:
        """Counts one message from ``address``: ``ok``, or over the limit (``warn``: say so
        once; ``quiet``: said already)."""
        return self.messages.check(address)

    def crowded(self, address: str) -> bool:
        """Whether ``address`` has as many WebSockets open as it may (a new one is refused)."""
        return self.sockets.get(address, 0) >= SOCKETS_PER_ADDRESS

    def opened(self, address: str) -> None:
        """A WebSocket from ``address`` was accepted."""
        self.sockets[address] = self.sockets.get(address, 0) + 1

    def closed(self, address: str) -> None:
        """A WebSocket from ``address`` ended (an address with none left is forgotten)."""
        left = self.sockets.get(address, 1) - 1
        if left > 0:
            self.sockets[address] = left
        else:
            self.sockets.pop(address, None)
