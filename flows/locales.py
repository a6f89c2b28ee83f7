"""The languages of the bot: the one list everything else is derived from.

Adding a language: its code in ``Locale`` below, then its data — a gettext catalog
(``locales/<code>/LC_MESSAGES/messages.po``), its reading data (``flows/lexicon/<code>.yml``)
and its example phrasings in the flow files (``match: examples/keywords: <code>``).
"""

from __future__ import annotations

from typing import Literal, get_args

# French first: it is the reference text (the gettext msgid) and the default language.
Locale = Literal["fr", "nl", "en"]
LOCALES: tuple[Locale, ...] = get_args(Locale)
REFERENCE = LOCALES[0]
