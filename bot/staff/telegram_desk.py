"""PAT staff on Telegram: the cards of new requests, and answering a person in their chat.

It is on when ``PAT_STAFF_CHAT_ID`` is set: cards go to that chat (a private staff group, or
one staff member's own chat). Staff are the ids of ``PAT_STAFF_IDS`` — or, when that list is
empty, whoever writes in the staff chat.
A staff member answers a person by pressing « Répondre dans le chat » on a card and writing,
by replying to a card, or with ``/reply R-… text``; ``/close R-…`` ends it. Every staff action
is checked against the ids on every update: a button or command from anyone else is refused
and logged without its content. This handler runs before the person's handlers and stops the
updates it consumes (bot/channels/telegram.py).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.channels.registry import TELEGRAM, TELEGRAM_DESK
from bot.channels.telegram_api import chat_key, escape, with_retries
from bot.conversation.render import callback_data
from bot.conversation.service import ConversationService
from bot.staff import desks
from bot.staff import texts as staff
from bot.staff.commands import REFERENCE, staff_command
from bot.staff.handoff import END_BUTTON, HandOff, Undeliverable
from flows.engine import END_CHAT
from storage.handoffs import Relayed

log = logging.getLogger(__name__)

BUTTON_PREFIX = "hf:"  # « Répondre dans le chat » on a card: hf:<reference>


async def _sent(call: Callable[[], Awaitable[Any]]) -> None:
    """One Bot API call for the relay: network trouble is retried (by the relay too); a
    refusal for good (a blocked bot, a bad message) is reported as such, not retried."""
    try:
        await with_retries(call)
    except (BadRequest, Forbidden) as exc:
        raise Undeliverable(type(exc).__name__) from exc


class StaffDesk:
    """The staff side of the hand-off on Telegram."""

    def __init__(
        self, service: ConversationService, staff_ids: list[int], staff_chat_id: int | None
    ) -> None:
        assert service.handoff is not None
        self.service = service
        self.handoff: HandOff = service.handoff
        self.staff_ids = staff_ids
        self.staff_chat_id = staff_chat_id
        self.t = self.handoff.t
        self.focus: dict[tuple[int, int], str] = {}  # (chat, staff member) -> reference

    @property
    def destinations(self) -> list[str]:
        return desks.telegram_desks(self.staff_chat_id)

    def is_staff(self, user_id: int, chat_id: int) -> bool:
        if self.staff_ids:
            return user_id in self.staff_ids
        return self.staff_chat_id is not None and chat_id == self.staff_chat_id

    # -- relayed messages out ----------------------------------------------------------------------

    def connect(self, bot: Bot) -> None:
        """Cards and messages for staff, and staff messages for people, go out through ``bot``."""

        async def to_staff(msg: Relayed) -> None:
            markup = None
            if msg.kind == "card_chat":
                button = InlineKeyboardButton(
                    self.t.gettext(staff.REPLY_BUTTON), callback_data=BUTTON_PREFIX + msg.ref
                )
                markup = InlineKeyboardMarkup([[button]])
            chat_id = int(msg.to_key.removeprefix(TELEGRAM_DESK))
            parts = HandOff.pieces(msg.text)
            for i, part in enumerate(parts):
                last = i == len(parts) - 1
                keys = markup if last else None
                await _sent(partial(bot.send_message, chat_id, part, reply_markup=keys))

        async def to_person(msg: Relayed) -> None:
            chat_id = int(msg.to_key.removeprefix(TELEGRAM.prefix))
            markup = None
            if msg.kind == "to_person":
                state = await self.service.state_of(msg.to_key)
                label = self.service.translator(state).gettext(END_BUTTON)
                markup = InlineKeyboardMarkup(
                    [[InlineKeyboardButton(label, callback_data=callback_data(0, END_CHAT))]]
                )
            parts = HandOff.pieces(msg.text)
            for i, part in enumerate(parts):
                head, _, body = part.partition("\n")
                bold = i == 0 and msg.kind == "to_person"  # « 💬 Anne, de l'équipe PAT : »
                text = f"<b>{escape(head)}</b>\n{escape(body)}" if bold and body else escape(part)
                keys = markup if i == len(parts) - 1 else None
                send = partial(
                    bot.send_message, chat_id, text, parse_mode="HTML", reply_markup=keys
                )
                await _sent(send)

        self.handoff.telegram_staff = self.destinations
        self.handoff.chats.connect(TELEGRAM_DESK, relay=to_staff)
        self.handoff.chats.connect(TELEGRAM.prefix, relay=to_person)

    # -- staff updates in ----------------------------------------------------------------------

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Staff actions; any other update goes on to the person's handlers."""
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return
        query = update.callback_query
        if query is not None and (query.data or "").startswith(BUTTON_PREFIX):
            await self._button(update, context, (query.data or "")[len(BUTTON_PREFIX) :])
            raise ApplicationHandlerStop
        message = update.message
        in_staff_chat = self.staff_chat_id is not None and chat.id == self.staff_chat_id
        text = message.text if message is not None else None
        if message is None or text is None:
            if in_staff_chat:
                raise ApplicationHandlerStop  # photos, joins… in the staff group: not ours
            return
        replied = message.reply_to_message
        to_bot = replied is not None and replied.from_user is not None and replied.from_user.is_bot
        to_card = to_bot and REFERENCE.search(getattr(replied, "text", None) or "") is not None
        command = staff_command(text) is not None
        if not self.is_staff(user.id, chat.id):
            if in_staff_chat or command:  # not on staff: refused, logged without content
                log.warning(
                    "a staff action from someone not on staff refused (update %s)", update.update_id
                )
                if not in_staff_chat:
                    await self._tell(context, chat.id, self.t.gettext(staff.STAFF_ONLY))
                raise ApplicationHandlerStop
            return  # a person talking with the bot (a reply to its message is a message too)
        if not (in_staff_chat or command or to_card or (chat.id, user.id) in self.focus):
            return  # a staff member's own conversation with the bot
        if not await self.service.first_time(update.update_id):
            raise ApplicationHandlerStop  # Telegram sent it again: done already
        answer = await self._staff_text(chat.id, user.id, user.first_name, text, replied)
        if answer is not None:
            await self._tell(context, chat.id, answer)
        raise ApplicationHandlerStop

    async def _staff_text(
        self, chat_id: int, user_id: int, name: str, text: str, replied: Any
    ) -> str | None:
        """What a staff member's message does; what to tell them (None: nothing). In the
        staff group, the button's choice holds for one message (the group talks too); in a
        private chat with the bot, until /close."""
        staff_key, where = chat_key(user_id), f"{TELEGRAM_DESK}{chat_id}"
        in_group = chat_id == self.staff_chat_id and chat_id < 0
        command = staff_command(text)
        if command is not None:
            if not command.complete or command.ref is None:
                return self.t.gettext(staff.HOW_TO_REPLY)
            if command.word == "/close":
                self.focus.pop((chat_id, user_id), None)
                return await self.handoff.staff_closes(command.ref, staff_key, name)
            if not in_group:
                self.focus[(chat_id, user_id)] = command.ref
            return await self.handoff.staff_writes(
                command.ref, staff_key, name, command.text, where
            )
        found = (
            REFERENCE.search(getattr(replied, "text", None) or "") if replied is not None else None
        )
        focus = self.focus.pop((chat_id, user_id), None) if in_group else None
        ref = found.group(0) if found else focus or self.focus.get((chat_id, user_id))
        if ref is None:
            return None  # the group talking among themselves
        if not in_group:
            self.focus[(chat_id, user_id)] = ref
        return await self.handoff.staff_writes(ref, staff_key, name, text, where)

    async def _button(self, update: Update, context: ContextTypes.DEFAULT_TYPE, ref: str) -> None:
        query = update.callback_query
        user, chat = update.effective_user, update.effective_chat
        assert query is not None and user is not None and chat is not None
        if not self.is_staff(user.id, chat.id) or not REFERENCE.fullmatch(ref):
            log.warning(
                "a hand-off button from someone not on staff refused (update %s)", update.update_id
            )
            await query.answer(self.t.gettext(staff.STAFF_ONLY), show_alert=True)
            return
        allowed, answer = await self.handoff.take(ref, chat_key(user.id), user.first_name)
        if allowed:
            self.focus[(chat.id, user.id)] = ref
        await query.answer()
        await self._tell(context, chat.id, answer)

    @staticmethod
    async def _tell(context: ContextTypes.DEFAULT_TYPE, chat_id: int, text: str) -> None:
        await with_retries(lambda: context.bot.send_message(chat_id, text))
