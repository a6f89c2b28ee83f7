"""Understanding what people type: distress first, then a FAQ topic or an offer.

Light and explainable, no model download:
1. Distress: ``flows/distress.py`` (the safety component), checked before anything else.
2. Language: the text is read in the person's language, or in the language it is clearly
   written in (``flows/language.py``); only that language's examples and keywords count.
3. Intents: every FAQ topic and offer declares example phrasings and keywords in the flow files.
   Each language is stemmed with its Snowball stemmer, function words are dropped, and words not
   in the vocabulary are corrected to the closest known stem (rapidfuzz), so typos still match.
   The score of an intent is the TF-IDF cosine to its closest example, raised when one of its
   keywords is present; the answer says which example or keyword matched.

Over 300 lines on purpose: the Classifier is where every reader meets (the lexicon, the two
learned models, the flow examples, calls for help and erasure asked in words), and the order
in which they are asked is itself the safety rule, so it is read in one place.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import snowballstemmer
from rapidfuzz import fuzz, process

from flows.distress import Detector
from flows.engine import DANGERS, HIGH, HUMAN, MEDIUM, Danger, Intent
from flows.language import detect, language, normalise
from flows.loader import FlowSet
from flows.locales import LOCALES
from flows.model import Model, readable, shipped
from flows.schema import Matching
from flows.topics import UNKNOWN, Topics, second, shipped_topics

# The help lines at once ("sure") only when both readers agree: the lexicon's explicit phrase,
# and the model at least this sure (a short explicit message: not against it). Chosen by
# cross-validation by writer over the training writers only (grouped 5-fold, the shipped
# model's settings): 3 sure alarms of 1,440 look-alikes (58 with the earlier rule), 537 of
# 619 sure findings in danger stay sure; the others get the check, which shows 112 and the
# listening lines at once too.
SURE_AGREES = 0.9
SHORT = 6  # words
# An example or keyword of the flow files this close to the text wins over the model (PAT's
# additions count at once, before any retraining).
EXAMPLE_OVERRIDES = 0.8
# "I want a person" this likely is answered as such (cross-validation by writer over the
# question writers: 151 of 155 requests for a person, 20 other questions of 2,968 taken for one;
# fourth session, 16 writers: 266 of 270, 59 of 4,024; 0.25 would lose 3 requests for 11).
PERSON_AT_LEAST = 0.2
# A person asked for, in words the distress model gives at least this, or with words of not
# being well (lexicon ``unwell``): asked first (the check shows the listening lines). Plain
# requests for a person read 0.01-0.21 ("i want to talk to someone"); "nobody listens to me"
# 0.44.
LONELY = 0.3
# At a typed question (a name, an organisation) the text is most likely the answer: a request
# for a person there only this likely. Sixth session's model: « humain » 0.97, "een mens aub"
# 0.96, « une vraie personne » 0.99; the names « Personne 12 » 0.84, "John Human" 0.88 (0.8
# until then, when « Personne 12 » read 0.50).
PERSON_AT_INPUT = 0.9
# What a text that tells of danger is otherwise about, at least this likely (the danger's
# words take the rest): offered as "did you mean" once the person says it was a question.
# 0.3 since the fourth session's model read "life is not worth living" as 0.27 "brings".
OTHERWISE_AT_LEAST = 0.3
# A typed request to erase one's data (a verb and a thing of the lexicon, in a short text):
# the erasure's confirmation, as /forget. Its name as an intent (understanding.py acts on it).
ERASE = "erase"
ERASE_AT_MOST = 20  # words: longer is a story, not a request


def _agrees(text: str, probability: float) -> bool:
    short = len(text.split()) <= SHORT
    return probability >= SURE_AGREES or (short and probability >= 0.5)


@lru_cache(maxsize=1)
def _erase_words() -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    """Per language, the verbs and the things of a request to erase one's data."""
    return tuple(
        (
            frozenset(normalise(str(language(code).data.get("erase_verbs", ""))).split()),
            frozenset(normalise(str(language(code).data.get("erase_things", ""))).split()),
        )
        for code in LOCALES
    )


