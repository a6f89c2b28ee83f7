"""BASELINE for the benchmark only — not the PAT bot.

The same questions as the benchmark scenario, written the usual way with python-telegram-bot:
a ``ConversationHandler`` with one state per question, answers in ``context.user_data``,
``PicklePersistence`` (flushed periodically and at shutdown, not after every step), and an
``.eml`` file written when the person sends. It exists to compare speed and memory with the
real bot (bench/run.py), so it covers only the scenario's path. Its keyboards show the same
buttons as the PAT bot's (Telegram carries each keyboard in the message sent and again in every
button press, so their size is part of the work); only the scenario's buttons are followed.
"""

from __future__ import annotations

import secrets
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PicklePersistence,
    filters,
)

(
    MENU,
    TOPICS,
    AFTER,
    GET_IN_TOUCH,
    PROFILE,
    SIZE,
    REGION,
    HOPES,
    CONSENT,
    NAME,
    ORG,
    ROLE,
    EMAIL,
    PHONE,
    SUMMARY,
) = range(15)

RELAPSE = [
    "Le rétablissement n'est pas la guérison : des hauts et des bas font partie du chemin.",
    "Des études n'ont pas trouvé que ce rôle abîmait la santé mentale des pair-aidant·e·s.",
    "Ce qui aide : une formation, une supervision, un accompagnement de toute l'équipe.",
    "Si un·e pair-aidant·e tombe malade, le congé de maladie s'applique.",
]


OUTBOX: list[Path] = []  # set by build(); bot_data is replaced by PicklePersistence on load


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d)] for t, d in buttons])


BACK = ("↩ Menu", "menu")
BACK_KB = keyboard(BACK)
OFFERS = (
    ("Une formation", "training"),
    ("Accompagner mon organisation", "accompaniment"),
    ("Les intervisions", "intervision"),
    ("Autre chose / parler à une personne", "other"),
)
MENU_KB = keyboard(
    ("Questions sur la pair-aidance", "faq"), *OFFERS, ("🌐 Langue · Taal · Language", "lang")
)
TOPICS_KB = keyboard(
    ("La pair-aidance, c'est quoi ?", "what"),
    ("Qu'apporte un·e pair-aidant·e ?", "value"),
    ("Et s'il ou elle rechute ?", "relapse"),
    ("Concurrence avec les professionnel·le·s ?", "competition"),
    ("Formation et qualification", "qualification"),
    ("Sa place, sa fonction", "role"),
    ("Le secret professionnel", "confidentiality"),
    ("Financement et contrat", "funding"),
    ("Qui est PAT ?", "pat"),
    BACK,
)


