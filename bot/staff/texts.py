"""What ``pat-bot`` and its alerts say to PAT staff, in their language.

Staff read French by default (``PAT_STAFF_LOCALE``), like the request e-mails; the texts live in
the same catalogs as the conversation, French being the msgid. ``say()`` translates one text and
fills its ``{names}``. Python's argparse keeps a few messages of its own in English (the details
of a wrong option); ``pat-bot`` wraps them in one translated line.
"""

from __future__ import annotations

from babel import Locale

from bot.conversation.i18n import Translator
from flows.texts import N_


def say(t: Translator, msgid: str, **values: object) -> str:
    """``msgid`` in the staff's language, its ``{names}`` filled with ``values``."""
    return t.gettext(msgid).format(**values)


def language_name(code: str, t: Translator) -> str:
    """« néerlandais », "Dutch", « Nederlands »: a language as staff name it."""
    try:
        return Locale.parse(code).get_display_name(t.locale) or code
    except (ValueError, TypeError):
        return code


# -- pat-bot -h ----------------------------------------------------------------------------------
USAGE = N_("utilisation : ")
COMMANDS = N_("commandes")
COMMAND = N_("<commande>")
OPTIONS = N_("options")
ARGUMENTS = N_("arguments")
HELP = N_("afficher cette aide")
DESCRIPTION = N_(
    "Le robot d'accueil de PAT. Sans commande : le robot Telegram si PAT_TELEGRAM_TOKEN est "
    "défini, sinon la conversation dans ce terminal. Réglages : variables PAT_… (voir le README)."
)
WRONG_ARGUMENTS = N_("{prog} : je ne comprends pas cette commande ({detail}). Voir « {prog} -h ».")
H_CHAT = N_("la conversation dans ce terminal")
H_LANG = N_("la langue de la conversation")
H_NEW = N_("recommencer au lieu de reprendre")
H_RUN = N_("le robot Telegram (il faut PAT_TELEGRAM_TOKEN)")
H_WEB = N_("la page web du chat seule, sans Telegram (PAT_WEB_PORT, 8080 par défaut)")
H_HEALTH = N_("le robot tourne-t-il ? (pour le contrôle de santé de Docker)")
H_OUTBOX = N_("les demandes pas encore envoyées à l'équipe ; les renvoyer")
H_OUTBOX_ACTION = N_("list : les montrer (par défaut) ; retry : les renvoyer maintenant")
H_OUTBOX_REF = N_("la référence de la demande à renvoyer (R-…)")
H_OUTBOX_ALL = N_("renvoyer toutes les demandes pas encore envoyées")
H_EXPORT = N_("les demandes encore gardées, en tableau pour un tableur (CSV ou JSON)")
H_EXPORT_FORMAT = N_("csv (par défaut) ou json")
H_WITH_CONTACT = N_("ajouter nom, e-mail, téléphone et Telegram : ce sont des données personnelles")
H_DIGEST = N_("le résumé anonyme de la semaine : l'afficher, ou l'envoyer à l'équipe")
H_DIGEST_SEND = N_("l'envoyer à l'équipe par e-mail (une seule fois par semaine)")
H_DAYS = N_("sur combien de jours, de 1 à 3650 (30 par défaut)")
H_CLASSIFY = N_("ce que le robot comprend de textes tapés (une ligne chacun, sur l'entrée)")
H_STATS = N_("les statistiques anonymes")
H_GRAPH = N_("dessiner les parcours (texte Mermaid et une image SVG par parcours)")
H_GRAPH_OUT = N_("le dossier où écrire les dessins (flows-graph par défaut)")
H_SOURCES = N_("chaque texte qui affirme un fait, avec ses sources")
H_SOURCES_LANG = N_("aussi dans cette langue")
H_CHECK = N_("vérifier les fichiers de parcours")
H_CHECK_DIR = N_("le dossier des fichiers de parcours")

# -- pat-bot check, health, run, graph -------------------------------------------------------------
CHECK_OK = N_("OK : {flows} parcours, {steps} étapes.")
CHECK_PROBLEMS = N_("{count} problème(s) trouvé(s).")
NO_HEARTBEAT = N_("Aucun signe de vie : le robot tourne-t-il ?")
HEARTBEAT_OK = N_("Dernier signe de vie il y a {seconds} s : tout va bien.")
HEARTBEAT_STALE = N_("Dernier signe de vie il y a {seconds} s : c'est trop ancien.")
NO_TOKEN = N_("PAT_TELEGRAM_TOKEN n'est pas défini (voir le README, « Telegram »).")
CANNOT_WRITE = N_("impossible d'écrire dans {folder} ({why}).")
GRAPH_WROTE = N_("Écrit : {mermaid}, et {count} images SVG dans {folder}.")

# -- pat-bot outbox --------------------------------------------------------------------------------
OUTBOX_WHICH = N_("Laquelle ? pat-bot outbox retry R-… ou, pour toutes, pat-bot outbox retry --all")
OUTBOX_BUSY = N_("{ref} : le robot en marche l'envoie en ce moment ; rien à faire.")
OUTBOX_NOTHING = N_("Rien à renvoyer.")
OUTBOX_NOTHING_FOR = N_("Rien à renvoyer pour {ref}.")
OUTBOX_DELIVERED = N_("{ref} : envoyée à l'équipe.")
OUTBOX_DELIVERED_BY_BOT = N_("{ref} : le robot en marche vient de l'envoyer à l'équipe.")
OUTBOX_ERASED = N_("{ref} : effacée à la demande de la personne ; pas envoyée.")
OUTBOX_NOT_DELIVERED = N_("{ref} : pas envoyée ({error}).")
OUTBOX_ALL_DELIVERED = N_("Toutes les demandes ont été envoyées à l'équipe.")
COL_REF = N_("référence")
COL_STATUS = N_("état")
COL_ATTEMPTS = N_("essais")
COL_NEXT = N_("prochain essai")
COL_ERROR = N_("dernière erreur")
STATUS_PENDING = N_("en attente")
STATUS_FAILED = N_("en échec")
STATUS_DELIVERED = N_("envoyée")
STATUSES = {"pending": STATUS_PENDING, "failed": STATUS_FAILED, "delivered": STATUS_DELIVERED}

