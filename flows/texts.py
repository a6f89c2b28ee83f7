"""Texts the engine says by itself (not declared in a flow file).

French is the reference text and the gettext msgid. ``N_`` only marks a string for extraction
(pybabel -k N_); translation happens when the adapter renders, never here.

Over 300 lines on purpose: a catalog of texts, read top to bottom when the texts are reviewed
(the help lines beside the words around them), with no logic to follow.
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
    "Votre message fait {length} caractères ; la limite est de {limit}. Pouvez-vous le raccourcir ?"
)
CANCELLED = N_("C'est annulé : rien n'a été envoyé et vos réponses sont effacées.")
# A way out (the menu, /cancel, /start…) during a request with answers: asked once.
ABANDON_CONFIRM = N_("Abandonner votre demande ? Vos réponses seront perdues.")
ABANDON_YES = N_("Oui, abandonner")
ABANDON_NO = N_("Continuer ma demande")
RESUMED = N_("Nous reprenons là où nous en étions.")
HELP = N_(
    "Je suis le robot d'accueil de PAT : un programme, pas une personne.\n"
    "Répondez avec les boutons. /menu revient au menu, /cancel annule la demande en "
    "cours, /privacy explique ce que deviennent vos données, /forget efface tout, "
    "/language change la langue.\n"
    "Besoin d'aide maintenant ? /sos donne les numéros à appeler.\n"
    "Pour écrire à l'équipe de PAT : pat@smes.be."
)
# /privacy (GDPR art. 13), one idea per bubble, in this order. Each bubble is shown only where
# it applies (bot/conversation/render.py): ONLY_ON names the channels it is for (the chat's is
# "channel" in the render context, a name of bot/channels/registry.py); ONLY_WITH the values it
# shows, all of which must be set (settings PAT fills in, or "handoff": a person from PAT can
# answer in this chat); ONLY_WITHOUT gives the same names to its alternative, shown while one
# of them is not set (it says to ask pat@smes.be, never a made-up name).
PRIVACY_CONTROLLER = N_(
    "Qui est responsable de vos données ? L'asbl Smes ({controller_address}), pour son "
    "service PAT. Contact : pat@smes.be."
)
PRIVACY_CONTROLLER_ASK = N_(
    "Qui est responsable de vos données ? L'asbl Smes, pour son service PAT. Contact : "
    "pat@smes.be (l'adresse postale du Smes vous sera donnée sur demande)."
)
PRIVACY_CONTACT = N_("Contact pour la protection des données : {privacy_contact}.")
PRIVACY_WHAT = N_(
    "Ce que je collecte, et pourquoi : vos réponses, votre nom, votre fonction, votre e-mail "
    "et, si vous le donnez, votre téléphone, seulement pour que l'équipe PAT traite votre "
    "demande. La base légale est votre accord (consentement), que vous pouvez retirer à tout "
    "moment."
)
PRIVACY_HEALTH = N_(
    "Certaines réponses peuvent révéler quelque chose de votre santé, comme le fait d'être "
    "pair-aidant·e : le dire est toujours facultatif. Ces réponses ne sont envoyées qu'avec "
    "votre accord explicite (RGPD, art. 9), demandé avant vos coordonnées."
)
PRIVACY_DISTRESS = N_(
    "Ce que vous tapez, je le lis pour vous répondre, et pour repérer un message qui semble "
    "parler de détresse : je vous montre alors des numéros d'aide, sans garder ce message. "
    "Base légale : protéger votre vie ou celle d'une autre personne (intérêt vital)."
)
PRIVACY_HANDOFF = N_(
    "Si vous choisissez « Ici, dans ce chat », une personne de l'équipe PAT peut vous "
    "répondre ici. Le robot lui transmet vos messages sans les garder, et lui signale ceux "
    "qui semblent parler de détresse."
)
# On the web page, staff's messages wait for a closed page (bot/channels/web/relay.py); they go
# when shown, or with retention (storage/handoffs.py: purge_unclaimed) after the hand-off ended
# (by someone, or by itself: HandOff.expire). Staff write from their Telegram chat (desks.py).
PRIVACY_HANDOFF_WEB = N_(
    "Si une personne de l'équipe PAT vous écrit pendant que cette page est fermée, son message "
    "vous attend ici, dans ce navigateur, si vous revenez dans les {abandoned_days} jours qui "
    "suivent votre dernière visite. Le robot l'efface dès qu'il s'affiche, ou au plus tard "
    "{abandoned_days} jours après la fin de la conversation avec l'équipe, qui se termine "
    "d'elle-même après {handoff_days} jours sans message."
)
# Where the person is not on Telegram (the web page, WhatsApp), staff still answer from their
# Telegram chat (bot/staff/desks.py): the hand-off passes through Telegram.
PRIVACY_HANDOFF_DESK = N_(
    "L'équipe lit vos messages et vous répond depuis Telegram, qui les garde sur ses serveurs."
)
PRIVACY_RECIPIENTS = N_(
    "Qui reçoit vos données ? L'équipe PAT. Pour faire fonctionner le service, le Smes fait "
    "appel à des prestataires qui agissent pour son compte (sous-traitants) : "
    "{privacy_hosting} héberge le robot, {privacy_mail_provider} gère les e-mails."
)
PRIVACY_RECIPIENTS_ASK = N_(
    "Qui reçoit vos données ? L'équipe PAT. Pour faire fonctionner le service, le Smes fait "
    "appel à des prestataires qui agissent pour son compte (sous-traitants) : un hébergeur "
    "pour le robot et un service d'e-mail. Leurs noms : sur demande à pat@smes.be."
)
PRIVACY_TELEGRAM = N_(
    "Sur Telegram, votre nom d'utilisateur, si vous en avez un, est envoyé avec votre "
    "demande. La conversation est gardée sur les serveurs de Telegram et n'est pas chiffrée "
    "de bout en bout : n'y écrivez pas de détails sur votre santé."
)
PRIVACY_TELEGRAM_CONTROLLER = N_(
    "Telegram est lui-même responsable de ce qu'il fait de vos données, selon ses propres "
    "règles (telegram.org/privacy) ; PAT ne le contrôle pas. Telegram peut les transférer hors "
    "de l'Union européenne."
)
# The number is the chat key: « effacer » erases the answers and details at once, the key's
# empty conversation goes with the unfinished ones (storage: save_turn after forget_person).
PRIVACY_WHATSAPP = N_(
    "Sur WhatsApp, le robot reconnaît votre conversation à votre numéro de téléphone. Il n'est "
    "pas envoyé avec votre demande, sauf si vous le donnez vous-même. « effacer » efface vos "
    "réponses et vos coordonnées ; votre numéro disparaît d'ici {abandoned_days} jours après "
    "votre dernier message. Vos messages passent par les serveurs de Meta : n'y écrivez pas de "
    "détails sur votre santé."
)
PRIVACY_WHATSAPP_CONTROLLER = N_(
    "Pour votre usage de WhatsApp lui-même, WhatsApp (Meta) est responsable de vos données, "
    "selon ses propres règles (whatsapp.com/legal) ; PAT ne le contrôle pas. Meta peut les "
    "transférer hors de l'Union européenne."
)
PRIVACY_WEB = N_(
    "Sur cette page, un cookie relie votre navigateur à votre conversation, jusqu'à "
    "{abandoned_days} jours après votre dernière visite ; il ne sert qu'à cela. Contre les "
    "abus (intérêt légitime), je limite par adresse IP les messages, les connexions et les "
    "demandes. Ces compteurs restent en "
    "mémoire : je n'écris votre adresse ni sur disque ni dans mes journaux."
)
PRIVACY_HOW_LONG = N_(
    "Combien de temps : une conversation inachevée est effacée après {abandoned_days} "
    "jours sans message. Une demande transmise est effacée de ce robot {retention_days} "
    "jours après son envoi."
)
PRIVACY_MAILBOX_DAYS = N_(
    "L'équipe PAT garde l'e-mail de votre demande dans sa boîte {mailbox_days} jours au plus."
)
PRIVACY_MAILBOX_ASK = N_(
    "Pour savoir combien de temps l'équipe PAT garde l'e-mail de votre demande, ou pour le "
    "faire effacer, écrivez à pat@smes.be."
)
PRIVACY_RIGHTS = N_(
    "Vos droits : accéder à vos données, les faire corriger ou effacer, en limiter l'usage, "
    "les recevoir pour les transmettre ailleurs (portabilité), vous opposer à leur usage, et "
    "retirer votre accord à tout moment, sans effet sur ce qui a été fait avant. Tapez "
    "/forget pour tout effacer ici, ou écrivez à pat@smes.be."
)
PRIVACY_RIGHTS_WEB = N_(
    "Vos droits : accéder à vos données, les faire corriger ou effacer, en limiter l'usage, "
    "les recevoir pour les transmettre ailleurs (portabilité), vous opposer à leur usage, et "
    "retirer votre accord à tout moment, sans effet sur ce qui a été fait avant. Le bouton "
    "« Effacer mes données », en haut de ce chat, efface tout ce que le robot garde sur vous, "
    "et vide cet écran ; vous pouvez aussi écrire à pat@smes.be."
)
PRIVACY_AUTHORITY = N_(
    "Vous pouvez aussi introduire une plainte auprès de l'Autorité de protection des "
    "données : rue de la Presse 35, 1000 Bruxelles, contact@apd-gba.be."
)
PRIVACY_NOTICE = (
    PRIVACY_CONTROLLER,
    PRIVACY_CONTROLLER_ASK,
    PRIVACY_CONTACT,
    PRIVACY_WHAT,
    PRIVACY_HEALTH,
    PRIVACY_DISTRESS,
    PRIVACY_HANDOFF,
    PRIVACY_HANDOFF_WEB,
    PRIVACY_HANDOFF_DESK,
    PRIVACY_RECIPIENTS,
    PRIVACY_RECIPIENTS_ASK,
    PRIVACY_TELEGRAM,
    PRIVACY_TELEGRAM_CONTROLLER,
    PRIVACY_WHATSAPP,
    PRIVACY_WHATSAPP_CONTROLLER,
    PRIVACY_WEB,
    PRIVACY_HOW_LONG,
    PRIVACY_MAILBOX_DAYS,
    PRIVACY_MAILBOX_ASK,
    PRIVACY_RIGHTS,
    PRIVACY_RIGHTS_WEB,
    PRIVACY_AUTHORITY,
)
# At consent (request.yml), on Telegram only: what goes with the request there.
CONSENT_TELEGRAM = N_("Sur Telegram, votre nom d'utilisateur est envoyé aussi, si vous en avez un.")
# At consent, on the web page only: what the page keeps (bot/channels/web/sessions.py).
CONSENT_WEB = N_(
    "Sur cette page, un cookie relie votre navigateur à cette conversation, jusqu'à "
    "{abandoned_days} jours après votre dernière visite ; il ne sert qu'à cela."
)
# With the consent's question: the privacy notice, one tap away (on every channel).
PRIVACY_BUTTON = N_("Vos données, en détail")
# Said before a question whose answer can reveal health (a step with ``sensitive: true``,
# which always offers « Je préfère ne pas le dire »): GDPR art. 9.
PRIVACY_ART9 = N_(
    "Bon à savoir : dire que vous êtes pair-aidant·e peut révéler une partie de votre "
    "parcours de santé. C'est facultatif, et rien n'est envoyé à l'équipe PAT sans votre "
    "accord. Vous pouvez répondre « Je préfère ne pas le dire »."
)
ONLY_ON: dict[str, frozenset[str]] = {
    PRIVACY_TELEGRAM: frozenset({"telegram"}),
    PRIVACY_TELEGRAM_CONTROLLER: frozenset({"telegram"}),
    CONSENT_TELEGRAM: frozenset({"telegram"}),
    CONSENT_WEB: frozenset({"web"}),
    PRIVACY_WEB: frozenset({"web"}),
    PRIVACY_WHATSAPP: frozenset({"whatsapp"}),
    PRIVACY_WHATSAPP_CONTROLLER: frozenset({"whatsapp"}),
    PRIVACY_RIGHTS: frozenset({"telegram", "terminal", "whatsapp"}),
    PRIVACY_RIGHTS_WEB: frozenset({"web"}),
    PRIVACY_HANDOFF_WEB: frozenset({"web"}),
    PRIVACY_HANDOFF_DESK: frozenset({"web", "whatsapp"}),
}
ONLY_WITH: dict[str, tuple[str, ...]] = {
    PRIVACY_CONTROLLER: ("controller_address",),
    PRIVACY_CONTACT: ("privacy_contact",),
    PRIVACY_HANDOFF: ("handoff",),
    PRIVACY_HANDOFF_WEB: ("handoff",),
    PRIVACY_HANDOFF_DESK: ("handoff",),
    PRIVACY_RECIPIENTS: ("privacy_hosting", "privacy_mail_provider"),
    PRIVACY_MAILBOX_DAYS: ("mailbox_days",),
}
ONLY_WITHOUT: dict[str, tuple[str, ...]] = {
    PRIVACY_CONTROLLER_ASK: ONLY_WITH[PRIVACY_CONTROLLER],
    PRIVACY_RECIPIENTS_ASK: ONLY_WITH[PRIVACY_RECIPIENTS],
    PRIVACY_MAILBOX_ASK: ONLY_WITH[PRIVACY_MAILBOX_DAYS],
}
FORGET_CONFIRM = N_(
    "Voulez-vous que j'efface tout ce que je garde sur vous : conversation, réponses, "
    "coordonnées et accord donné ? Une demande pas encore envoyée sera annulée."
)
FORGET_YES = N_("Oui, tout effacer")
FORGET_NO = N_("Non, garder")
FORGOTTEN = N_(
    "C'est fait : j'ai tout effacé. Si une demande avait déjà été envoyée à l'équipe PAT, "
    "écrivez à pat@smes.be avec sa référence pour l'effacer aussi."
)
# Said instead of FORGOTTEN when the erasure could not finish at once (bot/delivery/erasures.py).
FORGOTTEN_IN_FLIGHT = N_(
    "C'est fait : j'ai effacé vos réponses ici. Votre demande {ref} était en train de "
    "partir vers l'équipe PAT : je l'effacerai à la fin de l'envoi et, si elle est arrivée, "
    "je demanderai à l'équipe de l'effacer aussi. Pour en être sûr·e, écrivez à pat@smes.be "
    "avec cette référence."
)
FORGOTTEN_NOT_YET = N_(
    "C'est noté : vos réponses sont effacées de la conversation. Une copie technique reste "
    "encore un moment dans la base de données ; le robot l'effacera dès que possible. Si une "
    "demande avait déjà été envoyée à l'équipe PAT, écrivez à pat@smes.be avec sa référence "
    "pour l'effacer aussi."
)
NOT_FORGOTTEN = N_("D'accord, je n'efface rien.")
PICK_FIELD = N_("Que voulez-vous corriger ?")
BACK_TO_SUMMARY = N_("Retour au récapitulatif")
NOT_GIVEN = N_("(pas de réponse)")
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
# Without an SMTP server the request is only written to a folder: it is registered, and no
# more than that is said.
FILED = N_(
    "Votre demande {ref} est bien enregistrée. Si l'équipe PAT ne vous recontacte pas, écrivez à "
    "pat@smes.be en indiquant cette référence."
)
# The web page opened again at the menu after a request (bot/channels/web/resume.py).
LAST_REQUEST = N_("Votre dernière demande, du {date}, est enregistrée sous la référence {ref}.")
NOT_DELIVERED = N_(
    "Désolé : votre demande {ref} n'a pas pu être transmise à l'équipe PAT, malgré plusieurs "
    "essais. Pouvez-vous écrire à pat@smes.be en indiquant cette référence ? Merci."
)

UNDERSTOOD = N_("J'ai compris : « {label} »")
DID_YOU_MEAN = N_("Je ne suis pas sûr d'avoir compris. Vous voulez parler de… ?")
# A long message about two subjects: the first is answered, then the second is offered.
ALSO_ABOUT = N_("Votre message semble parler aussi de : « {label} ». Voulez-vous la réponse ?")
ALSO_YES = N_("Oui, la réponse")
ALSO_NO = N_("Non, merci")
# Not understood, even as distress: the way to the help lines said anyway (#23: a person in
# danger who writes in hints, « ça va aller. enfin non. », is not always recognised).
NOT_UNDERSTOOD = N_(
    "Désolé, je n'ai pas compris. Je suis un robot et je réponds surtout aux questions du "
    "menu. Si ça ne va pas, pour vous ou pour quelqu'un de proche, le bouton « 🆘 Besoin "
    "d'aide maintenant ? » ci-dessous vous indique qui appeler."
)
CRISIS = N_(
    "Merci de me l'avoir écrit. En cas de danger maintenant, pour vous ou pour "
    "quelqu'un d'autre, appelez le 112 (gratuit, jour et nuit).\n"
    "Pour parler à quelqu'un, gratuitement et anonymement, par téléphone, jour et "
    "nuit :\n"
    "• Centre de Prévention du Suicide : 0800 32 123\n"
    "• Télé-Accueil : 107 (aussi par chat, sur son site)"
)
# The same lines for people worried about someone else (a colleague, a person the team
# accompanies): content-brief.md, "Crisis and help lines".
CRISIS_OTHER = N_(
    "Merci de me l'avoir écrit. Si la personne est en danger maintenant, appelez le "
    "112 (gratuit, jour et nuit).\n"
    "Le Centre de Prévention du Suicide écoute aussi les personnes inquiètes pour "
    "quelqu'un : 0800 32 123 (gratuit, anonyme, jour et nuit).\n"
    "Et pour vous, si vous avez besoin de parler : Télé-Accueil, 107 (aussi par "
    "chat)."
)
CRISIS_SHELTER = N_(
    "Merci de me l'avoir écrit. Pour trouver où dormir cette nuit :\n"
    "• à Bruxelles : le Samusocial, 0800 99 340 (gratuit, jour et nuit)\n"
    "• ailleurs : le CPAS de votre commune, en journée\n"
    "La nuit hors de Bruxelles, ou en cas de danger : appelez le 112."
)
CRISIS_OVERDOSE = N_(
    "Merci de me l'avoir écrit. Si vous avez pris trop de médicaments ou d'un autre "
    "produit, ou si la personne avec vous en a trop pris, appelez le 112 maintenant "
    "(gratuit, jour et nuit).\n"
    "Le Centre Antipoisons répond aussi, gratuitement, jour et nuit : 070 245 245."
)
CRISIS_VIOLENCE = N_(
    "Merci de me l'avoir écrit. En cas de danger maintenant, pour vous ou pour "
    "quelqu'un avec vous, appelez le 112, ou la police au 101.\n"
    "Pour en parler, gratuitement et anonymement, jour et nuit : Écoute Violences "
    "Conjugales, 0800 30 030 (ce n'est pas un numéro d'urgence)."
)
CRISIS_CHILD = N_(
    "Merci de me l'avoir écrit. Si un enfant est en danger maintenant, appelez le "
    "112, ou la police au 101.\n"
    "Un enfant ou un jeune qui a besoin de parler peut appeler le 103 "
    "(Écoute-Enfants)."
)
# The help screen: one tap away at every step (menu entry, /sos, the web page's header
# button), whatever the bot understood or not. Situations, not diagnoses.
HELP_NOW = N_(
    "Besoin d'aide maintenant ? Qui appeler :\n"
    "• Danger immédiat : 112 (gratuit, jour et nuit)\n"
    "• Idées de suicide, désespoir : 0800 32 123 (Centre de Prévention du Suicide) "
    "ou 107 (Télé-Accueil), gratuits et anonymes, jour et nuit\n"
    "• Intoxication, overdose : 112, puis le Centre Antipoisons, 070 245 245\n"
    "• Violences, menaces : 112 ou la police, 101 ; violences dans le couple, pour "
    "en parler : 0800 30 030 (Écoute Violences Conjugales)\n"
    "• Un enfant en danger : 112 ou la police, 101 ; un enfant ou un jeune peut "
    "appeler le 103 (Écoute-Enfants)\n"
    "• Pas d'endroit où dormir ce soir : à Bruxelles, le Samusocial, 0800 99 340, "
    "jour et nuit ; ailleurs, le CPAS en journée, le 112 la nuit\n"
    "Je suis un robot, pas un service d'urgence ni de soins : je ne peux pas appeler "
    "à votre place."
)
HELP_NOW_ENTRY = N_("🆘 Besoin d'aide maintenant ?")
# "I want to talk to a person", typed at the danger check or after the help lines: people
# answer these lines now; PAT's team is not an emergency service.
HUMAN_NOW = N_(
    "Des personnes peuvent vous écouter maintenant, gratuitement et anonymement, jour et "
    "nuit : 0800 32 123 (Centre de Prévention du Suicide) ou 107 (Télé-Accueil). En cas "
    "de danger : 112.\n"
    "L'équipe PAT n'est pas un service d'urgence ; vous pouvez lui écrire à pat@smes.be."
)
# Possible distress: one direct question, 112 and the listening lines on the same screen,
# three answers.
CHECK_SELF = N_(
    "Je vous pose la question directement : est-ce que vous êtes en danger en ce "
    "moment ?\n"
    "Si oui, appelez le 112 (gratuit, jour et nuit).\n"
    "Pour parler à quelqu'un, gratuitement et anonymement, jour et nuit : 0800 32 "
    "123 (Centre de Prévention du Suicide) ou 107 (Télé-Accueil)."
)
CHECK_OTHER = N_(
    "Je vous pose la question directement : est-ce que quelqu'un est en danger en ce "
    "moment ?\n"
    "Si oui, appelez le 112 (gratuit, jour et nuit).\n"
    "Le Centre de Prévention du Suicide écoute aussi les personnes inquiètes pour "
    "quelqu'un, gratuitement, jour et nuit : 0800 32 123."
)
DANGER_YES = N_("Oui, j'ai besoin d'aide maintenant")
DANGER_YES_OTHER = N_("Oui, quelqu'un a besoin d'aide")
DANGER_NOT_OK = N_("Non, mais ça ne va pas")
DANGER_NOT_OK_OTHER = N_("Non, mais ça m'inquiète")
DANGER_NO = N_("Non, c'est une question pour mon travail")
NOT_IN_DANGER = N_("D'accord, merci de m'avoir répondu.")
NOT_OK = N_(
    "Merci de me l'avoir dit. Vous n'avez pas à garder ça pour vous : pour en parler "
    "à quelqu'un, gratuitement et anonymement, jour et nuit, appelez le 0800 32 123 "
    "(Centre de Prévention du Suicide) ou le 107 (Télé-Accueil, aussi par chat). En "
    "cas de danger : 112."
)
NOT_OK_OTHER = N_(
    "Merci de me l'avoir dit : s'inquiéter pour quelqu'un, c'est lourd à porter. Le "
    "Centre de Prévention du Suicide écoute aussi les personnes inquiètes pour "
    "quelqu'un, gratuitement et anonymement, jour et nuit : 0800 32 123. En cas de "
    "danger : 112."
)
RETYPE = N_(
    "Par discrétion, je n'ai pas gardé votre message. Pour continuer, pouvez-vous me "
    "l'écrire à nouveau ?"
)
# After the help lines: warm words, and the person chooses when to go back (never the
# services menu on the bot's own).
CRISIS_AFTER = N_(
    "Ce que vous vivez a l'air très difficile, et vous avez bien fait de l'écrire. "
    "Je ne suis qu'un robot : les personnes qui répondent à ces numéros peuvent vous "
    "écouter et vous aider."
)
CRISIS_AFTER_OTHER = N_(
    "S'inquiéter pour quelqu'un, c'est lourd à porter, et vous avez bien fait de "
    "l'écrire. Je ne suis qu'un robot : les personnes qui répondent à ces numéros "
    "peuvent en parler avec vous."
)
QUESTION_WAITS = N_(
    "Votre question sur PAT peut attendre : j'y répondrai quand vous voudrez, avec « "
    "↩ Revenir où j'étais »."
)
BACK_HERE_BUTTON = N_("↩ Revenir où j'étais")
ALL_LINES_BUTTON = N_("Voir tous les numéros d'aide")
# Older chats may still show this button after the help lines: it goes back, as BACK_HERE.
CONTINUE_BUTTON = N_("Continuer")

SLOW_DOWN = N_(
    "Je reçois beaucoup de messages d'un coup. Je recommence à lire les vôtres dans une minute."
)
TOO_MANY_REQUESTS = N_(
    "Vous avez déjà envoyé plusieurs demandes aujourd'hui. Pour en ajouter une, "
    "écrivez directement à pat@smes.be : l'équipe la lira. Vos réponses sont gardées."
)
DUPLICATE = N_(
    "Vous aviez déjà envoyé exactement cette demande : je ne l'envoie pas une deuxième fois."
)

LANGUAGE_PICK = N_("Choisissez votre langue · Kies uw taal · Choose your language")
LANGUAGE_SET = N_("C'est noté, je vous parle en français.")
# A text typed in another language (flows/engine/switch.py): the button to go on in this one.
KEEP_LANGUAGE = N_("Continuer en français")
# Said to people who chose another language than French: PAT's documents (seeds) are in French.
TEAM_LANGUAGE = N_(
    "Les documents de PAT sont en français ; vous pouvez écrire à l'équipe dans votre langue."
)

# What an empty Telegram chat with the bot shows above the Start button (at most 512
# characters), and its profile and shared-link preview (at most 120).
BOT_DESCRIPTION = N_(
    "Bonjour ! Je suis le robot d'accueil de PAT (Peer And Team support), un service du Smes "
    "créé avec l'asbl En Route. Je réponds aux questions sur la pair-aidance et je transmets "
    "votre demande à l'équipe : formations, accompagnement des organisations, intervisions. "
    "Je suis un programme, pas une personne, et pas un service d'urgence : en cas de danger, "
    "appelez le 112. Contact : pat@smes.be"
)
BOT_SHORT_DESCRIPTION = N_(
    "Robot d'accueil de PAT (Smes) : pair-aidance, formations, accompagnement, intervisions. "
    "Urgence : 112."
)

# Descriptions of the bot's commands in Telegram's command menu.
COMMAND_DESCRIPTIONS = {
    "start": N_("Recommencer depuis le début"),
    "menu": N_("Revenir au menu"),
    "help": N_("Comment ça marche"),
    "privacy": N_("Vos données et vos droits"),
    "cancel": N_("Annuler la demande en cours"),
    "language": N_("Changer de langue"),
    "forget": N_("Effacer mes données"),
    "sos": N_("Besoin d'aide maintenant ? Les numéros d'urgence et d'écoute"),
}

# Where the facts of the texts above come from (flows/sources.py), for `pat-bot sources`.
SOURCES: dict[str, tuple[str, ...]] = {
    CRISIS: ("brief: Crisis and help lines",),
    CRISIS_OTHER: ("brief: Crisis and help lines — worried about someone else",),
    CRISIS_SHELTER: ("brief: Crisis and help lines — nowhere to sleep tonight",),
    CRISIS_OVERDOSE: ("brief: Crisis and help lines — poisoning or overdose",),
    CRISIS_VIOLENCE: ("brief: Crisis and help lines — violence at home, threats",),
    CRISIS_CHILD: ("brief: Crisis and help lines — 112, 101, 103, 102, 1712",),
    HELP_NOW: (
        "brief: Crisis and help lines",
        "brief: Crisis and help lines — a help entry always one tap away",
    ),
    CHECK_SELF: ("brief: Crisis and help lines — 112, 0800 32 123, 107",),
    CHECK_OTHER: ("brief: Crisis and help lines — worried about someone else",),
    NOT_OK: ("brief: Crisis and help lines — 0800 32 123, 107",),
    NOT_OK_OTHER: ("brief: Crisis and help lines — worried about someone else",),
    CRISIS_AFTER: ("brief: Crisis and help lines — not an emergency service",),
    CRISIS_AFTER_OTHER: ("brief: Crisis and help lines — not an emergency service",),
    PRIVACY_CONTROLLER: ("brief: Who and what", "brief: Privacy"),
    PRIVACY_CONTROLLER_ASK: ("brief: Who and what", "brief: Privacy"),
    PRIVACY_WHAT: ("bot", "brief: Privacy — consent, data minimisation, information"),
    PRIVACY_HEALTH: ("bot", "brief: Privacy — special category (GDPR art. 9): explicit consent"),
    PRIVACY_DISTRESS: ("bot",),
    PRIVACY_HANDOFF: ("bot",),
    PRIVACY_HANDOFF_WEB: ("bot",),
    PRIVACY_HANDOFF_DESK: ("bot", "brief: Privacy — Telegram chats"),
    PRIVACY_RECIPIENTS: ("bot",),
    PRIVACY_RECIPIENTS_ASK: ("bot",),
    PRIVACY_TELEGRAM: ("bot", "brief: Privacy — Telegram chats"),
    # That Telegram is a controller of its own and may transfer data outside the EU is in
    # Telegram's privacy policy (telegram.org/privacy), not yet in the brief: PAT confirms it.
    PRIVACY_TELEGRAM_CONTROLLER: ("brief: Privacy — Telegram chats",),
    PRIVACY_WHATSAPP: ("bot",),
    # That WhatsApp (Meta) is a controller of its own and may transfer data outside the EU is
    # in WhatsApp's privacy policy (whatsapp.com/legal), not in the brief: PAT confirms it.
    PRIVACY_WHATSAPP_CONTROLLER: ("WhatsApp's privacy policy (whatsapp.com/legal), to confirm",),
    PRIVACY_WEB: ("bot",),
    PRIVACY_HOW_LONG: ("bot", "brief: Privacy — storage limitation"),
    PRIVACY_MAILBOX_ASK: ("bot",),
    PRIVACY_RIGHTS: ("bot", "brief: Privacy — right to erasure"),
    PRIVACY_RIGHTS_WEB: ("bot", "brief: Privacy — right to erasure"),
    PRIVACY_AUTHORITY: ("brief: Privacy — supervisory authority",),
    CONSENT_TELEGRAM: ("bot",),
    CONSENT_WEB: ("bot",),
    PRIVACY_ART9: ("brief: Privacy — special category (GDPR art. 9)",),
    TEAM_LANGUAGE: ("brief: Who and what",),
    BOT_DESCRIPTION: (
        "brief: Who and what",
        "brief: The three offers",
        "brief: Crisis and help lines",
    ),
    BOT_SHORT_DESCRIPTION: ("brief: Who and what", "brief: Crisis and help lines"),
    HELP: ("bot",),
}
