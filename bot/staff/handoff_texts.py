"""The words of a hand-off (bot/staff/handoff.py) beyond staff's one-liners of bot/staff/texts.py:
what the person reads, in their language (French being the msgid), and the card about a new
request that staff get, in theirs."""

from __future__ import annotations

from bot.channels.registry import channel_of
from bot.conversation.i18n import Translator
from bot.staff import texts as staff
from bot.staff.texts import language_name, say
from flows.texts import N_
from storage.models import RequestPayload

# What the person sees, in their language.
STAFF_SAYS = N_("💬 {name}, de l'équipe PAT :\n{text}")
FIRST_NOTE = N_(
    "Vous parlez maintenant avec une personne de l'équipe PAT, plus avec le robot. Répondez "
    "ici ; « Terminer la conversation » y met fin."
)
END_BUTTON = N_("Terminer la conversation")
REMINDER = N_("C'est transmis à {name}, de l'équipe PAT : une personne, pas le robot.")
ENDED_BY_YOU = N_(
    "La conversation avec l'équipe PAT est terminée. Le robot reprend : /menu. Pour écrire à "
    "l'équipe : pat@smes.be."
)
ENDED_BY_STAFF = N_(
    "{name} a terminé la conversation. Le robot reprend : /menu. Pour écrire à l'équipe : "
    "pat@smes.be."
)
MEDIA_NOT_PASSED = N_(
    "Je ne transmets que le texte à {name}. Décrivez-le en quelques mots, ou envoyez le "
    "document à pat@smes.be."
)
NOT_PASSED_ON = N_(
    "Votre dernier message n'a pas pu être transmis à l'équipe PAT. Écrivez à pat@smes.be, "
    "s'il vous plaît."
)
EXPIRED = N_(
    "La conversation avec l'équipe PAT s'est terminée après {days} jours sans message. Pour "
    "reprendre contact : pat@smes.be, ou /menu."
)


def card(t: Translator, chat_key: str, payload: RequestPayload, chat: bool) -> str:
    """The card about a new request, in the staff's language ``t``: its reference and a line of
    details; ``chat``: the person chose to be answered in the chat, and the card says so."""
    place = payload.commune or payload.region_label or ""
    details = [
        t.gettext(payload.offer_label),
        t.gettext(place) if place else "",
        payload.value("organisation") or "",
        language_name(payload.locale, t),
        channel_of(chat_key).mail_label.split(" (")[0],
    ]
    text = say(t, staff.CARD, ref=payload.ref, details=" · ".join(d for d in details if d))
    if chat:
        text += "\n" + t.gettext(staff.CARD_CHAT)
    return text
