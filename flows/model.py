"""A small learned model of danger in typed text: the second reader beside the lexicon.

The distress lexicon (``flows/distress.py``) is exact and explainable but meets each new
writer's words too late. This model was learned from labelled messages written by several
independent writers (``tests/data/distress/train_*.tsv`` and the older sets; ``make model``
trains it, ``flows/model_train.py``) and generalises to phrasings nobody listed: a linear model
(multinomial logistic regression) over the words, word pairs and letter groups of a text.

- **Pure Python at run time**: the weights are package data (``model/distress.json``); reading
  them needs only the standard library; no download, no heavy dependency.
- **Explainable**: a verdict names the words that weighed most.
- **Long texts**: each sentence is read on its own as well as the whole text, and the most
  worrying reading counts, so danger in the middle of a question about PAT is not drowned.

The model never decides alone that danger is sure: its findings ask the person first (the
*possible* tier); only the lexicon's explicit phrases show the help lines at once.
"""

from __future__ import annotations

import base64
import json
import logging
import math
import re
import zlib
from array import array
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from flows.language import normalise

log = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).resolve().parent / "model" / "distress.json"
MAX_CHARS = 2000  # read up to here (the bot keeps no longer text anyway)
SENTENCE = re.compile(r"(?<=[.!?;…\n])\s+|\s+(?:mais|but|maar|pero)\s+", re.IGNORECASE)


# A single word says too little for the model: weights learned from sentences swing on it
# (a retrained model once read « bonjour » as danger). The lexicon still reads every word.
MIN_WORDS = 2


def readable(text: str) -> bool:
    """Whether the model reads this text at all (the lexicon always does)."""
    return len(normalise(text[:MAX_CHARS]).split()) >= MIN_WORDS


def sentences(text: str) -> list[str]:
    """The sentences of a text read on their own (three words or more); training reads the
    same, so both cut a text alike."""
    return [p for p in SENTENCE.split(text[:MAX_CHARS]) if len(p.split()) >= 3]


def features(text: str) -> list[tuple[str, int]]:
    """The features of a text, each with the word it comes from (index in the words): each
    word, each pair of words, and the groups of 3 to 5 letters of each word."""
    words = normalise(text).split()
    out: list[tuple[str, int]] = []
    for i, word in enumerate(words):
        out.append(("w " + word, i))
        if i:
            out.append(("b " + words[i - 1] + " " + word, i))
        padded = f" {word} "
        for n in (3, 4, 5):
            for start in range(len(padded) - n + 1):
                out.append((padded[start : start + n], i))
    return out


def bucket(feature: str, size: int) -> int:
    """Where a feature's weights are (a stable hash: the same in training and here)."""
    return zlib.crc32(feature.encode("utf-8")) % size


@lru_cache(maxsize=5_000)  # words typed come back often; memory only, never written
def _word_buckets(word: str, size: int) -> frozenset[int]:
    """The buckets of one word's own features (the word, its groups of letters)."""
    return frozenset(bucket(f, size) for f, _ in features(word))


def buckets_of(text: str, size: int) -> set[int]:
    """The buckets of every feature of a text: the same set as hashing ``features(text)``,
    the words' own features remembered from one text to the next."""
    words = normalise(text).split()
    found: set[int] = set()
    for i, word in enumerate(words):
        found |= _word_buckets(word, size)
        if i:
            found.add(bucket("b " + words[i - 1] + " " + word, size))
    return found


@dataclass(frozen=True)
class Reading:
    """The model's verdict on a text: how likely danger is, of what kind, and why."""

    probability: float  # of any danger
    danger: str  # the likeliest kind (a class name other than "none")
    text: str  # the text read (the whole, or the sentence that worried most)
    words: tuple[str, ...] = ()  # the words that weighed most towards danger

    @property
    def reason(self) -> str:
        said = " ".join(f"« {w} »" for w in self.words)
        return f"model {self.probability:.2f} ({self.danger}): {said}".rstrip(": ")


class Model:
    """Weights learned by flows/model_train.py, read from a JSON file."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.classes: list[str] = data["classes"]
        self.size: int = data["buckets"]
        self.threshold: float = data["threshold"]
        self.bias: list[float] = data["bias"]
        self.scale: float = data["scale"]
        # One byte per bucket and class, one flat array per class (2 MiB in all for 2**18
        # buckets): summing a text's buckets is then one C-level pass per class.
        dense = zlib.decompress(base64.b64decode(data["weights"]))
        self.columns = [
            array("b", dense[c * self.size : (c + 1) * self.size]) for c in range(len(self.classes))
        ]
        self.trained_on: str = data.get("trained_on", "")

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> Model:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def probabilities(self, text: str) -> list[float]:
        """The probability of each class for one text."""
        buckets = buckets_of(text, self.size)
        # Trained on the same features, each 1/sqrt(their number) (length-neutral).
        factor = self.scale / (math.sqrt(len(buckets)) or 1.0)
        scores = [
            bias + sum(map(column.__getitem__, buckets)) * factor
            for bias, column in zip(self.bias, self.columns, strict=True)
        ]
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return [e / total for e in exps]

    def read_one(self, text: str) -> Reading:
        probs = self.probabilities(text)
        none = self.classes.index("none")
        danger = max((c for c in range(len(probs)) if c != none), key=lambda c: probs[c])
        return Reading(round(1.0 - probs[none], 3), self.classes[danger], text)

    def why(self, reading: Reading) -> tuple[str, ...]:
        """The words of the text read that weighed most towards its danger, against none."""
        toward = self.columns[self.classes.index(reading.danger)]
        against = self.columns[self.classes.index("none")]
        words = normalise(reading.text).split()
        weight: dict[int, int] = {}
        seen: set[int] = set()
        for at, word in enumerate(words):  # a feature counts for the first word that has it
            own = set(_word_buckets(word, self.size))
            if at:
                own.add(bucket("b " + words[at - 1] + " " + word, self.size))
            own -= seen
            seen |= own
            weight[at] = sum(toward[b] - against[b] for b in own)
        best = sorted((w for w in weight.items() if w[1] > 0), key=lambda kv: -kv[1])[:3]
        return tuple(words[i] for i, _ in sorted(best))

    def read(self, text: str) -> Reading:
        """The whole text and each of its sentences; the most worrying reading (the
        sentences are read only when the whole does not already say danger)."""
        text = text[:MAX_CHARS]
        whole = self.read_one(text)
        pieces = sentences(text)
        if whole.probability >= self.threshold or len(pieces) < 2:
            return whole
        return max([whole, *(self.read_one(p) for p in pieces)], key=lambda r: r.probability)

    def danger(self, text: str) -> Reading | None:
        """The reading when it says danger (above the threshold chosen in training), with
        the words that decided it."""
        return self.explained(self.read(text))

    def explained(self, reading: Reading) -> Reading | None:
        """A reading above the threshold, with its words; None below it."""
        if reading.probability < self.threshold:
            return None
        return Reading(reading.probability, reading.danger, reading.text, self.why(reading))


@cache
def shipped() -> Model | None:
    """The shipped model, or None when it cannot be read: the lexicon still reads distress
    (a damaged file must not stop the bot that shows the help lines), and the log says so."""
    try:
        return Model.load(MODEL_PATH)
    except (OSError, ValueError, KeyError, TypeError, zlib.error) as exc:
        log.error("the distress model could not be read (%s): the lexicon alone reads", exc)
        return None
