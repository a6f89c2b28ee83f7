"""What a WhatsApp text alone means before the engine reads it: a command's word, « stop », or
a greeting.

- WhatsApp has no command menu: a command's word typed alone is the command (« effacer »,
  « wissen », "forget", « menu », « aide »…, with or without "/").
- « STOP » alone is what people write on WhatsApp to stop a sender's messages: they are told,
  in one line, that the bot writes only when they write, and how to erase what it keeps.
- A greeting alone (« Bonjour », "Hello PAT", « Goedendag ! ») as a first message is answered by
  the welcome; any other first message is read as a message after the welcome.
"""

from __future__ import annotations

import re

from bot.channels.whatsapp.webhook import Incoming
from bot.conversation.commands import COMMANDS
from bot.conversation.render import fold, parse_callback
from flows.engine import Choice, Command, CommandName, Event, Text
from flows.texts import N_

# Commands typed as a word (COMMANDS' words, and the ones French and Dutch speakers try).
WORDS: dict[str, CommandName] = {
    **COMMANDS,
    "effacer": "forget",
    "wissen": "forget",
    "langue": "language",
    "taal": "language",
    "annuler": "cancel",
    "annuleren": "cancel",
    "vie privee": "privacy",
}
STOP_WORDS = frozenset({"stop", "stoppen", "arret", "arreter", "unsubscribe"})
STOP_LINE = N_(
    "Je ne vous écris que quand vous m'écrivez, ou au sujet d'une demande que vous avez "
    "envoyée. Si vous avez choisi « Ici, dans ce chat », une personne de l'équipe PAT peut "
    "aussi vous répondre ici ; le bouton « Terminer » y met fin. Pour effacer vos réponses et "
    "vos coordonnées, écrivez « effacer »."
)
# Greetings, and the words that go with them (« Bonjour madame », "Hi there PAT").
GREETINGS = frozenset(
    "bonjour bonsoir salut coucou hello hallo hi hey hoi dag goedendag goeiedag goedemorgen "
    "goedemiddag goedenavond morning evening allo yo".split()
)
WITH_GREETINGS = GREETINGS | frozenset(
    "good goede a tous toutes vous madame monsieur mevrouw meneer iedereen there all "
    "everyone pat la l equipe team ca va".split()
)
MAX_GREETING = 40  # characters: a longer text says more than hello


def event_of(message: Incoming) -> Event:
    if message.kind == "choice":
        return parse_callback(message.text) or Choice("_unknown", turn=-1)
    word = fold(message.text.strip().removeprefix("/"))
    name = WORDS.get(word)
    return Command(name) if name is not None else Text(message.text)


def is_stop(message: Incoming) -> bool:
    return message.kind == "text" and fold(message.text) in STOP_WORDS


def is_greeting(event: Event) -> bool:
    """A short text of greeting words only (« Bonjour ! », "hello PAT", « Salut à tous »)."""
    if not isinstance(event, Text) or len(event.text.strip()) > MAX_GREETING:
        return False
    words = re.findall(r"[a-z]+", fold(event.text))
    return bool(words) and set(words) <= WITH_GREETINGS and any(w in GREETINGS for w in words)
