"""BASELINE for the benchmark only — not the PAT bot.

The same questions as the benchmark scenario, written the usual way with python-telegram-bot:
a ``ConversationHandler`` with one state per question, answers in ``context.user_data``,
``PicklePersistence`` (flushed periodically and at shutdown, not after every step), and an
``.eml`` file written when the person sends. It exists to compare speed and memory with the
real bot (bench/run.py), so it covers only the scenario's path. On that path it shows what the
PAT bot shows: the same bubbles and texts, the same buttons (Telegram carries each keyboard in
the message sent and again in every button press, so their size is part of the work), "typing…"
before three bubbles or more, the answer chosen shown under its question, the menu after
sending. Only the scenario's buttons are followed.
"""

from __future__ import annotations

import secrets
from datetime import date
from email.message import EmailMessage
from html import escape
from pathlib import Path
from typing import Any

import phonenumbers
from babel.dates import format_date
from email_validator import EmailNotValidError, validate_email
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction, ParseMode
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
    CONSENT_STEP,
    NAME,
    ORG,
    ROLE,
    EMAIL,
    PHONE,
    SUMMARY,
) = range(15)

# What the person sees is what the PAT bot shows on the scenario's path (bench/common.py): the
# same bubbles, texts and buttons, a "typing…" signal before three bubbles or more, the chosen
# answer shown under the question. Only how it is built differs (#24: the ratio compares two
# ways of building the same bot, not two bots saying different things).
WELCOME = (
    "Bonjour ! Je suis le robot d'accueil de PAT (Peer And Team support), un service du Smes "
    "créé avec l'asbl En Route.",
    "Je suis un programme, pas une personne, et pas un service d'urgence : en cas de danger, "
    "appelez le 112. Pour écrire à l'équipe : pat@smes.be.",
)
RELAPSE = (
    "Le rétablissement n'est pas la guérison : des hauts et des bas font partie du chemin, "
    "pour chacun·e.",
    "Deux petites études (l'une a suivi 10 pair-aidant·e·s au travail, l'autre 32) n'ont pas "
    "trouvé que ce rôle abîmait leur santé mentale. D'autres travaux montrent ce qui aide : une "
    "formation, une supervision, et l'accompagnement de toute l'équipe.",
)
TRAINING = (
    "PAT propose des formations à la pair-aidance et au rétablissement, pour toute personne "
    "intéressée : pair-aidant·e·s et futur·e·s pair-aidant·e·s, directions d'organisations, "
    "professionnel·le·s du secteur psycho-médico-social.",
    "Je n'ai pas les dates, les lieux ni le format des formations : l'équipe vous dira ce qui "
    "est prévu ou possible pour vous.",
    "Quelques questions pour que l'équipe puisse vous répondre. Vous pourrez tout relire avant "
    "l'envoi.",
    "Bon à savoir : dire que vous êtes pair-aidant·e peut révéler une partie de votre parcours "
    "de santé. C'est facultatif, et rien n'est envoyé à l'équipe PAT sans votre accord. Vous "
    "pouvez répondre « Je préfère ne pas le dire ».",
)
CONSENT = (
    "Pour que l'équipe PAT vous réponde, j'ai besoin de vos coordonnées : nom, fonction, e-mail "
    "et, si vous le souhaitez, téléphone.",
    "Elles seront envoyées, avec vos réponses, à l'équipe PAT (Smes), pour traiter votre "
    "demande. Vous pouvez retirer votre accord et demander l'effacement à tout moment : "
    "pat@smes.be.",
    "Vous n'avez pas besoin de parler ici de votre santé. Si vos réponses peuvent en dire "
    "quelque chose, par exemple le fait d'être pair-aidant·e, votre accord vaut aussi, "
    "explicitement, pour cela (RGPD, art. 9).",
    "Sur Telegram, votre nom d'utilisateur est envoyé aussi, si vous en avez un.",
)
CONSENT_QUESTION = (
    "Êtes-vous d'accord pour que vos coordonnées et vos réponses, y compris ce qu'elles peuvent "
    "dire de votre santé, soient envoyées à l'équipe PAT ?"
)
FIELDS = {
    "profile": "Profil",
    "group_size": "Nombre de personnes",
    "region": "Région",
    "hopes": "Attentes",
    "name": "Nom",
    "organisation": "Organisation",
    "role": "Fonction",
    "email": "E-mail",
    "phone": "Téléphone",
}


OUTBOX: list[Path] = []  # set by build(); bot_data is replaced by PicklePersistence on load


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d)] for t, d in buttons])


