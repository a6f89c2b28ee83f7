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
import math
import re
import zlib
from array import array
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from flows.language import normalise

MODEL_PATH = Path(__file__).resolve().parent / "model" / "distress.json"
MAX_CHARS = 2000  # read up to here (the bot keeps no longer text anyway)
_SENTENCE = re.compile(r"(?<=[.!?;…\n])\s+|\s+(?:mais|but|maar|pero)\s+", re.IGNORECASE)


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


@dataclass(frozen=True)
class Reading:
    """The model's verdict on a text: how likely danger is, of what kind, and why."""

    probability: float  # of any danger
    danger: str  # the likeliest kind (a class name other than "none")
    words: tuple[str, ...]  # the words that weighed most towards danger

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
        scale: float = data["scale"]
        index = array("I", base64.b64decode(data["index"]))
        weights = array("b", base64.b64decode(data["weights"]))
        n = len(self.classes)
        self.rows: dict[int, tuple[float, ...]] = {
            b: tuple(w * scale for w in weights[i * n : (i + 1) * n]) for i, b in enumerate(index)
        }
        self.trained_on: str = data.get("trained_on", "")

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> Model:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def _scores(self, text: str) -> tuple[list[float], list[tuple[str, int]], list[str]]:
        feats = features(text)
        scores = list(self.bias)
        seen: set[int] = set()
        for feature, _ in feats:
            b = bucket(feature, self.size)
            if b in seen:
                continue
            seen.add(b)
            row = self.rows.get(b)
            if row is not None:
                for c, w in enumerate(row):
                    scores[c] += w
        norm = math.sqrt(len(seen)) or 1.0
        # Trained on the same features, scaled by 1/sqrt(their number) (length-neutral).
        scores = [self.bias[c] + (s - self.bias[c]) / norm for c, s in enumerate(scores)]
        return scores, feats, normalise(text).split()

    def read_one(self, text: str) -> Reading:
        scores, feats, words = self._scores(text)
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        probs = [e / total for e in exps]
        none = self.classes.index("none")
        danger = max((c for c in range(len(probs)) if c != none), key=lambda c: probs[c])
        # Which words weighed most towards that danger, against "nothing".
        weight: dict[int, float] = {}
        seen: set[int] = set()
        for feature, at in feats:
            b = bucket(feature, self.size)
            row = self.rows.get(b)
            if row is None or b in seen:
                continue
            seen.add(b)
            weight[at] = weight.get(at, 0.0) + row[danger] - row[none]
        best = sorted((w for w in weight.items() if w[1] > 0), key=lambda kv: -kv[1])[:3]
        return Reading(
            round(1.0 - probs[none], 3),
            self.classes[danger],
            tuple(words[i] for i, _ in sorted(best)),
        )

    def read(self, text: str) -> Reading:
        """The whole text and each of its sentences; the most worrying reading."""
        text = text[:MAX_CHARS]
        pieces = [p for p in _SENTENCE.split(text) if len(p.split()) >= 3]
        readings = [self.read_one(text)]
        if len(pieces) > 1:
            readings += [self.read_one(p) for p in pieces]
        return max(readings, key=lambda r: r.probability)

    def danger(self, text: str) -> Reading | None:
        """The reading when it says danger (above the threshold chosen in training)."""
        reading = self.read(text)
        return reading if reading.probability >= self.threshold else None


@cache
def model() -> Model | None:
    """The shipped model, or None before it was ever trained (the lexicon still reads)."""
    return Model.load() if MODEL_PATH.exists() else None
