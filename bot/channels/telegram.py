"""The Telegram adapter: python-telegram-bot handlers around the conversation service.

Everything about the conversation lives in the service and the engine; this module only turns
Telegram updates into engine events and outgoing messages into Telegram calls: inline keyboards
for choices, keyboards removed (and the answer shown) once pressed, HTML with every text
escaped, a typing indicator before several bubbles, kind answers to what the bot cannot read,
private chats only. Logs carry update ids and error types, never message text.

Over 300 lines on purpose: one handler per kind of Telegram update, kept together so that
what the bot does with each is read in one place (the Bot API helpers are in
bot/channels/telegram_api.py).
"""

from __future__ import annotations

import logging
import traceback
from datetime import UTC, datetime
from typing import Any

from telegram import Bot, BotCommand, CallbackQuery, Message, Update
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.channels.registry import TELEGRAM
from bot.channels.telegram_api import (
    Markup,
    call,
    chat_key,
    escape,
    keyboard,
    locale_of,
    to_html,
    with_retries,
)
from bot.conversation.commands import COMMANDS
from bot.conversation.i18n import Catalogs
from bot.conversation.render import SUMMARY_LINE, Outgoing, parse_callback
from bot.conversation.service import ConversationService, Reply
from bot.logs import quiet_third_party_loggers
from bot.settings import Settings
from bot.staff.telegram_desk import StaffDesk
from flows import texts
from flows.engine import Choice, Command, Event, Start, State, Text
from flows.locales import LOCALES, REFERENCE
from storage import conversations

log = logging.getLogger(__name__)

# Listed in Telegram's command menu, in this order (COMMANDS: every word it accepts).
LISTED = ("start", "sos", "menu", "help", "privacy", "cancel", "language", "forget")


