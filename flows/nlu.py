"""Understanding what people type: crisis first, then a FAQ topic or an offer.

Light and explainable, no model download:
1. Normalise: lower case, no accents, apostrophes and hyphens as spaces ("s'il" → "s il").
2. Crisis: the lexicon in ``lexicon/crisis.yml`` (stems and phrases, with exclusions), small
   typos tolerated in longer phrases. Checked before anything else.
3. Intents: every FAQ topic and offer declares example phrasings and keywords in the flow files.
   Each language is stemmed with its Snowball stemmer, stopwords are dropped, and words not in
   the vocabulary are corrected to the closest known stem (rapidfuzz), so typos still match.
   The score of an intent is the TF-IDF cosine to its closest example, raised when one of its
   keywords is present; the answer says which example or keyword matched.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import snowballstemmer
import yaml
from rapidfuzz import fuzz, process

from flows.engine import Intent
from flows.loader import FlowSet
from flows.schema import Matching, MatchLocale

LANGS: tuple[MatchLocale, ...] = ("fr", "nl", "en")
LEXICON = Path(__file__).resolve().parent / "lexicon" / "crisis.yml"
HIGH = 0.62
MEDIUM = 0.36

_STEMMERS = {"fr": "french", "nl": "dutch", "en": "english"}
_STOPWORDS = {
    "fr": set(
        "a ai as au aux avec c ca ce ces cet cette d dans de des du elle elles en est et etre "
        "eu il ils j je l la le les leur lui m ma mais me mes moi mon n ne nos notre nous on ou "
        "par pas pour qu que s sa se ses si son sont sur t ta te tes toi ton tu un une vos "
        "votre vous y est-ce ont peut faut bien tres aussi comme plus sera serait avez avons "
        "suis es sommes etes fait faire chez".split()
    ),
    "nl": set(
        "de het een en of in op aan van voor met bij is zijn ben bent was waren wordt worden "
        "ik je jij u we wij ze zij hij het dit dat die deze er om te tot als dan maar ook nog "
        "al wel niet geen mijn jouw uw ons onze hun haar zijn zo heel kan kunnen moet moeten "
        "wil willen hebben heeft heb jullie me mij weer".split()
    ),
    "en": set(
        "a an the and or of in on at to for with by from is are was were be been being am i "
        "you he she it we they me my your our their his her its this that these those there "
        "do does did have has had can could would should will shall may might not no so very "
        "too also just about as if than then into".split()
    ),
}


def normalise(text: str) -> str:
    """Lower case, accents removed, only letters and digits separated by single spaces."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


@lru_cache(maxsize=3)
def _stemmer(lang: str) -> Any:
    return snowballstemmer.stemmer(_STEMMERS[lang])


@lru_cache(maxsize=20_000)
def _stem(word: str, lang: str) -> str:
    return str(_stemmer(lang).stemWord(word))


def stems(text: str, lang: str) -> list[str]:
    return [_stem(w, lang) for w in normalise(text).split() if w not in _STOPWORDS[lang]]