async def _done_with_button(update: Update) -> str:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    return query.data or ""


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/start: welcome and menu."""
    assert update.effective_chat is not None
    chat = update.effective_chat.id
    await context.bot.send_message(chat, "Bonjour ! Je suis le robot d'accueil de PAT.")
    await context.bot.send_message(chat, "Je suis un programme, pas une personne.")
    await context.bot.send_message(chat, "Que puis-je faire pour vous ?", reply_markup=MENU_KB)
    return MENU


async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """A menu button."""
    choice = await _done_with_button(update)
    assert update.effective_chat is not None
    if choice == "faq":
        await context.bot.send_message(
            update.effective_chat.id,
            "Quelle question vous occupe ?",
            reply_markup=TOPICS_KB,
        )
        return TOPICS
    return await _training(update, context)


async def topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """A FAQ topic: the answer, then what next."""
    await _done_with_button(update)
    assert update.effective_chat is not None
    for text in RELAPSE:
        await context.bot.send_message(update.effective_chat.id, text)
    await context.bot.send_message(
        update.effective_chat.id,
        "Et maintenant ?",
        reply_markup=keyboard(
            ("Une autre question", "another"), ("Contacter PAT à ce sujet", "contact"), BACK
        ),
    )
    return AFTER


async def after(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    await _done_with_button(update)
    assert update.effective_chat is not None
    await context.bot.send_message(
        update.effective_chat.id,
        "Pour quoi souhaitez-vous contacter PAT ?",
        reply_markup=keyboard(*OFFERS, BACK),
    )
    return GET_IN_TOUCH


async def get_in_touch(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    await _done_with_button(update)
    return await _training(update, context)


async def _training(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.effective_chat is not None and context.user_data is not None
    context.user_data.clear()
    context.user_data["offer"] = "training"
    chat = update.effective_chat.id
    await context.bot.send_message(chat, "PAT propose des formations à la pair-aidance.")
    await context.bot.send_message(chat, "Quelques questions pour vous répondre vite.")
    await context.bot.send_message(
        chat,
        "Vous êtes…",
        reply_markup=keyboard(
            ("Pair-aidant·e ou futur·e pair-aidant·e", "peer"),
            ("Direction d'une organisation", "direction"),
            ("Travailleur·euse psycho-médico-social·e", "worker"),
            ("Une équipe", "team"),
            ("Autre", "other"),
            BACK,
        ),
    )
    return PROFILE


async def profile(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.effective_chat is not None and context.user_data is not None
    context.user_data["profile"] = await _done_with_button(update)
    await context.bot.send_message(
        update.effective_chat.id,
        "Combien de personnes environ ? Écrivez un nombre.",
        reply_markup=BACK_KB,
    )
    return SIZE


async def size(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.message is not None and update.message.text is not None
    assert context.user_data is not None
    text = update.message.text.strip()
    if not text.isdigit() or not 1 <= int(text) <= 1000:
        await update.message.reply_text("Pouvez-vous écrire un nombre entre 1 et 1000 ?")
        return SIZE
    context.user_data["group_size"] = text
    await update.message.reply_text(
        "Où êtes-vous ?",
        reply_markup=keyboard(
            ("Bruxelles", "brussels"), ("Wallonie", "wallonia"), ("Ailleurs", "elsewhere"), BACK
        ),
    )
    return REGION


async def region(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.effective_chat is not None and context.user_data is not None
    context.user_data["region"] = await _done_with_button(update)
    await context.bot.send_message(
        update.effective_chat.id, "Qu'espérez-vous apprendre ?", reply_markup=BACK_KB
    )
    return HOPES


async def hopes(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.message is not None and context.user_data is not None
    context.user_data["hopes"] = update.message.text
    await update.message.reply_text(
        "Pour que l'équipe PAT vous réponde, j'ai besoin de vos coordonnées."
    )
    await update.message.reply_text("Elles seront envoyées uniquement à l'équipe PAT.")
    await update.message.reply_text(
        "Êtes-vous d'accord ?", reply_markup=keyboard(("J'accepte", "yes"), ("Je refuse", "no"))
    )
    return CONSENT


async def consent(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.effective_chat is not None
    if await _done_with_button(update) != "yes":
        await context.bot.send_message(update.effective_chat.id, "C'est noté.")
        return ConversationHandler.END
    await context.bot.send_message(
        update.effective_chat.id, "Quel est votre nom ?", reply_markup=BACK_KB
    )
    return NAME


async def name(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.message is not None and context.user_data is not None
    context.user_data["name"] = update.message.text
    await update.message.reply_text(
        "Pour quelle organisation ?", reply_markup=keyboard(("Passer", "skip"), BACK)
    )
    return ORG


async def org(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.effective_chat is not None and context.user_data is not None
    if update.callback_query:
        await _done_with_button(update)
    elif update.message:
        context.user_data["organisation"] = update.message.text
    await context.bot.send_message(
        update.effective_chat.id, "Quelle est votre fonction ?", reply_markup=BACK_KB
    )
    return ROLE


async def role(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.message is not None and context.user_data is not None
    context.user_data["role"] = update.message.text
    await update.message.reply_text("Quelle est votre adresse e-mail ?", reply_markup=BACK_KB)
    return EMAIL


async def email(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.message is not None and context.user_data is not None
    try:
        result = validate_email(update.message.text or "", check_deliverability=False)
    except EmailNotValidError:
        await update.message.reply_text("Cette adresse ne semble pas complète.")
        return EMAIL
    context.user_data["email"] = result.normalized
    await update.message.reply_text(
        "Votre numéro de téléphone ?", reply_markup=keyboard(("Passer", "skip"), BACK)
    )
    return PHONE


async def phone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.effective_chat is not None and context.user_data is not None
    if update.callback_query:
        await _done_with_button(update)
    elif update.message:
        number = phonenumbers.parse(update.message.text or "", "BE")
        context.user_data["phone"] = phonenumbers.format_number(
            number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
    lines = "\n".join(f"• {k} : {v}" for k, v in context.user_data.items())
    await context.bot.send_message(
        update.effective_chat.id,
        f"Voici votre demande. Tout est juste ?\n\n{lines}",
        reply_markup=keyboard(("Envoyer", "send"), ("Corriger", "edit"), BACK),
    )
    return SUMMARY


async def summary(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.effective_chat is not None and context.user_data is not None
    await _done_with_button(update)
    ref = "R-" + secrets.token_hex(3).upper()
    msg = EmailMessage()
    msg["Subject"] = f"[PAT] Formation #{ref}"
    msg["From"] = "noreply@smes.be"
    msg["To"] = "pat@smes.be"
    msg.set_content("\n".join(f"{k}: {v}" for k, v in context.user_data.items()))
    (OUTBOX[0] / f"{ref}.eml").write_bytes(msg.as_bytes())
    await context.bot.send_message(
        update.effective_chat.id, f"Merci ! Votre demande est enregistrée sous la référence {ref}."
    )
    context.user_data.clear()
    return ConversationHandler.END


def build(
    token: str, data_dir: Path, **builder_options: Any
) -> Application[Any, Any, Any, Any, Any, Any]:
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "outbox").mkdir(exist_ok=True)
    persistence = PicklePersistence(filepath=data_dir / "baseline.pickle")
    builder = Application.builder().token(token).persistence(persistence)
    for option, value in builder_options.items():
        builder = getattr(builder, option)(value)
    app = builder.build()
    OUTBOX[:] = [data_dir / "outbox"]
    text = filters.TEXT & ~filters.COMMAND
    conversation = ConversationHandler(
        entry_points=[CommandHandler("start", start)],
        states={
            MENU: [CallbackQueryHandler(menu)],
            TOPICS: [CallbackQueryHandler(topics)],
            AFTER: [CallbackQueryHandler(after)],
            GET_IN_TOUCH: [CallbackQueryHandler(get_in_touch)],
            PROFILE: [CallbackQueryHandler(profile)],
            SIZE: [MessageHandler(text, size)],
            REGION: [CallbackQueryHandler(region)],
            HOPES: [MessageHandler(text, hopes)],
            CONSENT: [CallbackQueryHandler(consent)],
            NAME: [MessageHandler(text, name)],
            ORG: [CallbackQueryHandler(org), MessageHandler(text, org)],
            ROLE: [MessageHandler(text, role)],
            EMAIL: [MessageHandler(text, email)],
            PHONE: [CallbackQueryHandler(phone), MessageHandler(text, phone)],
            SUMMARY: [CallbackQueryHandler(summary)],
        },
        fallbacks=[CommandHandler("start", start)],
        name="request",
        persistent=True,
    )
    app.add_handler(conversation)
    return app
