"""The web channel: the same front door on a web page, an adapter like bot/channels/terminal.py.

Starlette serves a chat page at ``/`` (for a link or a QR code), ``/widget.js`` (one line on
PAT's site opens that page in a panel, in an iframe), the page's script and style, and a
WebSocket at ``/ws`` — with ``POST /api/event`` as a plain HTTP fallback. Both turn what the
browser sends into engine events for ``ConversationService.handle`` and send back what it
renders; no flow logic lives here.

- Session: a random id in one cookie (``HttpOnly``, ``Secure``, ``SameSite=None``,
  ``Partitioned`` so that it also works inside the widget's iframe); chat key ``web:<id>``.
- Safety: the WebSocket and the fallback accept only the page's own origin and
  ``PAT_WEB_ALLOWED_ORIGINS``; the page may be framed only by those origins (CSP
  ``frame-ancestors``); a strict Content-Security-Policy; per-session limits (the service's)
  and per-address limits (here); a message bound (the engine's 2,000 characters, and 16 KiB
  per WebSocket frame); every text is put in the page as text, never as HTML.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
import secrets
import socket
from collections.abc import Iterator
from importlib.resources import files
from typing import Any
from urllib.parse import urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from bot.channels.links import parts
from bot.channels.registry import WEB
from bot.conversation.commands import typed_command
from bot.conversation.i18n import Catalogs
from bot.conversation.limits import FloodLimit
from bot.conversation.render import Outgoing, parse_callback
from bot.conversation.service import ConversationService
from bot.settings import Settings
from flows import texts
from flows.engine import Command, Event, Start, Text
from flows.loader import MENU_STEP
from flows.locales import LOCALES
from flows.texts import N_

log = logging.getLogger(__name__)

# "__Host-": only this host may set it (a sibling sub-domain cannot plant a session id).
COOKIE = "__Host-pat_session"
MAX_FRAME = 16 * 1024  # bytes per WebSocket message: far above 2,000 characters of text
PER_ADDRESS_PER_MINUTE = 120  # messages from one address (several people behind one NAT)
SOCKETS_PER_ADDRESS = 20  # open WebSockets from one address at a time
STATIC = files("bot.channels") / "webui"
TYPES = {".js": "text/javascript", ".css": "text/css"}

# The page's own words (the conversation's come from the flows, as everywhere).
UI = {
    "title": N_("PAT · le robot d'accueil"),
    "intro": N_("Le robot d'accueil de PAT : un programme, pas une personne."),
    "input": N_("Votre message"),
    "send": N_("Envoyer"),
    "forget": N_("Effacer mes données"),
    "language": N_("Langue"),
    "sos": texts.HELP_NOW_ENTRY,
    "offline": N_("La connexion est coupée ; je réessaie…"),
    "you": N_("Vous"),
    "bot": N_("Robot PAT"),
    "open": N_("Une question sur la pair-aidance ? Écrire au robot de PAT"),
    "close": N_("Fermer le chat"),
    "noscript": N_("Ce chat a besoin de JavaScript. Vous pouvez aussi écrire à pat@smes.be."),
}


def _message(out: Outgoing) -> dict[str, Any]:
    body = out.text.split("\n\n")[0] if out.summary else out.text
    return {
        "text": out.text,
        # The text in pieces, each with its tel:, mailto: or https: link or null
        # (bot/channels/links.py): the page makes links of them as attributes, never HTML.
        "parts": [[piece, link] for piece, link in parts(body)],
        "buttons": [{"data": b.data, "label": b.label} for b in out.buttons],
        "expects": out.expects,
        "update": out.update,
        "summary": [list(pair) for pair in out.summary],
    }


def _parsed(text: str | bytes | None) -> Any:
    """A browser message as JSON; None for anything else (binary, too deep, not JSON)."""
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _event(data: Any, locale: str) -> Event | None:
    """What one message from the browser means (None: not understood)."""
    if not isinstance(data, dict):
        return None
    kind = data.get("t")
    if kind == "text" and isinstance(data.get("text"), str):
        typed = data["text"]
        word = typed.strip().split(" ", 1)[0].lower() if typed.startswith("/") else ""
        command = typed_command(word)
        if command is not None:
            return Command(command)
        return Text(typed)
    if kind == "button" and isinstance(data.get("data"), str):
        return parse_callback(data["data"])
    if kind == "forget":
        return Command("forget")
    if kind == "language":
        return Command("language")
    if kind == "urgent":
        return Command("urgent")
    if kind == "start":  # the page's language, also over the HTTP fallback (no ?lang there)
        asked = data.get("lang")
        return Start(locale=asked if isinstance(asked, str) and asked in LOCALES else locale)
    return None


class WebChannel:
    """The web page, the widget, and their conversations."""

    def __init__(self, service: ConversationService, catalogs: Catalogs, settings: Settings):
        self.service = service
        self.catalogs = catalogs
        self.allowed = set(settings.web_allowed_origins)
        self.max_age = settings.abandoned_days * 86_400
        self.per_address = FloodLimit(PER_ADDRESS_PER_MINUTE)
        self.sockets: dict[str, set[WebSocket]] = {}
        self.per_socket_address: dict[str, int] = {}
        service.chats.connect(WEB.prefix, tell=self.tell)

    # -- sessions and origins --------------------------------------------------------------------

    @staticmethod
    def session_of(conn: HTTPConnection) -> str | None:
        sid = conn.cookies.get(COOKIE, "")
        return (
            sid
            if 20 <= len(sid) <= 64 and sid.replace("-", "").replace("_", "").isalnum()
            else None
        )

    def origin_ok(self, conn: HTTPConnection) -> bool:
        """The page's own origin, or one PAT allowed (PAT_WEB_ALLOWED_ORIGINS)."""
        origin = conn.headers.get("origin")
        if origin is None:
            return bool(conn.scope["type"] == "http")  # a browser always sends it on a WebSocket
        if origin in self.allowed:
            return True
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and parts.netloc == conn.headers.get("host")

    def locale_of(self, conn: HTTPConnection) -> str:
        asked = conn.query_params.get("lang", "")
        if asked in LOCALES:
            return asked
        for part in conn.headers.get("accept-language", "").split(","):
            code = part.split(";")[0].strip().split("-")[0].lower()
            if code in LOCALES:
                return code
        return self.service.default_locale

    # -- what the browser gets -------------------------------------------------------------------

    def headers(self) -> dict[str, str]:
        frames = " ".join(["'self'", *sorted(self.allowed)])
        return {
            "Content-Security-Policy": (
                "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                f"img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors {frames}"
            ),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        }

    async def page(self, request: Request) -> Response:
        """The chat page (also what the widget's iframe shows); gives a session if none. Its
        words are in the conversation's language when there is one (chosen in the chat)."""
        locale = self.locale_of(request)
        sid = self.session_of(request)
        state = await self.service.state_of(f"{WEB.prefix}{sid}") if sid else None
        if state is not None and state.started and "lang" not in request.query_params:
            locale = state.locale
        t = self.catalogs.get(locale)
        words = {key: t.gettext(msgid) for key, msgid in UI.items()}
        template = (STATIC / "index.html").read_text(encoding="utf-8")
        body = template.replace("{lang}", locale).replace(
            "{words}", html.escape(json.dumps(words, ensure_ascii=False), quote=True)
        )
        for key, value in words.items():
            body = body.replace("{" + key + "}", html.escape(value))
        response = Response(body, media_type="text/html; charset=utf-8", headers=self.headers())
        if self.session_of(request) is None:
            # Written by hand: Python's cookie module knows "Partitioned" only from 3.14.
            response.headers.append(
                "set-cookie",
                f"{COOKIE}={secrets.token_urlsafe(24)}; Max-Age={self.max_age}; Path=/; "
                "Secure; HttpOnly; SameSite=None; Partitioned",
            )
        return response

    async def widget(self, request: Request) -> Response:
        return await self.static(request, "widget.js")

    async def static(self, request: Request, name: str | None = None) -> Response:
        name = name or request.path_params["name"]
        if name not in ("chat.js", "chat.css", "widget.js"):
            return Response(status_code=404)
        body = (STATIC / name).read_text(encoding="utf-8")
        if name == "widget.js":  # the button's words, in every language, from the catalogs
            labels = {
                loc: {k: self.catalogs.get(loc).gettext(UI[k]) for k in ("open", "close")}
                for loc in LOCALES
            }
            body = body.replace("/*LABELS*/{}", json.dumps(labels, ensure_ascii=False))
        media = TYPES["." + name.rsplit(".", 1)[1]] + "; charset=utf-8"
        headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}
        return Response(body, media_type=media, headers=headers)

    # -- conversations ---------------------------------------------------------------------------

    async def handle(self, sid: str, data: Any, locale: str, address: str) -> list[dict[str, Any]]:
        """One browser message: the bot's answer (empty when nothing is to be said)."""
        key = f"{WEB.prefix}{sid}"
        if self.per_address.check(address) != "ok":
            state = await self.service.state_of(key)
            return [_message(Outgoing(self.service.translator(state).gettext(texts.SLOW_DOWN)))]
        event = _event(data, locale)
        if isinstance(event, Start):
            state = await self.service.state_of(key)
            if state is not None and state.started and state.step != MENU_STEP:
                event = Command("resume")  # a reload: back where they were, in their language
        if event is None:
            state = await self.service.state_of(key)
            return [_message(Outgoing(self.service.translator(state).gettext(texts.USE_BUTTONS)))]
        return [_message(out) for out in await self.service.handle(key, event, locale=locale)]

    async def websocket(self, ws: WebSocket) -> None:
        sid = self.session_of(ws)
        address = ws.client.host if ws.client else "?"
        crowded = self.per_socket_address.get(address, 0) >= SOCKETS_PER_ADDRESS
        if sid is None or not self.origin_ok(ws) or crowded:
            await ws.close(code=4403)
            return
        await ws.accept()
        locale = self.locale_of(ws)
        self.sockets.setdefault(sid, set()).add(ws)
        self.per_socket_address[address] = self.per_socket_address.get(address, 0) + 1
        try:
            while True:
                message = await ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
                answer = await self.handle(sid, _parsed(message.get("text")), locale, address)
                await ws.send_text(json.dumps({"t": "say", "messages": answer}))
                self.service.outbox.kick()  # the person may be waiting for "arrived"
        except WebSocketDisconnect:
            pass
        finally:
            mine = self.sockets.get(sid, set())
            mine.discard(ws)
            if not mine:
                self.sockets.pop(sid, None)
            left = self.per_socket_address.get(address, 1) - 1
            if left > 0:
                self.per_socket_address[address] = left
            else:
                self.per_socket_address.pop(address, None)

    async def fallback(self, request: Request) -> Response:
        """The same as the WebSocket, one HTTP request per message (proxies that block it)."""
        sid = self.session_of(request)
        if sid is None or not self.origin_ok(request):
            return JSONResponse({"error": "forbidden"}, status_code=403)
        body = b""
        async for chunk in request.stream():  # never more than the bound in memory
            body += chunk
            if len(body) > MAX_FRAME:
                return JSONResponse({"error": "too large"}, status_code=413)
        data = _parsed(body.decode("utf-8", "replace"))
        address = request.client.host if request.client else "?"
        answer = await self.handle(sid, data, self.locale_of(request), address)
        return JSONResponse({"t": "say", "messages": answer})

    async def tell(self, chat_key: str, text: str) -> None:
        """News about a request (arrived, or not), to the person's open page(s)."""
        sockets = self.sockets.get(chat_key.removeprefix(WEB.prefix))
        if not sockets:
            raise LookupError("no open page")  # the outbox tells them next time they come
        message = json.dumps({"t": "notice", "messages": [_message(Outgoing(text))]})
        for ws in list(sockets):
            await ws.send_text(message)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/", self.page),
                Route("/static/{name}", self.static),
                Route("/widget.js", self.widget),
                WebSocketRoute("/ws", self.websocket),
                Route("/api/event", self.fallback, methods=["POST"]),
            ]
        )


