"""The web channel's routes, and its conversations: over the WebSocket, over the HTTP fallback,
the news (a request arrived, or not) told to the person's open pages, and the messages of a
person from PAT answering in the chat (bot/channels/web/relay.py)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from bot.channels.registry import WEB
from bot.channels.web.browser import MAX_FRAME, event_of, parsed, shown
from bot.channels.web.diagnose import Diagnosis
from bot.channels.web.pages import chat_page, static_file
from bot.channels.web.relay import PageRelay
from bot.channels.web.resume import last_request
from bot.channels.web.sessions import (
    AddressLimits,
    address_of,
    locale_of,
    origin_ok,
    session_cookie,
    session_of,
)
from bot.conversation.i18n import Catalogs
from bot.conversation.render import Outgoing
from bot.conversation.service import ConversationService
from bot.settings import Settings
from flows import texts
from flows.engine import Command, Start
from flows.loader import MENU_STEP


class WebChannel:
    """The web page, the widget, and their conversations."""

    def __init__(self, service: ConversationService, catalogs: Catalogs, settings: Settings):
        self.service = service
        self.catalogs = catalogs
        self.allowed = set(settings.web_allowed_origins)
        self.max_age = settings.abandoned_days * 86_400
        self.addresses = AddressLimits()
        self.sockets: dict[str, set[WebSocket]] = {}
        self.diagnosis = Diagnosis(catalogs, service.default_locale, self.allowed)
        self.relay = PageRelay(service)  # a person from PAT answering (when hand-off is on)
        relay = self.relay.send if service.handoff is not None else None
        service.chats.connect(WEB.prefix, tell=self.tell, relay=relay)

    # -- what the browser loads ------------------------------------------------------------------

    async def page(self, request: Request) -> Response:
        """The chat page (also what the widget's iframe shows); gives a session if none, and
        renews the one it has. Its words are in the conversation's language when there is one
        (chosen in the chat)."""
        locale = locale_of(request, self.service.default_locale)
        sid = session_of(request)
        state = await self.service.state_of(f"{WEB.prefix}{sid}") if sid else None
        if state is not None and state.started and "lang" not in request.query_params:
            locale = state.locale
        response = chat_page(self.catalogs, locale, self.allowed)
        response.headers.append("set-cookie", session_cookie(self.max_age, sid))
        return response

    async def widget(self, request: Request) -> Response:
        return await self.static(request, "widget.js")

    async def static(self, request: Request, name: str | None = None) -> Response:
        return static_file(self.catalogs, name or request.path_params["name"])

    # -- conversations ---------------------------------------------------------------------------

    async def handle(self, sid: str, data: Any, locale: str, address: str) -> dict[str, Any]:
        """One browser message: the bot's answer (no message when nothing is to be said), in
        the conversation's language (``lang``: the page puts its own words in it too);
        ``resumed``: a page opened again, shown where the person is (bot/channels/web/resume.py)."""
        key = f"{WEB.prefix}{sid}"
        state = await self.service.state_of(key)
        lang = state.locale if state is not None else locale
        flood = self.addresses.flooding(address)
        if flood != "ok":  # said once, then silence until the minute has passed
            out = Outgoing(self.service.translator(state).gettext(texts.SLOW_DOWN))
            return self.say([out] if flood == "warn" else [], lang)
        event = event_of(data, locale)
        again = isinstance(event, Start) and state is not None and state.started
        if again and state is not None:  # a reload: where they were, in their language
            shown_again = await last_request(self.service, key, state)
            if shown_again:
                return self.say(shown_again, lang, resumed=True)
            if state.step == MENU_STEP and not state.answers:
                again = False  # nothing begun (or all erased): the welcome, not « reprenons »
            else:
                event = Command("resume")
        if event is None:
            out = Outgoing(self.service.translator(state).gettext(texts.USE_BUTTONS))
            return self.say([out], lang)
        reply = await self.service.handle_full(key, event, locale=locale, address=address)
        now = reply.after or reply.before
        lang = now.locale if now else lang
        return self.say(reply.messages, lang, resumed=again, erased=reply.erased)

    @staticmethod
    def say(
        messages: list[Outgoing], lang: str, *, resumed: bool = False, erased: bool = False
    ) -> dict[str, Any]:
        """What the page gets: the messages, the conversation's language, whether this is a
        conversation taken up again, and whether the person's data was just erased (the page
        then empties its screen: nothing of it stays to be read on a shared computer)."""
        shown_all = [shown(out) for out in messages]
        return {
            "t": "say",
            "messages": shown_all,
            "lang": lang,
            "resumed": resumed,
            "erased": erased,
        }

    async def websocket(self, ws: WebSocket) -> None:
        sid = session_of(ws)
        address = address_of(ws)
        crowded = self.addresses.crowded(address)
        if sid is None or not origin_ok(ws, self.allowed) or crowded:
            await ws.close(code=4403)
            return
        await ws.accept()
        locale = locale_of(ws, self.service.default_locale)
        self.sockets.setdefault(sid, set()).add(ws)
        self.addresses.opened(address)
        try:
            while True:
                message = await ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
                data = parsed(message.get("text"))
                if self.relay.acked(sid, data):
                    continue  # the page showed a message of a person from PAT
                answer = await self.handle(sid, data, locale, address)
                await ws.send_text(json.dumps(answer))
                self.service.outbox.kick()  # the person may be waiting for "arrived"
                self.relay.join(sid, ws)  # after its first answer: what waited comes after
        except WebSocketDisconnect:
            pass
        finally:
            mine = self.sockets.get(sid, set())
            mine.discard(ws)
            if not mine:
                self.sockets.pop(sid, None)
            self.relay.leave(sid, ws)
            self.addresses.closed(address)

    async def fallback(self, request: Request) -> Response:
        """The same as the WebSocket, one HTTP request per message (proxies that block it)."""
        sid = session_of(request)
        if sid is None or not origin_ok(request, self.allowed):
            return JSONResponse({"error": "forbidden"}, status_code=403)
        body = b""
        async for chunk in request.stream():  # never more than the bound in memory
            body += chunk
            if len(body) > MAX_FRAME:
                return JSONResponse({"error": "too large"}, status_code=413)
        data = parsed(body.decode("utf-8", "replace"))
        address = address_of(request)
        answer = await self.handle(
            sid, data, locale_of(request, self.service.default_locale), address
        )
        answer["relayed"] = await self.relay.take(sid) if self.service.handoff is not None else []
        return JSONResponse(answer)

    async def tell(self, chat_key: str, text: str) -> None:
        """News about a request (arrived, or not), to the person's open page(s)."""
        sockets = self.sockets.get(chat_key.removeprefix(WEB.prefix))
        if not sockets:
            raise LookupError("no open page")  # the outbox tells them next time they come
        message = json.dumps({"t": "notice", "messages": [shown(Outgoing(text))]})
        for ws in list(sockets):
            await ws.send_text(message)

    def app(self, beside: Sequence[BaseRoute] = ()) -> Starlette:
        """The page's routes, and ``beside`` them those of channels served here (webhooks)."""
        return Starlette(
            routes=[
                Route("/", self.page),
                Route("/static/{name}", self.static),
                Route("/widget.js", self.widget),
                WebSocketRoute("/ws", self.websocket),
                Route("/api/event", self.fallback, methods=["POST"]),
                Route("/api/session", self.diagnosis.session),  # works, or says why
                Route("/api/widget", self.diagnosis.widget),
                *beside,
            ]
        )