# -- alert to staff (Telegram) ---------------------------------------------------------------------
ALERT_NOT_DELIVERED = N_(
    "[Robot PAT] La demande {ref} n'a pas pu être envoyée à l'équipe après {attempts} essais "
    "({error}). « pat-bot outbox retry {ref} » la renvoie."
)
# An e-mail to PAT: the first line is its subject.
ERASED_WHILE_SENT = N_(
    "[Robot PAT] Effacement de la demande {ref}\n\n"
    "La personne qui a fait la demande {ref} a demandé d'effacer ses données pendant que le "
    "robot vous l'envoyait. Si vous avez reçu cette demande, merci de supprimer son message et "
    "toute copie ou note faite à partir de lui."
)

# -- pat-bot stats, /stats, the weekly digest ------------------------------------------------------
STATS_TITLE = N_("Statistiques PAT du {start} au {end} ({days} jours)")
STATS_CONVERSATIONS = N_("Conversations commencées : {count}")
STATS_REQUESTS = N_("Demandes faites : {count}")
STATS_LINE = N_("{title} : {items}")
STATS_NONE = N_("{title} : aucune")
STATS_BY_OFFER = N_("Par offre")
STATS_BY_REGION = N_("Par région")
STATS_BY_LANGUAGE = N_("Par langue")
STATS_BY_CHANNEL = N_("Par canal")
STATS_FAQ = N_("Questions lues")
STATS_SOURCES = N_("Venues par un lien")
STATS_CRISIS = N_(
    "Détresse : lignes d'aide montrées d'emblée {sure} · question « êtes-vous en danger ? » "
    "posée {asked}, dont « oui » {yes}"
)
STATS_MENU = N_("Menu affiché : {count}")
STATS_FUNNEL = N_("Parcours : combien de personnes sont arrivées à chaque question")
STATS_STOPPED = N_("Conversations laissées en route, à la question")
STATS_NOT_GIVEN = N_("(non précisé)")

# -- kinds of steps, as headings of the diagrams (and the stats' names of steps without a label)
KIND_NAMES = {
    "message": N_("Message"),
    "choice": N_("Question à boutons"),
    "multi": N_("Question à plusieurs choix"),
    "input": N_("Question à réponse écrite"),
    "consent": N_("Consentement"),
    "summary": N_("Relecture avant l'envoi"),
    "submit": N_("Envoi à l'équipe PAT"),
    "end": N_("Fin"),
}

# -- a person from PAT answering in the chat (bot/staff/handoff.py) -----------------------------
CARD = N_("📥 Nouvelle demande {ref}\n{details}")
CARD_CHAT = N_("La personne souhaite une réponse ici, dans le chat.")
REPLY_BUTTON = N_("Répondre dans le chat")
FOCUS = N_(
    "Écrivez votre réponse à {ref} : votre prochain message lui est envoyé, signé « {name}, de "
    "l'équipe PAT ». « /close {ref} » termine la conversation."
)
TAKEN_BY = N_("{ref} : {name} répond.")
ALREADY_TAKEN = N_("{name} répond déjà à {ref}.")
NO_CHAT = N_(
    "{ref} : pas de conversation possible (la personne n'a pas choisi le chat, ou la "
    "conversation est terminée)."
)
PERSON_SAYS = N_("💬 {ref} · la personne écrit :\n{text}")
PERSON_DISTRESS = N_(
    "⚠️ {ref} : ce message peut dire une détresse. Le robot a montré les lignes d'aide à la "
    "personne.\n{text}"
)
PERSON_MEDIA = N_(
    "{ref} : la personne a envoyé une photo, un fichier ou un autocollant ; le robot ne le "
    "transmet pas (elle peut l'envoyer à pat@smes.be)."
)
PERSON_ENDED = N_("{ref} : la personne a terminé la conversation.")
STAFF_ENDED = N_("{ref} : conversation terminée par {name}.")
EXPIRED_STAFF = N_("{ref} : conversation fermée après {days} jours sans message.")
FORGOTTEN = N_(
    "{ref} : la personne a demandé l'effacement de ses données ; la conversation est terminée."
)
NOT_DELIVERED_TO_PERSON = N_("{ref} : votre message n'a pas pu être remis ({error}).")
STAFF_ONLY = N_("Réservé à l'équipe PAT.")
HOW_TO_REPLY = N_(
    "Pour répondre : « /reply R-… votre texte », ou répondez à la carte de la demande. "
    "« /close R-… » termine."
)
CONSOLE_INTRO = N_(
    "Console de l'équipe PAT, au nom de {name}. Les demandes faites dans « pat-bot chat » (même "
    "dossier de données) arrivent ici. « /reply R-… texte » répond dans le chat, « /close R-… » "
    "termine ; une ligne seule va à la dernière conversation choisie. Ctrl-D quitte."
)
H_STAFF = N_("la console de l'équipe : répondre dans « pat-bot chat », pour essayer")
H_STAFF_NAME = N_("le prénom que la personne verra (« Anne, de l'équipe PAT »)")
