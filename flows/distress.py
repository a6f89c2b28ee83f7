"""Distress detection: the safety component, checked before anything else a person types.

``Detector.check(text, locale)`` returns a verdict, or None when nothing suggests danger:

- **tier** ``sure`` (an explicit wish to die, a method, an act in progress, nowhere to sleep
  tonight): the help lines at once; ``possible`` (despair, farewell, feeling a burden, a
  distress word in an ambiguous sentence): one direct question first.
- **about** ``self`` or ``other``: who may be in danger, from the person words of the language
  (``me``/``se``, ``myself``/``himself``, ``mezelf``/``zichzelf``, a colleague, a patient…).
- **why**: the lexicon entry found and the words that set the tier and the person, so every
  verdict can be explained and every miss fixed in the data, not in the code.

Rules, in order: everyday expressions ("mort de rire", "this deadline is killing me") are
taken out first; a phrase of several words is looked for in every language (a person may
write in another language than their chat's), a single word only in the language the text is
written in (``flows/language.py``), so the English "die" is never the Dutch "die". A sure
finding about someone else in a general, professional question ("how do we react when a
client talks of hanging himself?") asks first instead, unless it is happening now; so does a
sure finding told in the past ("ten years ago I…"). The lexicon is ``lexicon/<code>.yml``,
section ``distress``: PAT can read and extend it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from flows.engine import About, Tier
from flows.language import Language, detect, language, normalise
from flows.locales import LOCALES

# Sure findings first; among them a danger to life before a bed for the night.
_PRIORITY = {
    "act": 0,
    "method": 1,
    "intent": 2,
    "shelter": 3,
    "despair": 4,
    "burden": 5,
    "farewell": 6,
    "word": 7,
}
_FUZZY_MIN = 6  # words of this length or more also match with a small typo
_SEEN_WORDS = 50_000  # words remembered with what they match (memory only, never written)

Slot = tuple[str, ...] | None  # the alternatives at one position; None: a gap of 0-2 words
_Read = tuple[list[str], list[frozenset[str]]]  # a text's words, and the tokens each matches
MAX_CHARS = 4096  # longer texts are read up to here (Telegram's own limit for a message)


@dataclass(frozen=True)
class Distress:
    """A verdict: who may be in danger, how sure, and the words that decided it."""

    tier: Tier
    about: About
    kind: str
    found: str  # the lexicon entry, as written there
    why: tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        return " · ".join((f"{self.tier}, {self.kind}: « {self.found} »", *self.why))


@dataclass(frozen=True)
class _Pattern:
    text: str
    slots: tuple[Slot, ...]
    kind: str = ""
    tier: Tier = "possible"

    @property
    def first(self) -> tuple[str, ...]:
        return next(slot for slot in self.slots if slot is not None)


class _Patterns:
    """Patterns indexed by the tokens of their first word: a text is only checked against
    the few patterns whose first word it contains."""

    def __init__(self, patterns: Iterable[_Pattern]) -> None:
        self.all = list(patterns)
        self.by_first: dict[str, list[_Pattern]] = {}
        for pattern in self.all:
            for token in pattern.first:
                self.by_first.setdefault(token, []).append(pattern)

    def candidates(self, present: frozenset[str]) -> list[_Pattern]:
        found = {id(p): p for t in present for p in self.by_first.get(t, ())}
        return list(found.values())


def _compile(text: str, kind: str = "", tier: Tier = "possible") -> _Pattern:
    slots: list[Slot] = []
    for token in text.split():
        if token == "*":
            slots.append(None)
        else:
            slots.append(tuple(_token(alt) for alt in token.split("|")))
    return _Pattern(text, tuple(slots), kind, tier)


def _token(word: str) -> str:
    return normalise(word.rstrip("*")).replace(" ", "") + ("*" if word.endswith("*") else "")


def _word_matches(token: str, word: str, typos: bool = True) -> bool:
    """``pre*``: a prefix; shorter words exactly; longer ones also with a small typo that
    keeps the first letter ("mourrir", but "nourrir" is not "mourir")."""
    if token.endswith("*"):
        prefix = token[:-1]
        if word.startswith(prefix):
            return True
        return (
            typos
            and len(prefix) >= _FUZZY_MIN - 1
            and word[:1] == prefix[:1]
            and fuzz.ratio(word[: len(prefix)], prefix) >= 80
        )
    if word == token:
        return True
    return (
        typos
        and len(token) >= _FUZZY_MIN
        and len(word) >= _FUZZY_MIN
        and word[0] == token[0]
        and abs(len(word) - len(token)) <= 2
        and fuzz.ratio(token, word) >= 80
    )


def _spans(pattern: _Pattern, words: list[str], matched: list[frozenset[str]]) -> Iterator[int]:
    """Start and end of each place where ``pattern`` is found (``matched[i]``: the tokens
    word ``i`` matches)."""
    slots = pattern.slots

    def walk(p: int, w: int) -> int | None:
        if p == len(slots):
            return w
        slot = slots[p]
        if slot is None:
            for gap in range(3):
                if w + gap <= len(words):
                    end = walk(p + 1, w + gap)
                    if end is not None:
                        return end
            return None
        if w < len(words) and not matched[w].isdisjoint(slot):
            return walk(p + 1, w + 1)
        return None

    for start in range(len(words)):
        end = walk(0, start)
        if end is not None:
            yield start
            yield end
            return


@dataclass(eq=False)
class _Lexicon:
    """One language's distress lexicon, compiled."""

    lang: Language
    patterns: _Patterns  # every distress pattern: for the text's own language
    phrases: _Patterns  # those of several words: for any language
    concepts: dict[str, _Patterns]  # words that mean one thing ("die", "jump", "bridge")
    together: list[tuple[Tier, str, tuple[str, ...]]]  # concepts that, all present, are distress
    idioms: _Patterns
    general: _Patterns  # a question about practice…
    incident: _Patterns  # …unless it is happening
    past: _Patterns  # told in the past…
    urgent: _Patterns  # …unless it is tonight
    self_words: frozenset[str]
    other_words: frozenset[str]
    not_typos: frozenset[str]  # real words that look like a typo of a distress word
    _tokens: frozenset[str] = field(init=False)
    _long: tuple[str, ...] = field(init=False)
    _prefixes: dict[str, tuple[str, ...]] = field(init=False)  # by first letter
    _seen: dict[str, frozenset[str]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        lists = (
            self.patterns,
            self.idioms,
            self.general,
            self.incident,
            self.past,
            self.urgent,
            *self.concepts.values(),
        )
        every = [p for patterns in lists for p in patterns.all]
        tokens = {t for p in every for slot in p.slots if slot for t in slot}
        self._tokens = frozenset(t for t in tokens if not t.endswith("*"))
        self._long = tuple(sorted(t for t in self._tokens if len(t) >= _FUZZY_MIN))
        prefixes: dict[str, list[str]] = {}
        for token in sorted(t for t in tokens if t.endswith("*")):
            prefixes.setdefault(token[0], []).append(token)
        self._prefixes = {letter: tuple(group) for letter, group in prefixes.items()}

    @classmethod
    def load(cls, code: str) -> _Lexicon:
        lang = language(code)
        data = lang.data["distress"]
        patterns = [
            _compile(text, kind, tier)
            for tier in ("sure", "possible")
            for kind, texts in data[tier].items()
            for text in texts
        ]

        def plain(key: str) -> _Patterns:
            return _Patterns(_compile(text) for text in data.get(key, []))

        return cls(
            lang=lang,
            concepts={
                name: _Patterns(_compile(text) for text in texts)
                for name, texts in data.get("concepts", {}).items()
            },
            together=[
                (tier, kind, tuple(names.split()))
                for tier in ("sure", "possible")
                for kind, combos in data.get("together", {}).get(tier, {}).items()
                for names in combos
            ],
            patterns=_Patterns(patterns),
            phrases=_Patterns(p for p in patterns if sum(s is not None for s in p.slots) > 1),
            idioms=plain("idioms"),
            general=plain("general"),
            incident=plain("incident"),
            past=plain("past"),
            urgent=plain("urgent"),
            self_words=frozenset(data["self"].split()),
            other_words=frozenset(data["other"].split()),
            not_typos=frozenset(data.get("not_typos", "").split()),
        )

    def tokens_of(self, word: str, typos: bool = True) -> frozenset[str]:
        """The lexicon tokens one word matches, with typos or not (worked out once per word:
        the same words come back in many messages)."""
        key = word if typos else f"={word}"
        known = self._seen.get(key)
        if known is None:
            typos = typos and word not in self.not_typos
            found = {word} & self._tokens
            if typos and len(word) >= _FUZZY_MIN:
                found.update(
                    t
                    for t, _, _ in process.extract(
                        word, self._long, scorer=fuzz.ratio, score_cutoff=80, limit=None
                    )
                    if _word_matches(t, word)
                )
            # A prefix, or a typo of one, keeps the first letter.
            same_start = self._prefixes.get(word[:1], ())
            found.update(p for p in same_start if _word_matches(p, word, typos))
            if len(self._seen) >= _SEEN_WORDS:
                self._seen.clear()
            known = self._seen[key] = frozenset(found)
        return known

    def find(
        self, patterns: _Patterns, words: list[str], matched: list[frozenset[str]]
    ) -> Iterator[tuple[_Pattern, int, int]]:
        present: frozenset[str] = frozenset().union(*matched)
        for pattern in patterns.candidates(present):
            if all(slot is None or not present.isdisjoint(slot) for slot in pattern.slots):
                span = list(_spans(pattern, words, matched))
                if span:
                    yield pattern, span[0], span[1]

    def combinations(
        self, words: list[str], matched: list[frozenset[str]]
    ) -> Iterator[tuple[_Pattern, int, int]]:
        """Concepts found together ("will" and "jump"): a finding spanning their words."""
        found: dict[str, tuple[str, int, int]] = {}
        for name, patterns in self.concepts.items():
            for _, start, end in self.find(patterns, words, matched):
                found[name] = (" ".join(words[start:end]), start, end)
                break
        for tier, kind, names in self.together:
            if all(name in found for name in names):
                parts = [found[name] for name in names]
                text = " + ".join(part for part, _, _ in parts)
                yield (
                    _Pattern(text, (), kind, tier),
                    min(start for _, start, _ in parts),
                    max(end for _, _, end in parts),
                )


class Detector:
    """Finds distress in typed text (see the module docstring)."""

    def __init__(self, codes: Iterable[str] = LOCALES) -> None:
        self.lexicons = {code: _Lexicon.load(code) for code in codes}

    def check(self, text: str, locale: str | None = None) -> Distress | None:
        plain = normalise(text[:MAX_CHARS]).split()
        scoped = detect(plain, locale) or locale
        read: dict[str, _Read] = {}
        for code, lex in self.lexicons.items():
            words = lex.lang.expand(plain)
            read[code] = (words, [lex.tokens_of(w) for w in words])
        hits: list[tuple[_Pattern, int, int, _Lexicon, list[str]]] = []
        for code, lex in self.lexicons.items():
            words, matched = list(read[code][0]), list(read[code][1])
            exact = [lex.tokens_of(w, typos=False) for w in words]
            for _, start, end in lex.find(lex.idioms, words, exact):
                for i in range(start, end):  # an everyday expression: its words say nothing
                    words[i], matched[i] = "", frozenset()
            candidates = lex.patterns if code == scoped else lex.phrases
            hits.extend((p, s, e, lex, words) for p, s, e in lex.find(candidates, words, matched))
            if code == scoped:
                found = lex.combinations(words, matched)
                hits.extend((p, s, e, lex, words) for p, s, e in found)
        if not hits:
            return None
        pattern, start, end, lex, words = min(
            hits, key=lambda h: (h[0].tier != "sure", _PRIORITY[h[0].kind], h[1])
        )
        why: list[str] = []
        about, person = self._about(words, start, end, lex)
        if person:
            why.append(f"{'someone else' if about == 'other' else 'the writer'}: « {person} »")
        tier = pattern.tier
        if tier == "sure":
            context = [lex, self.lexicons.get(scoped or "", lex)]
            general = _context(context, "general", read)
            past = _context(context, "past", read)
            if general and (about == "other" or not person):
                if not _context(context, "incident", read):
                    tier = "possible"
                    why.append(f"a general question: « {general} »")
            elif past and not _context(context, "urgent", read):
                tier = "possible"
                why.append(f"told in the past: « {past} »")
        return Distress(tier, about, pattern.kind, pattern.text, tuple(why))

    @staticmethod
    def _about(words: list[str], start: int, end: int, lex: _Lexicon) -> tuple[About, str]:
        """A person word among the words found decides; else the nearest one before them;
        else a word of someone else anywhere; else it is the writer."""
        for word in (*words[start:end], *reversed(words[max(0, start - 8) : start])):
            if word in lex.other_words:
                return "other", word
            if word in lex.self_words:
                return "self", word
        for word in words:
            if word in lex.other_words:
                return "other", word
        return "self", ""


def _context(lexicons: list[_Lexicon], key: str, read: dict[str, _Read]) -> str | None:
    """The first phrase of list ``key`` (general, incident, past, urgent) in the text."""
    for lex in dict.fromkeys(lexicons):  # the finding's language, then the text's
        words, matched = read[lex.lang.code]
        for pattern, _, _ in lex.find(getattr(lex, key), words, matched):
            return pattern.text
    return None
