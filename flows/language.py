"""The languages the bot reads, and which one a typed text is written in.

Each language has a data file, ``lexicon/<code>.yml``: its Snowball stemmer, its function
words (so common they say nothing about a topic) and the chat spellings people use ("jveux",
"kwil", "wanna"). ``detect`` says which language a text is in: the person's own, unless the
text clearly is in another one. Matching is then scoped to that language, so that the French
« en train » never meets the English keyword "trained".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

from flows.locales import LOCALES

LEXICON_DIR = Path(__file__).resolve().parent / "lexicon"


_NOT_ASCII = re.compile(r"[^\x00-\x7f]")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def _accent_or_space(match: re.Match[str]) -> str:
    return "" if unicodedata.combining(match.group()) else " "


@lru_cache(maxsize=256)  # one text is read by several readers in one turn (bench/nlu.py)
def normalise(text: str) -> str:
    """Lower case, accents removed, only letters and digits separated by single spaces."""
    text = unicodedata.normalize("NFKD", text.casefold())
    # Accents (combining marks) go; any other character outside a-z0-9 separates words.
    text = _NOT_ASCII.sub(_accent_or_space, text)
    return " ".join(_NOT_WORD.sub(" ", text).split())


@dataclass(frozen=True)
class Language:
    """What the bot needs to read one language (from ``lexicon/<code>.yml``)."""

    code: str
    name: str  # in the language itself
    stemmer: str
    function_words: frozenset[str]
    shorthand: dict[str, tuple[str, ...]]
    data: dict[str, Any]  # the rest of the file, e.g. the distress lexicon

    def words(self, text: str) -> list[str]:
        """The normalised words of ``text``, chat spellings written out."""
        return self.expand(normalise(text).split())

    def expand(self, words: list[str]) -> list[str]:
        """Normalised words, chat spellings written out."""
        out: list[str] = []
        for word in words:
            out.extend(self.shorthand.get(word, (word,)))
        return out


@cache
def language(code: str) -> Language:
    raw = yaml.safe_load((LEXICON_DIR / f"{code}.yml").read_text(encoding="utf-8"))
    return Language(
        code=code,
        name=raw["name"],
        stemmer=raw["stemmer"],
        function_words=frozenset(normalise(raw["function_words"]).split()),
        shorthand={normalise(k): tuple(normalise(v).split()) for k, v in raw["shorthand"].items()},
        data=raw,
    )


def detect(text: str | list[str], locale: str | None) -> str | None:
    """The language a text (or its normalised words) is written in: ``locale``, unless the
    text clearly is in another language (more of its function words, at least two, or one
    where the locale has none). Without a locale: the language with the most function words,
    or None when none has any."""
    raw = normalise(text).split() if isinstance(text, str) else text
    counts: dict[str, int] = {}
    for code in LOCALES:
        lang = language(code)
        counts[code] = sum(
            1 for w in raw for x in lang.shorthand.get(w, (w,)) if x in lang.function_words
        )
    best = max(LOCALES, key=lambda code: (counts[code], code == locale))
    if locale is None:
        return best if counts[best] > 0 else None
    ahead = counts[best] > counts[locale]
    if best != locale and ahead and (counts[best] >= 2 or counts[locale] == 0):
        return best
    return locale