@lru_cache(maxsize=1)
def _person_phrases() -> tuple[str, ...]:
    """Words of a request for a person (lexicon ``ask_person``), every language's: people
    who want a human often switch to the words they know."""
    return tuple(
        f" {normalise(phrase)} "
        for code in LOCALES
        for phrase in str(language(code).data.get("ask_person", "")).split(",")
        if phrase.strip()
    )


def asks_for_person(text: str) -> str | None:
    """The first words of a request for a person found in the text, if any."""
    padded = f" {normalise(text[:2000])} "
    return next((p.strip() for p in _person_phrases() if p in padded), None)


@lru_cache(maxsize=len(LOCALES))
def _stemmer(lang: str) -> Any:
    return snowballstemmer.stemmer(language(lang).stemmer)


@lru_cache(maxsize=20_000)
def _stem(word: str, lang: str) -> str:
    return str(_stemmer(lang).stemWord(word))


def stems(text: str, lang: str) -> list[str]:
    reading = language(lang)
    return [_stem(w, lang) for w in reading.words(text) if w not in reading.function_words]


def read_labelled(path: Path) -> list[tuple[str, str, str]]:
    """A labelled set: lines "lang<TAB>expected intent<TAB>text"; # starts a comment."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            lang, expected, text = line.split("\t")
            rows.append((lang, expected, text))
    return rows


# -- intents ------------------------------------------------------------------------------------


_CORRECTIONS_REMEMBERED = 10_000  # per language; memory only


@dataclass
class _Language:
    """Vocabulary, IDF and example vectors of one language."""

    idf: dict[str, float] = field(default_factory=dict)
    by_initial: dict[str, list[str]] = field(default_factory=dict)
    examples: list[tuple[str, str, dict[str, float]]] = field(default_factory=list)
    postings: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    keywords: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)
    corrected: dict[str, str] = field(default_factory=dict)  # typo -> known stem, remembered


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

    def __init__(
        self,
        intents: dict[str, Matching],
        distress: Detector,
        danger: Model | None = None,
        topics: Topics | None = None,
    ) -> None:
        self.distress = distress
        self.model = danger
        self.topics = topics
        self.intents = sorted(intents)
        self.languages: dict[str, _Language] = {}
        for lang in LOCALES:
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
    def from_flows(cls, flows: FlowSet, distress: Detector | None = None) -> Classifier:
        return cls(flows.intents(), distress or Detector(), shipped(), shipped_topics())

    def _correct(self, terms: list[str], model: _Language) -> list[str]:
        """Unknown stems (typos) replaced by the closest known one, when close enough."""
        out = []
        for term in terms:
            if term in model.idf or len(term) < 5:
                out.append(term)
                continue
            known = model.corrected.get(term)
            if known is None:
                if len(model.corrected) >= _CORRECTIONS_REMEMBERED:
                    model.corrected.clear()
                same_start = model.by_initial.get(term[0], [])
                best = process.extractOne(term, same_start, scorer=fuzz.ratio, score_cutoff=84)
                known = model.corrected[term] = best[0] if best else term
            out.append(known)
        return out

    def scores(self, text: str, lang: str | None = None) -> dict[str, tuple[float, str]]:
        """Score and reason (the closest example or keyword) of every intent, in the language
        the text is written in (every language, when neither it nor ``lang`` is known)."""
        best: dict[str, tuple[float, str]] = {}
        written_in = detect(text, lang)
        for code, model in self.languages.items():
            if written_in is not None and code != written_in:
                continue
            terms = self._correct(stems(text, code), model)
            if not terms:
                continue
            present = set(terms)
            query = _vector(terms, model.idf)
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
                if score > best.get(name, (0.0, ""))[0]:
                    best[name] = (round(score, 3), why)
        return best

    def classify(self, text: str, lang: str | None = None) -> Intent:
        """Distress first, then a FAQ topic or an offer. Someone asking for a person to talk
        to, in words the distress model reads as somewhat worrying (« j'ai besoin de parler
        à quelqu'un, je vais pas bien »), is asked first, with the listening lines."""
        crisis = self.crisis(text, lang)
        erase = self.asks_to_erase(text)
        if crisis is not None and not (erase and self._model_only(crisis, text, lang)):
            return crisis
        if erase:  # « ik wil mijn gegevens wissen »: the model's « ik wil » alone is no danger
            return Intent(ERASE, 1.0, reason="asks to erase their data")
        topic = self.topic(text, lang)
        if topic.name == HUMAN:
            worry = self.model.read(text).probability if self.model and readable(text) else 0.0
            unwell = self.distress.unwell(text)
            if worry >= LONELY or unwell:
                about, _ = self.distress.person(text, lang)
                why = (
                    f"possible, a person asked for and « {unwell} »"
                    if unwell
                    else (f"possible, a person asked for and model {worry:.2f}")
                )
                return Intent(
                    "crisis",
                    1.0,
                    reason=why,
                    tier="possible",
                    about=about,
                    danger="despair",
                    then=topic,
                )
        return topic

    def crisis(self, text: str, lang: str | None = None) -> Intent | None:
        """The ``crisis`` intent when the text may tell of danger, with what kind of danger
        and what the text is otherwise about (``then``: answered once the person goes back,
        or says it was a question for their work).

        Two readers: the lexicon's explicit phrases (sure or possible, flows/distress.py),
        then the learned model (flows/model.py), whose findings always ask first."""
        if self.distress.asks_for_help(text):
            return Intent("crisis", 1.0, reason="a call for help", tier="sure", danger="help")
        found = self.distress.check(text, lang)
        read = self.model.read(text) if self.model is not None and readable(text) else None
        reading = self.model.explained(read) if self.model and read else None
        if found is not None and found.tier == "possible" and found.past and reading is None:
            found = None  # a story told in the past, and the model reads no danger either
        if found is None and reading is None:
            return self._call_for_help(text, lang)
        then = self.topic(text, lang, otherwise=True)
        if found is not None:
            tier, about, reason, danger = found.tier, found.about, found.reason, found.danger
            if tier == "sure" and read is not None and not _agrees(text, read.probability):
                # An explicit phrase the model does not read as danger too (a story told, a
                # work question, an idiom): ask first rather than alarm; the check shows 112
                # and the listening lines at once, so a person in danger loses no time.
                tier = "possible"
                reason = "possible (the model did not agree), " + reason.removeprefix("sure, ")
            # The lexicon's general words, the model's more precise kind (its own lines).
            if reading is not None and danger in ("despair", "suicide", "selfharm"):
                danger = _danger(reading.danger, danger)
                reason = f"{reason} · {reading.reason}"
        else:
            assert reading is not None
            about, person = self.distress.person(text, lang)
            tier, danger = "possible", _danger(reading.danger, "despair")
            reason = f"possible, {reading.reason}"
            if person:
                who = "someone else" if about == "other" else "the writer"
                reason += f" · {who}: « {person} »"
        return Intent(
            "crisis",
            1.0,
            reason=reason,
            tier=tier,
            about=about,
            danger=danger,
            then=then if then.name != "unknown" else None,
        )

    def asks_to_erase(self, text: str) -> bool:
        """A short text asking to erase one's own data, in any language (lexicon
        ``erase_verbs`` and ``erase_things``, and a word of the writer: « mes », "my")."""
        words = set(normalise(text[:300]).split())
        if not words or len(words) > ERASE_AT_MOST:
            return False
        mine = any(words & lex.self_words for lex in self.distress.lexicons.values())
        return mine and any(words & verbs and words & things for verbs, things in _erase_words())

    def _model_only(self, crisis: Intent, text: str, lang: str | None) -> bool:
        """Whether only the learned model asks (no phrase of the lexicon, no call for help)."""
        return crisis.tier == "possible" and self.distress.check(text, lang) is None

    def _call_for_help(self, text: str, lang: str | None) -> Intent | None:
        """« SOS je vais mal », "help, I need someone": a message that starts with a call for
        help, in which nothing else tells of danger, gets the help screen, unless it is a
        clear question about something else ("help writing the job description")."""
        if not self.distress.starts_with_help(text):
            return None
        topic = self.topic(text, lang)
        if topic.name not in (UNKNOWN, HUMAN) and topic.level == "high":
            return None
        return Intent(
            "crisis", 1.0, reason="starts with a call for help", tier="sure", danger="help"
        )

    def topic(self, text: str, lang: str | None = None, *, otherwise: bool = False) -> Intent:
        """The FAQ topic or offer the text is about, or ``unknown``: the learned model's
        reading, unless an example of the flow files matches closely (what PAT adds there
        counts at once); a second subject of a long text in ``also``. ``otherwise``: the text
        tells of danger, and what it is otherwise about may be in one sentence only (the
        danger in the others takes the whole's words)."""
        examples = self.scores(text, lang)
        if self.topics is None or not text.strip():
            return self._ranked(examples)
        # Beside a danger, what the text is otherwise about needs no words (#23: time per message).
        reading = self.topics.read(text, explain=not otherwise)
        said = reading.reason
        combined = {name: (p, said) for name, p in reading.ranked}
        for name, (score, why) in examples.items():
            is_example = not why.startswith("«")  # keywords: the model learned them already
            if is_example and score >= EXAMPLE_OVERRIDES and score > combined[name][0]:
                combined[name] = (score, f"example « {why} »")
        person = combined.get(HUMAN, (0.0, ""))[0]
        if person >= PERSON_AT_LEAST:
            # Asking for a person is the one request never to miss: answered at once.
            why = f"a person asked for, model {person:.2f}"
            return Intent(HUMAN, max(person, HIGH), reason=why)
        words = asks_for_person(text)
        others = [p for name, (p, _) in combined.items() if name not in (HUMAN, UNKNOWN)]
        if words and max(others, default=0.0) < HIGH:
            # Words of a request for a person, and no other subject sure: a person.
            return Intent(HUMAN, HIGH, reason=f"a person asked for: « {words} »")
        intent = self._ranked(combined)
        if otherwise and intent.level == "high":
            return intent  # beside a danger no second subject is offered: no sentence read
        parts = self.topics.parts(text)
        if otherwise and intent.name == UNKNOWN:
            likely = [(p, name) for name, p in parts if p >= MEDIUM]
            likely += [(p, name) for name, p in intent.alternatives if p >= OTHERWISE_AT_LEAST]
            if likely:  # asked about ("did you mean") once the person says it was a question
                p, name = max(likely)
                why = f"model {p:.2f} ({name}), beside the danger"
                return Intent(name, max(p, MEDIUM), reason=why)
        sure_parts = [(name, p) for name, p in parts if p >= HIGH]
        if intent.level != "high" and sure_parts:
            # A long text unsure as a whole, its sentences sure: the whole's likeliest subject
            # if one of them says it, else the first one's (people lead with what they ask).
            name, p = next((s for s in sure_parts if s[0] == intent.name), sure_parts[0])
            intent = Intent(name, p, reason=f"model {p:.2f} ({name}), one sentence")
        if intent.level != "high":
            return intent
        return replace(intent, also=second(parts, intent.name))

    def person(self, text: str, lang: str | None = None) -> Intent | None:
        """The ``human`` intent when the text surely asks for a person, else None (at a typed
        question, where the text is most likely the answer: « Personne 12 » is a name)."""
        if self.topics is None:
            return None
        p = self.topics.probability(text, HUMAN)
        if p < PERSON_AT_INPUT:
            return None
        return Intent(HUMAN, max(p, HIGH), reason=f"a person asked for, model {p:.2f}")

    def _ranked(self, scores: dict[str, tuple[float, str]]) -> Intent:
        """The best-scored intent, with its runners-up, or ``unknown``."""
        ranked = sorted(
            ((n, s) for n, s in scores.items() if n != UNKNOWN), key=lambda kv: -kv[1][0]
        )
        off_topic = scores.get(UNKNOWN, (0.0, ""))[0]
        if not ranked or ranked[0][1][0] < MEDIUM or off_topic > ranked[0][1][0]:
            alternatives = tuple((n, s) for n, (s, _) in ranked[:3] if s >= 0.2)
            return Intent("unknown", ranked[0][1][0] if ranked else 0.0, alternatives)
        (name, (score, why)), rest = ranked[0], ranked[1:]
        alternatives = tuple((n, s) for n, (s, _) in rest[:2] if s >= MEDIUM * 0.8)
        # Two intents almost tied: not sure enough to act alone.
        if score >= HIGH and alternatives and alternatives[0][1] > score - 0.05:
            score = round(min(score, HIGH - 0.01), 3)
        return Intent(name, score, alternatives, reason=why)


def _danger(name: str, default: Danger) -> Danger:
    for known in DANGERS:
        if known == name:
            return known
    return default