BACK = ("↩ Menu", "menu")
BACK_KB = keyboard(BACK)
SKIP_KB = keyboard(("Passer", "skip"), BACK)
OFFERS = (
    ("Une formation", "training"),
    ("Accompagner mon organisation", "accompaniment"),
    ("Les intervisions", "intervision"),
    ("Autre chose / parler à une personne", "other"),
)
MENU_KB = keyboard(
    ("Questions sur la pair-aidance", "faq"),
    *OFFERS,
    ("🆘 Besoin d'aide maintenant ?", "help"),
    ("🌐 Langue · Taal · Language", "lang"),
)
TOPICS_KB = keyboard(
    ("La pair-aidance, c'est quoi ?", "what"),
    ("Qu'apporte un·e pair-aidant·e ?", "value"),
    ("Et s'il ou elle rechute ?", "relapse"),
    ("Concurrence avec les professionnel·le·s ?", "competition"),
    ("Formation et qualification", "qualification"),
    ("Sa place, sa fonction", "role"),
    ("Le secret professionnel", "confidentiality"),
    ("Financer le poste", "funding"),
    ("Devenir pair-aidant·e", "become"),
    ("Qui est PAT ?", "pat"),
    ("Combien coûte PAT ?", "cost"),
    ("J'ai rechuté", "relapse_me"),
    ("Questions pratiques", "practical"),
    BACK,
)
AFTER_KB = keyboard(
    ("En savoir plus", "more"),
    ("Une autre question", "another"),
    ("Contacter PAT à ce sujet", "contact"),
    BACK,
)
OFFERS_KB = keyboard(*OFFERS, BACK)
PROFILES = (
    ("Pair-aidant·e ou futur·e pair-aidant·e", "peer"),
    ("Direction d'une organisation", "direction"),
    ("Travailleur·euse psycho-médico-social·e", "worker"),
    ("Une équipe", "team"),
    ("Autre", "other"),
    ("Je préfère ne pas le dire", "unsaid"),
)
PROFILES_KB = keyboard(*PROFILES, BACK)
REGIONS = (
    ("Bruxelles", "brussels"),
    ("Wallonie", "wallonia"),
    ("Flandre", "flanders"),
    ("Ailleurs", "elsewhere"),
)
REGIONS_KB = keyboard(*REGIONS, BACK)
CONSENT_KB = keyboard(
    ("J'accepte", "yes"), ("Je refuse", "no"), ("Vos données, en détail", "privacy")
)
SUMMARY_KB = keyboard(("Envoyer", "send"), ("Corriger", "edit"), BACK)
LABELS = {code: label for label, code in (*PROFILES, *REGIONS)}  # the summary shows labels