class TelegramFrontDoor:
    """Wires the service into a python-telegram-bot Application."""

    def __init__(
        self,
        service: ConversationService,
        catalogs: Catalogs,
        staff_ids: list[int] | None = None,
        staff_chat_id: int | None = None,
    ) -> None:
        self.service = service
        self.catalogs = catalogs
        self.staff_ids = staff_ids or []
        # A person from PAT answering in the chat: on when the staff chat is set.
        self.desk = (
            StaffDesk(service, self.staff_ids, staff_chat_id)
            if staff_chat_id is not None and service.handoff is not None
            else None
        )

    # -- building -----------------------------------------------------------------------------

    def build(
        self, settings: Settings, *, rate_limit: bool = True, **builder_options: Any
    ) -> Application[Any, Any, Any, Any, Any, Any]:
        """The Application, ready to initialise; ``builder_options`` go to the builder.

        ``rate_limit=False`` drops the limiter that keeps within Telegram's sending limits:
        only for measuring the bot's own speed (bench/run.py)."""
        if settings.telegram_token is None:
            raise ValueError("PAT_TELEGRAM_TOKEN is not set")
        quiet_third_party_loggers()
        builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
            Application.builder()
            .token(settings.telegram_token.get_secret_value())
            .base_url(settings.telegram_api_url)
            .base_file_url(settings.telegram_file_url)
            # Updates of different people are handled side by side; one person's updates stay
            # in order (ConversationService holds a lock per chat).
            .concurrent_updates(64)
        )
        if rate_limit:
            builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
        for name, value in builder_options.items():
            builder = getattr(builder, name)(value)
        app = builder.build()
        self.register(app)
        return app

    def register(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        private = filters.ChatType.PRIVATE
        if self.desk is not None:  # staff actions first; they never reach the person's handlers
            app.add_handler(TypeHandler(Update, self.desk.on_update), group=-2)
        app.add_handler(TypeHandler(Update, self.gate), group=-1)
        app.add_handler(CommandHandler("start", self.on_start, filters=private))
        app.add_handler(CommandHandler("stats", self.on_stats, filters=private))
        app.add_handler(CommandHandler(list(COMMANDS), self.on_command, filters=private))
        app.add_handler(MessageHandler(filters.UpdateType.EDITED & private, self.on_edited))
        app.add_handler(MessageHandler(filters.CONTACT & private, self.on_contact))
        app.add_handler(MessageHandler(filters.TEXT & private, self.on_text))
        app.add_handler(MessageHandler(private, self.on_unreadable))
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_error_handler(self.on_error)

    async def post_init(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """After initialise: in every language, what an empty chat shows before /start (the
        bot's description and short description) and the command menu; French is also the
        default for other languages."""
        bot = app.bot
        for locale in LOCALES:
            t = self.catalogs.get(locale)
            commands = [
                BotCommand(name, t.gettext(texts.COMMAND_DESCRIPTIONS[name])) for name in LISTED
            ]
            description = t.gettext(texts.BOT_DESCRIPTION)
            short = t.gettext(texts.BOT_SHORT_DESCRIPTION)
            for code in (locale, None) if locale == REFERENCE else (locale,):
                await bot.set_my_commands(commands, language_code=code)
                await bot.set_my_description(description, language_code=code)
                await bot.set_my_short_description(short, language_code=code)
        await self.service.forget_updates()
        self.connect_outbox(app)

    def connect_outbox(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """News about requests reach people in their chat, and alerts reach PAT staff."""
        bot = app.bot

        async def tell(key: str, text: str) -> None:
            chat_id = int(key.removeprefix(TELEGRAM.prefix))
            await with_retries(lambda: bot.send_message(chat_id, escape(text), parse_mode="HTML"))

        async def alert(text: str) -> None:
            for staff_id in self.staff_ids:
                await with_retries(lambda staff_id=staff_id: bot.send_message(staff_id, text))  # type: ignore[misc]

        self.service.chats.connect(TELEGRAM.prefix, tell=tell)
        self.service.outbox.staff_alert = alert
        if self.desk is not None:
            self.desk.connect(bot)

    # -- sending ------------------------------------------------------------------------------

    async def send(
        self,
        context: ContextTypes.DEFAULT_TYPE,
        chat_id: int,
        outs: list[Outgoing],
        state: State | None = None,
    ) -> None:
        bot = context.bot
        if len(outs) > 2:
            await with_retries(lambda: bot.send_chat_action(chat_id, ChatAction.TYPING))
        summary_line = self.service.translator(state).gettext(SUMMARY_LINE)
        for out in outs:
            params = {
                "chat_id": chat_id,
                "text": to_html(out, summary_line),
                "parse_mode": ParseMode.HTML,
                "reply_markup": keyboard(out),
            }
            await with_retries(lambda params=params: call(bot, "send_message", **params))  # type: ignore[misc]

    async def run_event(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, event: Event
    ) -> Reply:
        user = update.effective_user
        assert user is not None
        locale = locale_of(user.language_code, self.service.default_locale)
        return await self.service.handle_full(
            chat_key(user.id),
            event,
            locale=locale,
            update_id=update.update_id,
            username=user.username,
        )

    # -- handlers -----------------------------------------------------------------------------

    async def gate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Private chats only (a group is told once), and no update applied twice."""
        chat = update.effective_chat
        if chat is not None and chat.type != ChatType.PRIVATE:
            if update.callback_query is not None:
                await update.callback_query.answer()
            elif update.effective_message is not None and await conversations.tell_group_once(
                self.service.db, chat.id, datetime.now(UTC)
            ):
                text = self.catalogs.get(None).gettext(texts.GROUP_ONLY)
                await with_retries(lambda: context.bot.send_message(chat.id, text))
            raise ApplicationHandlerStop
        if update.effective_user is None:
            raise ApplicationHandlerStop
        # Updates already applied are recognised where they are recorded: atomically with
        # the state they change (ConversationService.handle_full, _explain below).

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start, with an optional deep-link payload."""
        payload = context.args[0][:64] if context.args else None
        await self._reply(update, context, Start(payload))

    async def on_stats(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/stats for PAT staff: anonymous counts. Anyone else gets the menu."""
        user = update.effective_user
        assert user is not None
        if user.id not in self.staff_ids:
            await self._reply(update, context, Command("menu"))
            return
        from bot.staff.stats import report

        days = 30
        if context.args and context.args[0].isascii() and context.args[0].isdecimal():
            days = max(1, min(366, int(context.args[0])))
        await self.service.flush_counts()
        staff_voice = self.service.outbox.staff  # PAT_STAFF_LOCALE
        text = await report(self.service.db, self.service.flows, staff_voice, days)
        await self.service.first_time(update.update_id)
        await with_retries(lambda: context.bot.send_message(user.id, escape(text)))

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/menu, /help, /privacy, /cancel, /sos…"""
        message = update.effective_message
        assert message is not None and message.text is not None
        name = message.text.split()[0].lstrip("/").split("@")[0].lower()
        if name in COMMANDS:
            await self._reply(update, context, Command(COMMANDS[name]))

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Typed text (an unknown /command is text too: the bot explains what it reads)."""
        message = update.effective_message
        assert message is not None and message.text is not None
        await self._reply(update, context, Text(message.text))

    async def on_contact(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A shared contact fills the phone question when it is the person's own number."""
        message = update.effective_message
        user = update.effective_user
        assert message is not None and message.contact is not None and user is not None
        state = await self.service.state_of(chat_key(user.id))
        if message.contact.user_id == user.id and self.service.expects_phone(state):
            await self._reply(update, context, Text(message.contact.phone_number))
        else:
            await self.on_unreadable(update, context)

    async def on_unreadable(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice notes, files, locations…: the bot reads text. During a
        conversation with a person from PAT, staff hear that something came."""
        user = update.effective_user
        handoff = self.service.handoff
        if user is not None and handoff is not None and await handoff.open_for(chat_key(user.id)):
            if await self.service.first_time(update.update_id):
                said = await handoff.person_sent_media(chat_key(user.id))
                if said:
                    await with_retries(lambda: context.bot.send_message(user.id, said))
            return
        await self._explain(update, context, texts.NON_TEXT)

    async def on_edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An edited message changes nothing; the person is told how to change an answer."""
        await self._explain(update, context, texts.EDITED)

    async def _explain(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, msgid: str
    ) -> None:
        user = update.effective_user
        assert user is not None
        if not await self.service.first_time(update.update_id):
            return  # redelivered: already answered
        outs = await self.service.explain(chat_key(user.id), msgid)
        await self.send(context, user.id, outs, await self.service.state_of(chat_key(user.id)))

    async def _reply(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, event: Event
    ) -> None:
        user = update.effective_user
        assert user is not None
        reply = await self.run_event(update, context, event)
        await self.send(context, user.id, reply.messages, reply.after)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button press: apply it, then retire (or redraw) the keyboard it came from."""
        query = update.callback_query
        user = update.effective_user
        assert query is not None and user is not None
        await with_retries(lambda: context.bot.answer_callback_query(query.id))
        choice = parse_callback(query.data or "") or Choice("_unknown", turn=-1)
        reply = await self.run_event(update, context, choice)
        outs, before = reply.messages, reply.before
        if not outs:
            return
        fresh = before is not None and choice.turn == before.turn
        if outs[0].update and fresh:
            await self._edit_markup(context.bot, query, keyboard(outs[0]))
            outs = outs[1:]
        else:
            await self._retire_keyboard(context.bot, query, show_choice=fresh)
        await self.send(context, user.id, outs, reply.after)

    async def _edit_markup(self, bot: Bot, query: CallbackQuery, markup: Markup | None) -> None:
        message = query.message
        if message is None:
            return
        try:
            await with_retries(
                lambda: call(
                    bot,
                    "edit_message_reply_markup",
                    chat_id=message.chat.id,
                    message_id=message.message_id,
                    reply_markup=markup,
                )
            )
        except BadRequest as exc:  # message too old, or unchanged
            log.info("keyboard not edited: %s", type(exc).__name__)

    async def _retire_keyboard(self, bot: Bot, query: CallbackQuery, *, show_choice: bool) -> None:
        """Old buttons cannot be pressed twice; the answer chosen stays visible."""
        message = query.message
        label = None
        if show_choice and isinstance(message, Message) and message.reply_markup is not None:
            for row in message.reply_markup.inline_keyboard:
                for button in row:
                    if button.callback_data == query.data:
                        label = button.text
        if label is None or not isinstance(message, Message) or not message.text:
            await self._edit_markup(bot, query, None)
            return
        params = {
            "chat_id": message.chat.id,
            "message_id": message.message_id,
            "text": f"{message.text_html}\n\n<i>→ {escape(label)}</i>",
            "parse_mode": ParseMode.HTML,
        }
        try:
            await with_retries(lambda: call(bot, "edit_message_text", **params))
        except BadRequest as exc:
            log.info("keyboard not removed: %s", type(exc).__name__)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log without personal data, and tell the person how to go on."""
        err = context.error
        frames = "".join(traceback.format_tb(err.__traceback__)) if err else ""
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("error while handling update %s: %s\n%s", update_id, type(err).__name__, frames)
        if isinstance(update, Update) and update.effective_chat is not None:
            chat = update.effective_chat
            if chat.type == ChatType.PRIVATE:
                state = await self.service.state_of(chat_key(chat.id))
                text = self.service.translator(state).gettext(texts.ERROR)
                try:
                    await context.bot.send_message(chat.id, text)
                except Exception as exc:  # the error message itself may fail: log only
                    log.error("could not tell the person: %s", type(exc).__name__)
