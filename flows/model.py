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
  Training learns each sentence of an ordinary message as ordinary too
  (``model_train.with_sentences``): a past told in one sentence of a question is no danger.

The model never decides alone that danger is sure: its findings ask the person first (the
*possible* tier); only the lexicon's explicit phrases show the help lines at once.
"""

from __future__ import annotations

import json
import logging
import re
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from flows.language import normalise
from flows.linear import MAX_CHARS, Linear

log = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).resolve().parent / "model" / "distress.json"
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


class Model(Linear):
    """The distress weights (``flows/model_train.py``), with the threshold chosen there."""

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.threshold: float = data["threshold"]

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> Model:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def read_one(self, text: str) -> Reading:
        probs = self.probabilities(text)
        none = self.classes.index("none")
        danger = max((c for c in range(len(probs)) if c != none), key=lambda c: probs[c])
        return Reading(round(1.0 - probs[none], 3), self.classes[danger], text)

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
        words = self.why(reading.text, reading.danger, against="none")
        return Reading(reading.probability, reading.danger, reading.text, words)


@cache
def shipped() -> Model | None:
    """The shipped model, or None when it cannot be read: the lexicon still reads distress
    (a damaged file must not stop the bot that shows the help lines), and the log says so."""
    try:
        return Model.load(MODEL_PATH)
    except (OSError, ValueError, KeyError, TypeError, zlib.error) as exc:
        log.error("the distress model could not be read (%s): the lexicon alone reads", exc)
        return None