def read_labelled(path: Path) -> list[tuple[str, str, str]]:
    """A labelled set: lines "lang<TAB>expected intent<TAB>text"; # starts a comment."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            lang, expected, text = line.split("\t")
            rows.append((lang, expected, text))
    return rows


# -- crisis -------------------------------------------------------------------------------------


@lru_cache(maxsize=50_000)  # the same words come back in many messages
def _word_matches(pattern: str, word: str) -> bool:
    """``dor*``: a prefix; short words exactly; longer ones with a typo or two (fuzzy ≥ 80)."""
    if pattern.endswith("*"):
        prefix = pattern[:-1]
        return word.startswith(prefix) or (
            len(prefix) >= 4 and fuzz.ratio(word[: len(prefix)], prefix) >= 80
        )
    if len(pattern) < 5:
        return word == pattern
    return word == pattern or fuzz.ratio(pattern, word) >= 80


def phrase_in(pattern: tuple[str, ...], words: list[str]) -> bool:
    """Whether the words of ``pattern`` appear in order in ``words`` (``*``: 0-2 words)."""

    def match(p: int, w: int) -> bool:
        if p == len(pattern):
            return True
        if pattern[p] == "*":
            return any(match(p + 1, w + gap) for gap in range(3) if w + gap <= len(words))
        return w < len(words) and _word_matches(pattern[p], words[w]) and match(p + 1, w + 1)

    return any(match(0, start) for start in range(len(words)))


def _compile_phrase(phrase: str) -> tuple[str, tuple[str, ...], frozenset[str]]:
    words = tuple(
        w if w == "*" else normalise(w.rstrip("*")) + "*" * w.endswith("*") for w in phrase.split()
    )
    return phrase, words, frozenset(w for w in words if w != "*")


_SEEN_WORDS = 50_000  # words remembered with their verdict (memory only, never written out)


@dataclass(frozen=True)
class CrisisLexicon:
    stems: tuple[str, ...]
    # (phrase, its pattern words, the pattern words it needs: a cheap first filter)
    phrases: tuple[tuple[str, tuple[str, ...], frozenset[str]], ...]
    exceptions: tuple[str, ...]
    # word -> (the stem it starts with, or None; the pattern words it matches)
    _seen: dict[str, tuple[str | None, frozenset[str]]] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    # pattern words by kind, for _word: short ones exactly, long ones fuzzily, prefixes
    _short: frozenset[str] = field(init=False, compare=False, repr=False)
    _long: tuple[str, ...] = field(init=False, compare=False, repr=False)
    _prefixes: tuple[str, ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        words = {w for _, pattern, _ in self.phrases for w in pattern if w != "*"}
        plain = {w for w in words if not w.endswith("*")}
        object.__setattr__(self, "_short", frozenset(w for w in plain if len(w) < 5))
        object.__setattr__(self, "_long", tuple(sorted(w for w in plain if len(w) >= 5)))
        object.__setattr__(self, "_prefixes", tuple(sorted(words - plain)))

    @classmethod
    def load(cls, path: Path = LEXICON) -> CrisisLexicon:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        phrases = [p for lang in LANGS for p in data["phrases"].get(lang, [])]
        return cls(
            stems=tuple(normalise(s) for s in data["stems"]),
            phrases=tuple(_compile_phrase(p) for p in phrases),
            exceptions=tuple(normalise(e) for e in data.get("except", [])),
        )

    def _word(self, word: str) -> tuple[str | None, frozenset[str]]:
        """What one word can start: a stem hit, and the pattern words it matches (people's
        words come back in many messages, so each is worked out once)."""
        known = self._seen.get(word)
        if known is None:
            stem = next(
                (
                    s
                    for s in self.stems
                    # a typo in a long word: "suicde", "zelfmorod"
                    if word.startswith(s)
                    or (len(word) >= 6 and fuzz.ratio(word[: len(s) + 1], s) >= 83)
                ),
                None,
            )
            # The same verdicts as _word_matches, a pattern kind at a time.
            found = {word} & self._short
            found.update(
                p
                for p, _, _ in process.extract(
                    word, self._long, scorer=fuzz.ratio, score_cutoff=80, limit=None
                )
            )
            found.update(p for p in self._prefixes if _word_matches(p, word))
            patterns = frozenset(found)
            if len(self._seen) >= _SEEN_WORDS:
                self._seen.clear()
            known = self._seen[word] = (stem, patterns)
        return known

    def match(self, text: str) -> str | None:
        """The lexicon entry found in ``text``, or None."""
        norm = f" {normalise(text)} "
        for exception in self.exceptions:
            norm = norm.replace(f" {exception} ", " ")
        words = norm.split()
        matched: set[str] = set()
        for word in words:
            stem, patterns = self._word(word)
            if stem is not None:
                return stem
            matched |= patterns
        if not matched:
            return None
        for phrase, pattern, needed in self.phrases:
            if needed <= matched and phrase_in(pattern, words):
                return phrase
        return None


# -- intents ------------------------------------------------------------------------------------


@dataclass
class _Language:
    """Vocabulary, IDF and example vectors of one language."""

    idf: dict[str, float] = field(default_factory=dict)
    by_initial: dict[str, list[str]] = field(default_factory=dict)
    examples: list[tuple[str, str, dict[str, float]]] = field(default_factory=list)
    postings: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    keywords: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)


def _vector(terms: Iterable[str], idf: dict[str, float]) -> dict[str, float]:
    """TF-IDF, normalised. Words unknown to the vocabulary count in the norm (as rare words):
    a sentence mostly about something else must not score high on one shared word."""
    counts = Counter(terms)
    rare = max(idf.values(), default=1.0)
    weights = {t: (1 + math.log(c)) * idf.get(t, rare) for t, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
    return {t: v / norm for t, v in weights.items() if t in idf}


class Classifier:
    """Maps a typed text to ``crisis``, a FAQ topic, an offer, or ``unknown``."""

    def __init__(self, intents: dict[str, Matching], lexicon: CrisisLexicon) -> None:
        self.lexicon = lexicon
        self.intents = sorted(intents)
        self.languages: dict[str, _Language] = {}
        for lang in LANGS:
            docs: list[tuple[str, str, list[str]]] = []
            model = _Language()
            for name, matching in intents.items():
                examples = matching.examples.get(lang, [])
                keywords = matching.keywords.get(lang, [])
                for example in examples:
                    docs.append((name, example, stems(example, lang)))
                for keyword in keywords:
                    terms = tuple(stems(keyword, lang))
                    if terms:
                        model.keywords.append((name, keyword, terms))
                        docs.append((name, keyword, list(terms)))
            df = Counter(t for _, _, terms in docs for t in set(terms))
            # A keyword is a strong cue only if one of its stems belongs to few intents
            # ("rechute"), not if all of them are everywhere ("pair aidant", "team").
            owners: dict[str, set[str]] = {}
            for name, _, doc_terms in docs:
                for t in doc_terms:
                    owners.setdefault(t, set()).add(name)
            model.keywords = [
                (name, kw, terms)
                for name, kw, terms in model.keywords
                if any(len(owners.get(t, ())) <= 3 for t in terms)
            ]
            model.idf = {t: math.log(1 + len(docs) / n) for t, n in df.items()}
            for term in sorted(model.idf):
                model.by_initial.setdefault(term[0], []).append(term)
            model.examples = [(name, text, _vector(terms, model.idf)) for name, text, terms in docs]
            for index, (_, _, vec) in enumerate(model.examples):
                for term, weight in vec.items():
                    model.postings.setdefault(term, []).append((index, weight))
            self.languages[lang] = model

    @classmethod
    def from_flows(cls, flows: FlowSet, lexicon: CrisisLexicon | None = None) -> Classifier:
        return cls(flows.intents(), lexicon or CrisisLexicon.load())

    def _correct(self, terms: list[str], model: _Language) -> list[str]:
        """Unknown stems (typos) replaced by the closest known one, when close enough."""
        out = []
        for term in terms:
            if term in model.idf or len(term) < 5:
                out.append(term)
                continue
            same_start = model.by_initial.get(term[0], [])
            best = process.extractOne(term, same_start, scorer=fuzz.ratio, score_cutoff=84)
            out.append(best[0] if best else term)
        return out

    def scores(self, text: str, lang: str | None = None) -> dict[str, tuple[float, str]]:
        """Score and reason (the closest example or keyword) of every intent."""
        best: dict[str, tuple[float, str]] = {}
        for code, model in self.languages.items():
            terms = self._correct(stems(text, code), model)
            if not terms:
                continue
            present = set(terms)
            query = _vector(terms, model.idf)
            lang_weight = 1.0 if lang in (None, code) else 0.97
            # Stems of another language's words are noise: how much of the text this
            # language's vocabulary explains is part of its score.
            per_intent: dict[str, tuple[float, str]] = {}
            dots: dict[int, float] = {}
            for term, q_weight in query.items():  # only examples sharing a term with the text
                for index, d_weight in model.postings.get(term, ()):
                    dots[index] = dots.get(index, 0.0) + q_weight * d_weight
            for index, sim in dots.items():
                name, example, _ = model.examples[index]
                if sim > per_intent.get(name, (0.0, ""))[0]:
                    per_intent[name] = (sim, example)
            for name, keyword, kterms in model.keywords:
                if set(kterms) <= present:
                    sim, why = per_intent.get(name, (0.0, ""))
                    boosted = min(1.0, max(sim, 0.3) + 0.35)
                    if boosted > sim:
                        per_intent[name] = (boosted, f"« {keyword} »")
            for name, (score, why) in per_intent.items():
                score *= lang_weight
                if score > best.get(name, (0.0, ""))[0]:
                    best[name] = (round(score, 3), why)
        return best

    def classify(self, text: str, lang: str | None = None) -> Intent:
        crisis = self.lexicon.match(text)
        if crisis is not None:
            return Intent("crisis", 1.0, (), reason=crisis)
        ranked = sorted(self.scores(text, lang).items(), key=lambda kv: -kv[1][0])
        if not ranked or ranked[0][1][0] < MEDIUM:
            alternatives = tuple((n, s) for n, (s, _) in ranked[:3] if s >= 0.2)
            return Intent("unknown", ranked[0][1][0] if ranked else 0.0, alternatives)
        (name, (score, why)), rest = ranked[0], ranked[1:]
        alternatives = tuple((n, s) for n, (s, _) in rest[:2] if s >= MEDIUM * 0.8)
        # Two intents almost tied: not sure enough to act alone.
        if score >= HIGH and alternatives and alternatives[0][1] > score - 0.05:
            score = round(min(score, HIGH - 0.01), 3)
        return Intent(name, score, alternatives, reason=why)
