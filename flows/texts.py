"""Texts the engine says by itself (not declared in a flow file).

French is the reference text and the gettext msgid. ``N_`` only marks a string for extraction
(pybabel -k N_); translation happens when the adapter renders, never here.
"""

from __future__ import annotations


def N_(text: str) -> str:
    """Mark ``text`` for extraction; returns it unchanged."""
    return text


MENU_BUTTON = N_("↩ Menu")
SKIP_BUTTON = N_("Passer")
STALE = N_("Ce bouton ne correspond plus à la question en cours. Voici où nous en sommes :")
USE_BUTTONS = N_(
    "Je suis un robot et je comprends surtout les boutons. "
    "Choisissez une réponse ci-dessous, ou tapez /menu."
)
TOO_LONG = N_(
    "Ce message est trop long pour moi ({limit} caractères au plus). "
    "Pouvez-vous le raccourcir ? Rien n'a été enregistré."
)
CANCELLED = N_("C'est annulé : rien n'a été envoyé et vos réponses sont effacées.")
RESUMED = N_("Nous reprenons là où nous en étions.")
HELP = N_(
    "Je suis le robot d'accueil de PAT : un programme, pas une personne.\n"
    "Répondez avec les boutons. /menu revient au menu, /cancel annule la demande en cours, "
    "/privacy explique ce que deviennent vos données, /language change la langue.\n"
    "Pour parler à une personne : pat@smes.be."
)
PRIVACY = N_(
    "Vos coordonnées ne sont demandées qu'avec votre accord, et servent uniquement à ce que "
    "l'équipe PAT (Smes) vous réponde. Ne partagez pas d'informations sur votre santé ici : "
    "les messages aux robots Telegram ne sont pas chiffrés de bout en bout.\n"
    "Pour une question ou pour effacer vos données : pat@smes.be."
)
PICK_FIELD = N_("Que voulez-vous corriger ?")
BACK_TO_SUMMARY = N_("Retour au récapitulatif")
NOT_GIVEN = N_("(non précisé)")
NON_TEXT = N_(
    "Je ne lis que le texte : je ne peux pas ouvrir les images, autocollants, messages "
    "vocaux ou fichiers. Merci de répondre par écrit ou avec les boutons."
)
EDITED = N_(
    "Je ne vois pas les messages modifiés. Si vous voulez changer une réponse, "
    "envoyez-la à nouveau, ou utilisez « Corriger » avant l'envoi."
)
GROUP_ONLY = N_(
    "Bonjour ! Je fonctionne uniquement en conversation privée. "
    "Écrivez-moi directement pour parler de pair-aidance avec PAT."
)
ERROR = N_(
    "Oups, quelque chose s'est mal passé de mon côté. Vos réponses sont gardées. "
    "Tapez /menu pour continuer, ou écrivez à pat@smes.be."
)

DELIVERED = N_("Bonne nouvelle : votre demande {ref} est bien arrivée chez l'équipe PAT.")
NOT_DELIVERED = N_(
    "Désolé : votre demande {ref} n'a pas pu être transmise à l'équipe PAT, malgré plusieurs "
    "essais. Pouvez-vous écrire à pat@smes.be en indiquant cette référence ? Merci."
)

UNDERSTOOD = N_("J'ai compris : « {label} ».")
DID_YOU_MEAN = N_("Je ne suis pas sûr d'avoir compris. Vous voulez parler de… ?")
NOT_UNDERSTOOD = N_(
    "Désolé, je n'ai pas compris : je suis un robot et je connais surtout les questions "
    "du menu. Voici ce que je peux faire :"
)
CRISIS = N_(
    "Merci de me l'avoir écrit. Si vous ou quelqu'un êtes en danger maintenant, appelez le 112 "
    "(gratuit, jour et nuit).\n"
    "Pour parler à quelqu'un tout de suite, gratuitement et anonymement, 24 h/24 :\n"
    "• Centre de Prévention du Suicide : 0800 32 123\n"
    "• Télé-Accueil : 107 (aussi par chat)"
)
CRISIS_CONTINUE = N_(
    "Je suis un robot et l'équipe PAT n'est pas un service d'urgence. Voulez-vous continuer ici ?"
)
CONTINUE_BUTTON = N_("Continuer")

# Each language is named in its own language, so these labels are not translated.
LANGUAGES = {"fr": "Français", "nl": "Nederlands", "en": "English"}
LANGUAGE_PICK = N_("Choisissez votre langue · Kies uw taal · Choose your language")
LANGUAGE_SET = N_("C'est noté, je vous parle en français.")

# Descriptions of the bot's commands in Telegram's command menu.
COMMAND_DESCRIPTIONS = {
    "start": N_("Recommencer depuis le début"),
    "menu": N_("Revenir au menu"),
    "help": N_("Comment ça marche"),
    "privacy": N_("Vos données et vos droits"),
    "cancel": N_("Annuler la demande en cours"),
    "language": N_("Changer de langue"),
}
