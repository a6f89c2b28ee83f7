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
write in another language than their chat's), a single word and the concepts found together
("want" + "jump") only in the language the text is written in (``flows/language.py``), so the
English "die" is never the Dutch "die". A sure finding about someone else, or about nobody in
particular, in a general question about practice ("how do we react when a client talks of
hanging himself?") asks first instead, unless it is happening; so does a sure finding told in
the past ("ten years ago I…"), unless it is tonight. The lexicon is ``lexicon/<code>.yml``,
section ``distress``: PAT can read and extend it.

Over 300 lines on purpose: the safety component is reviewed in one read, from the compiled
patterns to the verdict (the learned model beside it is flows/model.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from rapidfuzz import fuzz, process

from flows.engine import About, Danger, Tier
from flows.language import LEXICON_DIR, Language, detect, language, normalise
from flows.locales import LOCALES

# Sure findings first; among them a danger to life before a bed for the night.
_PRIORITY = {
    "overdose": 0,
    "violence": 1,
    "child": 2,
    "act": 3,
    "method": 4,
    "intent": 5,
    "shelter": 6,
    "help": 7,
    "despair": 8,
    "burden": 9,
    "farewell": 10,
    "word": 11,
}
# The kind of danger (its help lines) of each section of the lexicon.
_DANGER: dict[str, Danger] = {
    "act": "selfharm",
    "method": "suicide",
    "intent": "suicide",
    "burden": "suicide",
    "farewell": "suicide",
    "despair": "despair",
    "word": "despair",
    "overdose": "overdose",
    "violence": "violence",
    "child": "child",
    "shelter": "shelter",
    "help": "help",
}
_FUZZY_MIN = 6  # words of this length or more also match with a small typo
_SEEN_WORDS = 50_000  # words remembered with what they match (memory only, never written)
_NOTHING: frozenset[str] = frozenset()  # most words match nothing: one shared empty set
# Words the writers of the training sets use as themselves in ordinary messages, which look
# like another word of the lexicon (« perdre » and « pendre », "homeless" and "hopeless"):
# written by ``make model`` (flows/model_train.py), read as themselves only.
REAL_WORDS_PATH = LEXICON_DIR / "real_words.json"
MAX_CHARS = 4096  # longer texts are read up to here (Telegram's own limit for a message)
# The lists of a lexicon that are not distress phrases themselves.
_CONTEXT = ("idioms", "general", "incident", "past", "urgent")

Slot = tuple[str, ...] | None  # the alternatives at one position; None: a gap of 0-2 words
Found = tuple["_Pattern", int, int]  # a pattern found, from word ``start`` to ``end``


@dataclass(frozen=True)
class Distress:
    """A verdict: who may be in danger, how sure, and the words that decided it."""

    tier: Tier
    about: About
    kind: str
    found: str  # the lexicon entry, as written there
    why: tuple[str, ...] = ()
    past: bool = False  # told as the past ("I used to…"), and nothing says tonight

    @property
    def danger(self) -> Danger:
        return _DANGER.get(self.kind, "despair")

    @property
    def reason(self) -> str:
        return " · ".join((f"{self.tier}, {self.kind}: « {self.found} »", *self.why))


@dataclass(frozen=True, eq=False)
class _Pattern:
    text: str
    slots: tuple[Slot, ...]
    group: str  # "distress", "concept:<name>", or one of _CONTEXT
    kind: str = ""
    tier: Tier = "possible"

    @property
    def words(self) -> int:
        return sum(slot is not None for slot in self.slots)


def _compile(text: str, group: str, kind: str = "", tier: Tier = "possible") -> _Pattern:
    slots = tuple(
        None if token == "*" else tuple(_token(alt) for alt in token.split("|"))
        for token in text.split()
    )
    return _Pattern(text, slots, group, kind, tier)


def _token(word: str) -> str:
    return normalise(word.rstrip("*")).replace(" ", "") + ("*" if word.endswith("*") else "")


def _family(group: str) -> str:
    """The family of a group of patterns: "concept:want" is a "concept"."""
    return group.split(":", 1)[0]


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


def _same_word(word: str, token: str) -> bool:
    """A form of the same word (« attends » of « attend », "overdoses" of "overdose"): they
    share all their letters but the last two of the shorter."""
    stem = token.rstrip("*")
    shorter = min(len(word), len(stem))
    common = next((i for i in range(shorter) if word[i] != stem[i]), shorter)
    return common >= max(4, shorter - 2)


@cache
def real_words() -> dict[str, list[str]]:
    """By language, the real words read as themselves only (REAL_WORDS_PATH)."""
    if not REAL_WORDS_PATH.exists():
        return {}
    words: dict[str, list[str]] = json.loads(REAL_WORDS_PATH.read_text(encoding="utf-8"))["words"]
    return words


def _end(slots: tuple[Slot, ...], matched: list[frozenset[str]], w: int) -> int | None:
    """Where ``slots`` end when they start at word ``w`` (``matched[i]``: the tokens word
    ``i`` matches), or None."""
    for p, slot in enumerate(slots):
        if slot is None:
            for gap in range(3):
                if w + gap <= len(matched):
                    end = _end(slots[p + 1 :], matched, w + gap)
                    if end is not None:
                        return end
            return None
        if w >= len(matched) or matched[w].isdisjoint(slot):
            return None
        w += 1
    return w


class _Lexicon:
    """One language's distress lexicon, compiled, with every pattern indexed by the tokens
    of its first word: a text is checked only against the patterns it could start."""

    def __init__(self, code: str) -> None:
        self.lang: Language = language(code)
        data = self.lang.data["distress"]
        patterns = _patterns(data)
        # Concepts that, all present, are distress: (tier, kind, concept names).
        self.together: list[tuple[Tier, str, tuple[str, ...]]] = [
            (tier, kind, tuple(names.split()))
            for tier in ("sure", "possible")
            for kind, combos in data.get("together", {}).get(tier, {}).items()
            for names in combos
        ]
        # Messages that are only a call for help: the help screen (Detector.asks_for_help).
        self.help = frozenset(normalise(h) for h in data.get("help", []))
        # Messages that start with a call for help (Detector.starts_with_help).
        self.help_start = tuple(normalise(h) for h in data.get("help_start", []))
        # Words of not being well, said with a request for a person (Detector.unwell).
        self.unwell = tuple(normalise(w) for w in data.get("unwell", []))
        self.self_words = frozenset(data["self"].split())
        self.other_words = frozenset(data["other"].split())
        # Real words that look like a typo of a distress word: never read as one.
        self.not_typos = frozenset(data.get("not_typos", "").split())
        # Real words seen in ordinary messages: read as a form of themselves only.
        self.real_words = frozenset(real_words().get(code, ()))
        # By family of groups ("concept:want" is in "concept"), then by token of the first
        # word: a reading looks only at what is asked of it (most texts: idioms, distress).
        self.index: dict[str, dict[str, list[_Pattern]]] = {}
        for pattern in patterns:
            first = next(slot for slot in pattern.slots if slot is not None)
            family = self.index.setdefault(_family(pattern.group), {})
            for token in first:
                family.setdefault(token, []).append(pattern)
        tokens = {t for p in patterns for slot in p.slots if slot for t in slot}
        self._tokens = frozenset(t for t in tokens if not t.endswith("*"))
        self._long: dict[str, list[str]] = {}  # tokens that match with a typo, by first letter
        for token in sorted(t for t in self._tokens if len(t) >= _FUZZY_MIN):
            self._long.setdefault(token[0], []).append(token)
        self._prefixes: dict[str, list[str]] = {}  # by first letter
        for token in sorted(t for t in tokens if t.endswith("*")):
            self._prefixes.setdefault(token[0], []).append(token)
        self._seen: dict[str, frozenset[str]] = {}

    def tokens_of(self, word: str, typos: bool = True) -> frozenset[str]:
        """The lexicon tokens one word matches, with typos or not (worked out once per word:
        the same words come back in many messages)."""
        key = word if typos else f"={word}"
        known = self._seen.get(key)
        if known is None:
            found = self._matches(word, typos and word not in self.not_typos)
            if typos and word in self.real_words:
                found = {t for t in found if not self._only_like(word, t)}
            if len(self._seen) >= _SEEN_WORDS:
                self._seen.clear()
            known = self._seen[key] = frozenset(found) if found else _NOTHING
        return known

    def other_words_like(self, word: str) -> set[str]:
        """The tokens a word matches only as a typo of another word (« perdre » of
        « pendre »), not as itself, a prefix or a form of itself (« attends », « attend »)."""
        return {t for t in self._matches(word, True) if self._only_like(word, t)}

    @staticmethod
    def _only_like(word: str, token: str) -> bool:
        """``word`` matches ``token`` only as a typo of another word."""
        return not _word_matches(token, word, typos=False) and not _same_word(word, token)

    def _matches(self, word: str, typos: bool) -> set[str]:
        found = {word} & self._tokens
        if typos and len(word) >= _FUZZY_MIN:
            same_start = self._long.get(word[0], [])
            found.update(
                t
                for t, _, _ in process.extract(
                    word, same_start, scorer=fuzz.ratio, score_cutoff=80, limit=None
                )
                if _word_matches(t, word)
            )
        # A prefix, or a typo of one, keeps the first letter.
        prefixes = self._prefixes.get(word[:1], ())
        found.update(p for p in prefixes if _word_matches(p, word, typos))
        return found


@dataclass(eq=False)
class _Reading:
    """One text read with one language's lexicon: its words, what each matches, and the
    patterns found, by group (worked out once, on first use)."""

    lex: _Lexicon
    words: list[str]
    typos: bool = True
    matched: list[frozenset[str]] = field(init=False)
    _found: dict[str, list[Found]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.matched = [self.lex.tokens_of(w, self.typos) for w in self.words]

    _families: dict[str, dict[str, list[_Pattern]]] = field(default_factory=dict, init=False)

    def _candidates(self, group: str) -> list[_Pattern]:
        """The patterns of ``group`` whose every word the text contains somewhere."""
        return self._groups(_family(group)).get(group, [])

    def _groups(self, family: str) -> dict[str, list[_Pattern]]:
        """The groups of ``family`` that have candidates, with them (worked out once for the
        whole family)."""
        by_group = self._families.get(family)
        if by_group is None:
            by_group = self._families[family] = {}
            present: frozenset[str] = frozenset().union(*self.matched)
            index = self.lex.index.get(family, {})
            seen: set[int] = set()
            for token in sorted(present):  # the same reason whatever PYTHONHASHSEED
                for pattern in index.get(token, ()):
                    if id(pattern) in seen:
                        continue
                    seen.add(id(pattern))
                    if all(slot is None or not present.isdisjoint(slot) for slot in pattern.slots):
                        by_group.setdefault(pattern.group, []).append(pattern)
        return by_group

    def found(self, group: str) -> list[Found]:
        """The patterns of ``group`` found in the text, each at its first place."""
        known = self._found.get(group)
        if known is None:
            known = self._found[group] = []
            for pattern in self._candidates(group):
                first = next(slot for slot in pattern.slots if slot is not None)
                for start, tokens in enumerate(self.matched):
                    if tokens.isdisjoint(first):
                        continue
                    end = _end(pattern.slots, self.matched, start)
                    if end is not None:
                        known.append((pattern, start, end))
                        break
        return known

    def first(self, group: str) -> str | None:
        found = self.found(group)
        return found[0][0].text if found else None

    def combinations(self) -> list[Found]:
        """Concepts found together ("want" and "jump"): a finding spanning their words."""
        spans: dict[str, tuple[str, int, int]] = {}
        # Only the concepts whose every word the text contains: most texts hold none of the
        # forty or so, and each one tried cost time on every typed text (#24's ratio).
        for group in self._groups("concept"):
            found = self.found(group)
            if found:
                _, start, end = min(found, key=lambda f: f[1])
                name = group.removeprefix("concept:")
                spans[name] = (" ".join(self.words[start:end]), start, end)
        out: list[Found] = []
        if not spans:  # no concept at all: no combination to try
            return out
        for tier, kind, names in self.lex.together:
            if all(name in spans for name in names):
                parts = [spans[name] for name in names]
                text = " + ".join(part for part, _, _ in parts)
                start = min(s for _, s, _ in parts)
                end = max(e for _, _, e in parts)
                out.append((_Pattern(text, (), "distress", kind, tier), start, end))
        return out


def _patterns(data: dict[str, Any]) -> list[_Pattern]:
    """Every phrase of one language's distress lexicon, compiled: the distress phrases of
    each tier and kind, the concepts, and the context groups."""
    patterns = [
        _compile(text, "distress", kind, tier)
        for tier in ("sure", "possible")
        for kind, texts in data[tier].items()
        for text in texts
    ]
    patterns += [
        _compile(text, f"concept:{name}")
        for name, texts in data.get("concepts", {}).items()
        for text in texts
    ]
    return patterns + [_compile(text, group) for group in _CONTEXT for text in data.get(group, [])]


class Detector:
    """Finds distress in typed text (see the module docstring)."""

    def __init__(self, codes: Iterable[str] = LOCALES) -> None:
        self.lexicons = {code: _Lexicon(code) for code in codes}
        # Every language's calls for help that may start a message (starts_with_help).
        calls = [call for lex in self.lexicons.values() for call in lex.help_start]
        self._help_calls = frozenset(calls)
        self._help_starts = tuple(call + " " for call in calls)

    def check(self, text: str, locale: str | None = None) -> Distress | None:
        plain = normalise(text[:MAX_CHARS]).split()
        scoped = detect(plain, locale) or locale
        readings: dict[str, _Reading] = {}
        hits: list[tuple[_Pattern, int, int, _Reading]] = []
        for code, lex in self.lexicons.items():
            words = lex.lang.expand(plain)
            readings[code] = _Reading(lex, words)
            masked = list(words)
            for _, start, end in _Reading(lex, words, typos=False).found("idioms"):
                masked[start:end] = [""] * (end - start)  # its words say nothing of danger
            reading = _Reading(lex, masked) if masked != words else readings[code]
            found = reading.found("distress")
            if code == scoped:
                found = found + reading.combinations()
            else:  # a single word belongs to its own language
                found = [f for f in found if f[0].words > 1]
            hits += [(p, s, e, reading) for p, s, e in found]
        if not hits:
            return None
        pattern, start, end, reading = min(
            hits, key=lambda h: (h[0].tier != "sure", _PRIORITY[h[0].kind], h[1])
        )
        why: list[str] = []
        about, person = self._about(reading, start, end)
        if person:
            why.append(f"{'someone else' if about == 'other' else 'the writer'}: « {person} »")
        tier = pattern.tier
        # The finding's language, then the text's.
        codes = dict.fromkeys(c for c in (reading.lex.lang.code, scoped) if c in readings)
        context = [readings[c] for c in codes]

        def first(group: str) -> str | None:
            return next((r.first(group) for r in context if r.first(group)), None)

        past = first("past") if not first("urgent") else None
        if tier == "sure":
            general = first("general")
            if general and (about == "other" or not person) and not first("incident"):
                tier = "possible"
                why.append(f"a general question: « {general} »")
            elif past:
                tier = "possible"
                why.append(f"told in the past: « {past} »")
        elif past:
            why.append(f"told in the past: « {past} »")
        return Distress(tier, about, pattern.kind, pattern.text, tuple(why), past=bool(past))

    def person(self, text: str, locale: str | None = None) -> tuple[About, str]:
        """Who may be in danger in a text with no lexicon finding (what the model found): a
        word of someone else anywhere, else the writer."""
        plain = normalise(text[:MAX_CHARS]).split()
        code = detect(plain, locale) or locale or next(iter(self.lexicons))
        lex = self.lexicons.get(code) or next(iter(self.lexicons.values()))
        words = lex.lang.expand(plain)
        return self._about(_Reading(lex, words, typos=False), len(words), len(words))

    def unwell(self, text: str) -> str | None:
        """Words of not being well or of having nobody (lexicon ``unwell``, every language):
        with a request for a person, the bot asks first and shows the listening lines."""
        said = f" {' '.join(normalise(text[:MAX_CHARS]).split())} "
        for lex in self.lexicons.values():
            found = next((w for w in lex.unwell if f" {w} " in said), None)
            if found:
                return found
        return None

    def asks_for_help(self, text: str) -> bool:
        """A message that is only a call for help (« sos », « au secours », "help me"): the help
        screen, whatever else the bot understood (lexicon ``help``, every language)."""
        said = " ".join(normalise(text[:200]).split())
        return any(said in lex.help for lex in self.lexicons.values())

    def starts_with_help(self, text: str) -> bool:
        """A message that starts with a call for help, whatever follows (« SOS aidez-moi »,
        "help, I need someone"): lexicon ``help_start``, every language."""
        said = " ".join(normalise(text[:200]).split())
        return said in self._help_calls or said.startswith(self._help_starts)

    @staticmethod
    def _about(reading: _Reading, start: int, end: int) -> tuple[About, str]:
        """A person word among the words found decides; else the nearest one before them;
        else a word of someone else anywhere; else it is the writer."""
        lex, words = reading.lex, reading.words
        for word in (*words[start:end], *reversed(words[max(0, start - 8) : start])):
            if word in lex.other_words:
                return "other", word
            if word in lex.self_words:
                return "self", word
        for word in words:
            if word in lex.other_words:
                return "other", word
        return "self", ""