async def say(
    context: ContextTypes.DEFAULT_TYPE,
    chat: int,
    *bubbles: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Bubbles in order, the keyboard under the last; "typing…" first when there are three or
    more."""
    if len(bubbles) > 2:
        await context.bot.send_chat_action(chat, ChatAction.TYPING)
    for i, text in enumerate(bubbles):
        last = i == len(bubbles) - 1
        await context.bot.send_message(
            chat, text, parse_mode=ParseMode.HTML, reply_markup=markup if last else None
        )


def _chat(update: Update) -> int:
    assert update.effective_chat is not None
    return update.effective_chat.id


async def _done_with_button(update: Update) -> str:
    """Answer the press; the question stays, its buttons go, the answer chosen shown under it."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    message = query.message
    if isinstance(message, Message) and message.text and message.reply_markup:
        buttons = (b for row in message.reply_markup.inline_keyboard for b in row)
        label = next((b.text for b in buttons if b.callback_data == query.data), "")
        await query.edit_message_text(
            f"{message.text_html}\n\n<i>→ {escape(label)}</i>", parse_mode=ParseMode.HTML
        )
    return query.data or ""


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/start: welcome and menu."""
    await say(context, _chat(update), *WELCOME, "Que puis-je faire pour vous ?", markup=MENU_KB)
    return MENU


async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """A menu button."""
    choice = await _done_with_button(update)
    if choice == "faq":
        await say(context, _chat(update), "Quelle est votre question ?", markup=TOPICS_KB)
        return TOPICS
    return await _training(update, context)


async def topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """A FAQ topic: the answer, then what next."""
    await _done_with_button(update)
    await say(context, _chat(update), *RELAPSE, "Et maintenant ?", markup=AFTER_KB)
    return AFTER


async def after(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    await _done_with_button(update)
    await say(
        context,
        _chat(update),
        "À quel sujet souhaitez-vous contacter PAT ?",
        markup=OFFERS_KB,
    )
    return GET_IN_TOUCH


async def get_in_touch(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    await _done_with_button(update)
    return await _training(update, context)


async def _training(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert context.user_data is not None
    context.user_data.clear()
    context.user_data["offer"] = "training"
    await say(context, _chat(update), *TRAINING, "Vous êtes…", markup=PROFILES_KB)
    return PROFILE


async def profile(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert context.user_data is not None
    context.user_data["profile"] = await _done_with_button(update)
    await say(
        context, _chat(update), "Combien de personnes environ ? Écrivez un nombre.", markup=BACK_KB
    )
    return SIZE


async def size(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.message is not None and update.message.text is not None
    assert context.user_data is not None
    text = update.message.text.strip()
    if not text.isdigit() or not 1 <= int(text) <= 1000:
        await say(context, _chat(update), "Pouvez-vous écrire un nombre entre 1 et 1000 ?")
        return SIZE
    context.user_data["group_size"] = text
    await say(context, _chat(update), "Dans quelle région êtes-vous ?", markup=REGIONS_KB)
    return REGION


async def region(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert context.user_data is not None
    context.user_data["region"] = await _done_with_button(update)
    await say(
        context,
        _chat(update),
        "Qu'espérez-vous apprendre ? Quelques mots suffisent.",
        markup=BACK_KB,
    )
    return HOPES


async def hopes(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.message is not None and context.user_data is not None
    context.user_data["hopes"] = update.message.text
    await say(context, _chat(update), *CONSENT, CONSENT_QUESTION, markup=CONSENT_KB)
    return CONSENT_STEP


async def consent(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    if await _done_with_button(update) != "yes":
        await say(context, _chat(update), "C'est noté.")
        return ConversationHandler.END
    await say(context, _chat(update), "Quel est votre nom ?", markup=BACK_KB)
    return NAME


async def name(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.message is not None and context.user_data is not None
    context.user_data["name"] = update.message.text
    await say(
        context,
        _chat(update),
        "Pour quelle organisation ? Si vous écrivez à titre personnel, passez cette question.",
        markup=SKIP_KB,
    )
    return ORG


async def org(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert context.user_data is not None
    if update.callback_query:
        await _done_with_button(update)
    elif update.message:
        context.user_data["organisation"] = update.message.text
    await say(
        context,
        _chat(update),
        "Quelle est votre fonction ? Par exemple : infirmière, directeur, éducatrice…",
        markup=BACK_KB,
    )
    return ROLE


async def role(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.message is not None and context.user_data is not None
    context.user_data["role"] = update.message.text
    await say(context, _chat(update), "Quelle est votre adresse e-mail ?", markup=BACK_KB)
    return EMAIL


async def email(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.message is not None and context.user_data is not None
    try:
        result = validate_email(update.message.text or "", check_deliverability=False)
    except EmailNotValidError:
        await say(context, _chat(update), "Cette adresse ne semble pas complète.")
        return EMAIL
    context.user_data["email"] = result.normalized
    await say(
        context, _chat(update), "Votre numéro de téléphone ? C'est facultatif.", markup=SKIP_KB
    )
    return PHONE


async def phone(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert context.user_data is not None
    if update.callback_query:
        await _done_with_button(update)
    elif update.message:
        number = phonenumbers.parse(update.message.text or "", "BE")
        context.user_data["phone"] = phonenumbers.format_number(
            number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
    data = context.user_data

    def shown(key: str) -> str:
        value = str(data.get(key, "(pas de réponse)"))
        return escape(LABELS.get(value, value))

    lines = "\n".join(f"• <b>{title}</b> : {shown(key)}" for key, title in FIELDS.items())
    await say(
        context,
        _chat(update),
        f"Voici votre demande. Tout est juste ?\n\n{lines}",
        markup=SUMMARY_KB,
    )
    return SUMMARY


async def summary(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert context.user_data is not None
    await _done_with_button(update)
    today = date.today()
    ref = f"R-{today:%y%m%d}-{secrets.token_hex(3).upper()}"
    msg = EmailMessage()
    msg["Subject"] = f"[PAT] Formation #{ref}"
    msg["From"] = "noreply@smes.be"
    msg["To"] = "pat@smes.be"
    msg.set_content("\n".join(f"{k}: {v}" for k, v in context.user_data.items()))
    (OUTBOX[0] / f"{ref}.eml").write_bytes(msg.as_bytes())
    await say(
        context,
        _chat(update),
        f"Merci ! Votre demande du {format_date(today, 'd MMMM y', locale='fr')} est "
        f"enregistrée sous la référence {ref}.",
        "Gardez cette référence : elle vous servira si vous écrivez à pat@smes.be.",
        "Que puis-je faire pour vous ?",
        markup=MENU_KB,
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
            CONSENT_STEP: [CallbackQueryHandler(consent)],
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
