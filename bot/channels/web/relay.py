"""A conversation with a person from PAT on the web page: their messages reach the person's
open pages, and wait while none is open.

The hand-off's relay (bot/staff/handoff.py) gives ``send`` each message for a web chat, in
order. It goes to every page of that session that has had its first answer (a page that just
opened shows where the person is first, then what waited), as the bubble of a person from PAT
with « Terminer la conversation » under it. A page says it has shown a message (an ``ack`` with
its id); only then is the message delivered, and deleted. With no page open, or none that says
so within ``ACK_SECONDS`` (a socket that closed as the message went out, a phone out of reach),
``Away`` is raised: the message waits, without counting a try, and the silent sockets are
closed, so that a page still alive reconnects and gets it then (a page shows an id once). Over
the HTTP fallback, what waits comes with the answer to the person's next message (``take``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import weakref
from typing import Any, Protocol

from bot.channels.base import Away
from bot.channels.registry import WEB
from bot.channels.web.browser import shown
from bot.conversation.render import OutButton, Outgoing, callback_data
from bot.conversation.service import ConversationService
from bot.staff.handoff import END_BUTTON
from flows.engine import END_CHAT
from storage import handoffs
from storage.handoffs import Relayed

ACK_SECONDS = 5.0  # a page answers in milliseconds; one that does not is gone, or unreachable
SILENT = 4408  # the close code for a socket that did not acknowledge: the page reconnects


class Socket(Protocol):
    async def send_text(self, data: str) -> None: ...

    async def close(self, code: int = 1000, reason: str | None = None) -> None: ...


class PageRelay:
    """The open pages of each web session that hand-off messages may reach."""

    def __init__(self, service: ConversationService) -> None:
        self.service = service
        self.pages: dict[str, set[Socket]] = {}
        self._acks: dict[tuple[str, int], asyncio.Future[None]] = {}
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def join(self, sid: str, ws: Socket) -> None:
        """A page of ``sid`` had its first answer: what waits for it goes now."""
        self.pages.setdefault(sid, set()).add(ws)
        if self.service.handoff is not None:
            self.service.handoff.kick()

    def leave(self, sid: str, ws: Socket) -> None:
        mine = self.pages.get(sid, set())
        mine.discard(ws)
        if not mine:
            self.pages.pop(sid, None)

    def acked(self, sid: str, data: Any) -> bool:
        """Whether a browser message is a page's « shown » for a relayed message (then handled)."""
        if not (isinstance(data, dict) and data.get("t") == "ack"):
            return False
        relay_id = data.get("id")
        waiting = self._acks.get((sid, relay_id)) if isinstance(relay_id, int) else None
        if waiting is not None and not waiting.done():
            waiting.set_result(None)
        return True

    async def send(self, msg: Relayed) -> None:
        """Show ``msg`` on the person's open pages; ``Away`` when none has shown it."""
        sid = msg.to_key.removeprefix(WEB.prefix)
        async with self._lock(sid):
            if not await handoffs.still_queued(self.service.db, msg.id):
                return  # the HTTP fallback gave it meanwhile
            pages = list(self.pages.get(sid, ()))
            frame = json.dumps({"t": "relay", "id": msg.id, "messages": await self.shown(msg)})
            shown_here = asyncio.get_running_loop().create_future()
            self._acks[(sid, msg.id)] = shown_here
            try:
                reached = [ws for ws in pages if await _sent(ws, frame)]
                if reached and await _within(shown_here, ACK_SECONDS):
                    return
                for ws in pages:  # silent: closed, so that a living page reconnects
                    self.leave(sid, ws)
                    with contextlib.suppress(Exception):
                        await ws.close(code=SILENT)
                raise Away
            finally:
                self._acks.pop((sid, msg.id), None)

    async def take(self, sid: str) -> list[dict[str, Any]]:
        """What waits for this session, given now (over the HTTP fallback), and deleted."""
        out: list[dict[str, Any]] = []
        async with self._lock(sid):
            for msg in await handoffs.waiting_to(self.service.db, f"{WEB.prefix}{sid}"):
                out.append({"id": msg.id, "messages": await self.shown(msg)})
                await handoffs.delivered(self.service.db, msg.id)
        return out

    async def shown(self, msg: Relayed) -> list[dict[str, Any]]:
        """A relayed message as the page shows it: from a person of PAT, their signature
        (« 💬 Anne, de l'équipe PAT : ») apart and the end button under it, as on Telegram;
        about the conversation (it ended, a message not passed on), a bot's bubble."""
        if msg.kind != "to_person":
            return [shown(Outgoing(msg.text))]
        state = await self.service.state_of(msg.to_key)
        label = self.service.translator(state).gettext(END_BUTTON)
        head, _, body = msg.text.partition("\n")
        end = (OutButton(callback_data(0, END_CHAT), label),)
        out = shown(Outgoing(body, end, expects="choice"))
        out.update(who="staff", head=head)
        return [out]

    def _lock(self, sid: str) -> asyncio.Lock:
        """One delivery at a time per session (the WebSocket's and the fallback's)."""
        lock = self._locks.get(sid)
        if lock is None:
            lock = self._locks[sid] = asyncio.Lock()
        return lock


async def _sent(ws: Socket, frame: str) -> bool:
    try:
        await ws.send_text(frame)
    except Exception:  # a socket closing as it went: the others, or the next page, get it
        return False
    return True


async def _within(future: asyncio.Future[None], seconds: float) -> bool:
    try:
        await asyncio.wait_for(asyncio.shield(future), seconds)
    except TimeoutError:
        return False
    return True