class CannotListen(Exception):
    """The web channel cannot serve on its address (taken, not ours): one line, exit 1."""


class _Server(uvicorn.Server):
    """uvicorn inside pat-bot's own loop: pat-bot handles SIGINT and SIGTERM itself."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve(
    channel: WebChannel, host: str, port: int, stop: asyncio.Event, trusted: list[str]
) -> None:
    """Serve the web channel until ``stop`` is set."""
    config = uvicorn.Config(
        channel.app(),
        host=host,
        port=port,
        ws="wsproto",
        ws_max_size=MAX_FRAME,
        log_level="warning",
        access_log=False,  # addresses and paths are not kept
        server_header=False,
        # X-Forwarded-For is believed from these only (the reverse proxy): the per-address limit.
        forwarded_allow_ips=trusted,
        timeout_graceful_shutdown=5,  # a client that never finishes does not hold the exit
    )
    where = f"{host}:{port}"
    try:  # asked first, so that a taken port is one line of ours, not uvicorn's log and a hang
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        raise CannotListen(f"the web channel cannot listen on {where}: {exc.strerror}") from exc
    server = _Server(config)
    task = asyncio.create_task(server.serve())
    stopped = asyncio.create_task(stop.wait())
    await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    if not stop.is_set():  # the server ended by itself: it could not start
        stopped.cancel()
        with contextlib.suppress(BaseException):
            await task
        raise CannotListen(f"the web channel on {where} stopped at start-up")
    server.should_exit = True
    await task
