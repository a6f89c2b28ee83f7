"""The WhatsApp channel's conversations: a person's messages in, our messages out, the news
about a request (``tell``) and the hand-off's messages (``relay``) within WhatsApp's rules.

- A chat key is ``wa:+<number>``; a message id (``wamid.…``) is recorded, as a number derived
  from it, where Telegram's update ids are, in the same transaction as the turn: a message Meta
  sends again changes nothing.
- A person's messages come from the inbox (bot/channels/whatsapp/inbox.py): stored by the
  webhook before Meta's 200, handled in order, deleted once answered. What a text alone means
  (a command's word, « stop », a greeting) is in bot/channels/whatsapp/words.py.
- A person's first message opens the conversation (the welcome and the menu); a greeting
  alone is answered by that; anything else is then read as any text: a call for help typed
  first gets the help lines at once, a text too long is said so.
- Reactions are ignored (bot/channels/whatsapp/webhook.py); an image, a voice note… is
  answered kindly.
- The delivery notice (``tell``) goes under the person's lock: after the messages of the turn
  that stored the request, never between them.
- The 24-hour customer-service window: the time of each person's last message is kept in
  memory (from Meta's timestamp). Inside it the bot writes freely; outside it (or when Meta
  says so, after a restart: error 131047) only an approved template may go: the delivery
  notice goes as ``PAT_WHATSAPP_TEMPLATE_DELIVERED`` when it is set; otherwise the person was
  told at the end of the request that the notice may not come here (when the request is
  sent by e-mail: only then can the notice come late), and it is dropped (a log line,
  without the number). A hand-off message outside the window is refused, and staff are
  told it could not be delivered.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
import weakref
from datetime import datetime
from typing import Any

from bot.channels.registry import WHATSAPP
from bot.channels.whatsapp.api import GraphAPI, OutsideWindow, Refused, Unreachable
from bot.channels.whatsapp.inbox import Inbox
from bot.channels.whatsapp.shaping import messages_for
from bot.channels.whatsapp.webhook import Incoming
from bot.channels.whatsapp.words import STOP_LINE, event_of, is_greeting, is_stop
from bot.conversation.render import OutButton, Outgoing, callback_data
from bot.conversation.service import ConversationService, Reply
from bot.settings import Settings
from flows import texts
from flows.engine import END_CHAT, Start, State
from flows.texts import N_
from storage import deliveries, inbox
from storage.handoffs import Relayed

log = logging.getLogger(__name__)

WINDOW_SECONDS = 24 * 3600 - 60  # a minute of margin for the clocks
MAX_TELL_TRIES = 5  # rounds of the outbox for one notice while Meta cannot be reached

# At the end of a request when no template is set: the notice may not come here.
NOTICE_MAY_NOT_COME = N_(
    "Bon à savoir : WhatsApp ne me laisse vous écrire ici que dans les 24 heures qui suivent "
    "votre dernier message. Passé ce délai, je ne pourrai pas vous dire ici que votre demande "
    "est arrivée. Sans nouvelles, écrivez à pat@smes.be avec votre référence."
)
END_SHORT = N_("Terminer")  # « Terminer la conversation », within a reply button's 20 characters
_REF = re.compile(r"R-\d{6}-[A-Z0-9]{4}")


def chat_key(wa_id: str) -> str:
    return f"{WHATSAPP.prefix}+{wa_id}"


def number_of(key: str) -> str:
    return key.removeprefix(WHATSAPP.prefix).lstrip("+")


def update_id(message_id: str) -> int:
    """A WhatsApp message id as a number above Telegram's update ids (2**62 and up), recorded
    where they are (storage/conversations.py)."""
    digest = hashlib.sha256(message_id.encode()).digest()
    return (1 << 62) | (int.from_bytes(digest[:8], "big") >> 2)


class WhatsAppChannel:
    """One WhatsApp number's conversations, in the bot's loop."""

    def __init__(self, service: ConversationService, settings: Settings) -> None:
        assert settings.whatsapp_token is not None and settings.whatsapp_phone_number_id
        self.service = service
        self.api = GraphAPI(
            settings.whatsapp_api_url,
            settings.whatsapp_phone_number_id,
            settings.whatsapp_token.get_secret_value(),
        )
        self.template = settings.whatsapp_template_delivered
        self.last_heard: dict[str, float] = {}
        self._tell_tries: dict[str, int] = {}
        self.inbox = Inbox(service.db, self._turn, self._dropped)
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        relay = self.relay if service.handoff is not None else None
        service.chats.connect(WHATSAPP.prefix, tell=self.tell, relay=relay)

    # -- in ----------------------------------------------------------------------------------

    async def keep(self, messages: list[Incoming]) -> None:
        """A webhook call's messages: stored (raised when they could not be), then handled
        in order, each person's after their earlier ones (bot/channels/whatsapp/inbox.py)."""
        await self.inbox.keep(
            [
                inbox.Waiting(0, chat_key(m.wa_id), m.message_id, m.timestamp, m.kind, m.text, 0)
                for m in messages
            ]
        )

    async def _turn(self, row: inbox.Waiting) -> None:
        """One waiting message handled: its turn committed and answered."""
        key = row.chat_key
        self.last_heard[key] = max(self.last_heard.get(key, 0.0), float(row.sent_at))
        message = Incoming(number_of(key), row.message_id, row.sent_at, row.kind, row.text)
        async with self._lock(key):
            await self.handle(key, message)
        self.service.outbox.kick()  # the person may be waiting for "arrived"

    async def _dropped(self, key: str) -> None:
        """A message that could not be handled after a few tries: the person hears of it."""
        async with self._lock(key):
            await self._say_error(key)

    async def handle(self, key: str, message: Incoming) -> None:
        if message.kind == "other":
            await self._unreadable(key, message)
            return
        if is_stop(message):
            await self._stop(key, message)
            return
        event = event_of(message)
        state = await self.service.state_of(key)
        if state is None or not state.started:  # a first message opens the conversation
            if not await self.service.first_time(update_id("open:" + message.message_id)):
                return  # sent again by Meta after the conversation was erased
            greeting = is_greeting(event)  # « Bonjour » alone: the welcome answers it
            if greeting:  # recorded first: handled again after a crash, it changes nothing
                await self.service.first_time(update_id(message.message_id))
            opened = await self.service.handle_full(key, Start())
            await self.send(key, opened.messages, opened.after)
            if greeting:
                return
        started = self.service.clock()
        reply = await self.service.handle_full(key, event, update_id=update_id(message.message_id))
        outs = list(reply.messages)
        note = await self._end_note(key, reply, started)
        if note:  # after the reference, before the menu that follows it
            at = len(outs) - 1 if outs and outs[-1].buttons else len(outs)
            outs.insert(at, note)
        await self.send(key, outs, reply.after)
        if reply.erased:  # « effacer »: not even when they last wrote is kept in memory
            self.last_heard.pop(key, None)

    async def _stop(self, key: str, message: Incoming) -> None:
        """« STOP »: the bot writes only when the person writes; how to erase. Nothing else."""
        if await self.service.first_time(update_id(message.message_id)):
            state = await self.service.state_of(key)
            line = Outgoing(self.service.translator(state).gettext(STOP_LINE))
            await self.send(key, [line], state)

    async def _unreadable(self, key: str, message: Incoming) -> None:
        """An image, a voice note, a sticker, a location…: the bot reads text. During a
        conversation with a person from PAT, staff hear that something came."""
        if not await self.service.first_time(update_id(message.message_id)):
            return
        handoff = self.service.handoff
        if handoff is not None and await handoff.open_for(key):
            said = await handoff.person_sent_media(key)
            if said:
                await self.send(key, [Outgoing(said)], await self.service.state_of(key))
            return
        outs = await self.service.explain(key, texts.NON_TEXT)
        await self.send(key, outs, await self.service.state_of(key))

    async def _end_note(self, key: str, reply: Reply, started: datetime) -> Outgoing | None:
        """After a request is stored, when no template can bring the notice later: it may not
        come here (the 24-hour window). Only when it is sent by e-mail: an e-mail server
        out of reach may hold it for a day; a request only filed is told at once."""
        if self.template or self.service.outbox.deliverer.filed:
            return None  # the notice can come later (a template), or comes at once (filed)
        if reply.after is None or reply.before is None:
            return None
        if reply.after.step == reply.before.step:
            return None
        record = await deliveries.last_request_of(self.service.db, key)
        if record is None or record.created_at < started:
            return None
        return Outgoing(self.service.translator(reply.after).gettext(NOTICE_MAY_NOT_COME))

    # -- out ---------------------------------------------------------------------------------

    async def send(self, key: str, outs: list[Outgoing], state: State | None) -> None:
        """Our messages, in order; a failure is logged (without the number) and ends the turn's
        sending: what follows would make no sense without it."""
        t = self.service.translator(state)
        try:
            for out in outs:
                for message in messages_for(out, t):
                    await self.api.send(number_of(key), message)
        except (Unreachable, Refused) as exc:
            log.error("WhatsApp reply not sent: %s %s", type(exc).__name__, exc)

    async def _say_error(self, key: str) -> None:
        try:
            state = await self.service.state_of(key)
            error = Outgoing(self.service.translator(state).gettext(texts.ERROR))
            await self.send(key, [error], state)
        except Exception as exc:  # the database itself may be what failed: logged only
            log.error("could not tell the person: %s", type(exc).__name__)

    def window_open(self, key: str) -> bool | None:
        """Whether the person wrote within 24 hours (None: not known since the bot started)."""
        heard = self.last_heard.get(key)
        return None if heard is None else time.time() - heard < WINDOW_SECONDS

    async def tell(self, key: str, text: str) -> None:
        """A delivery notice, after the messages of the person's turn being answered."""
        async with self._lock(key):
            await self._tell(key, text)

    async def _tell(self, key: str, text: str) -> None:
        """A delivery notice: as text within the window, else as the approved template, else
        not at all (said at the end of the request). Meta unreachable: raised, so that the
        outbox tries again next round, ``MAX_TELL_TRIES`` times at most."""
        try:
            if self.window_open(key) is not False:
                try:
                    await self.api.send(number_of(key), {"type": "text", "text": {"body": text}})
                    self._tell_tries.pop(key, None)
                    return
                except OutsideWindow:
                    self.last_heard[key] = 0.0
            await self._template(key, text)
        except Unreachable:
            tries = self._tell_tries[key] = self._tell_tries.get(key, 0) + 1
            if tries < MAX_TELL_TRIES:
                raise
            log.error("WhatsApp notice given up after %d rounds: Meta unreachable", tries)
        except Refused as exc:
            log.error("WhatsApp notice refused: %s", exc)
        self._tell_tries.pop(key, None)

    async def _template(self, key: str, text: str) -> None:
        if not self.template:
            log.info("WhatsApp notice not sent: outside the 24-hour window, no template set")
            return
        state = await self.service.state_of(key)
        template: dict[str, Any] = {
            "name": self.template,
            "language": {"code": state.locale if state else self.service.default_locale},
        }
        ref = _REF.search(text)
        if ref:
            parameters = [{"type": "text", "text": ref.group()}]
            template["components"] = [{"type": "body", "parameters": parameters}]
        await self.api.send(number_of(key), {"type": "template", "template": template})
        log.info("WhatsApp notice sent as the template, outside the 24-hour window")

    async def relay(self, msg: Relayed) -> None:
        """A hand-off message: within the window only (outside: refused, staff are told)."""
        if self.window_open(msg.to_key) is False:
            raise OutsideWindow("no message from the person for 24 hours")
        state = await self.service.state_of(msg.to_key)
        out = Outgoing(msg.text)
        if msg.kind == "to_person":
            label = self.service.translator(state).gettext(END_SHORT)
            out = Outgoing(msg.text, (OutButton(callback_data(0, END_CHAT), label),), "choice")
        try:
            for message in messages_for(out, self.service.translator(state)):
                await self.api.send(number_of(msg.to_key), message)
        except OutsideWindow:
            self.last_heard[msg.to_key] = 0.0
            raise

    def _lock(self, key: str) -> asyncio.Lock:
        """One person's messages are handled and answered one at a time, in order."""
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    async def close(self) -> None:
        """At exit: the messages in hand end (a few seconds at most; the others wait in the
        inbox for the next start), then the connection to Meta."""
        await self.inbox.close()
        await self.api.close()
