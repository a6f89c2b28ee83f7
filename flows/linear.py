"""A linear model over the words of a text, in pure Python: what the two learned readers share.

The distress model (``flows/model.py``) and the topic model (``flows/topics.py``) are both
multinomial logistic regressions learned by ``make model`` from labelled sets written by
independent writers. They read the same features of a text, hashed into buckets:

- each word (``w word``), each pair of neighbouring words (``b first second``);
- the groups of 3 to 5 letters of each word (`` pe``, ``peu``, ``eux ``…), which carry
  spelling variants, missing accents and typos.

A text's features are its words' own features and its word pairs, each word and pair once
(a word said again adds nothing), scaled by 1/sqrt(their number) (length-neutral). A word's
summed weights for every class are worked out once and remembered (the same words come back
in many messages); a text's scores are then one C-level pass over its words' sums and its
pairs' rows (``bench/nlu.py`` prints the time; the targets are under 1 ms per message for
distress, under 2 ms for the whole reading).

The weights are package data (JSON, one byte per class for each bucket that has a weight,
compressed): reading them needs only the standard library; training needs scikit-learn, a dev
dependency. Only the buckets with a weight are kept (the topic model uses 63,000 of its 262,144
buckets), with a table from each bucket to its row (1 MiB per model): about 4.5 MiB in memory for
both models instead of 9.2 MiB for full tables of weights, which keeps ``bench/run.py`` under its
memory target (RSS < 120 MB). The table replaced a bisection over the kept buckets' numbers:
a word read for the first time costs half as much (#23: under 1 ms per message).
"""

from __future__ import annotations

import base64
import math
import sys
import zlib
from array import array
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from flows.language import normalise

MAX_CHARS = 2000  # read up to here (the bot keeps no longer text anyway)
# Per model; memory only, never written. The held-out distress sets (1,800 messages) hold
# 5,300 different words: with room for 5,000, the table was emptied before words came back.
# About 300 bytes a word: 3 MB per model when full.
_WORDS_REMEMBERED = 10_000


def word_features(word: str) -> list[str]:
    """One word's own features: the word, and its groups of 3 to 5 letters."""
    padded = f" {word} "
    out = ["w " + word]
    for n in (3, 4, 5):
        out.extend(padded[start : start + n] for start in range(len(padded) - n + 1))
    return out


def features(text: str) -> list[tuple[str, int]]:
    """Every feature of a text, each with the word it comes from (index in the words); a
    word or a pair of words said again adds nothing (« bonjour » a million times is one)."""
    words = normalise(text).split()
    out: list[tuple[str, int]] = []
    for i, (word, pair) in enumerate(_firsts(words)):
        if word:
            out.extend((f, i) for f in word_features(word))
        if pair:
            out.append((pair, i))
    return out


def _firsts(words: list[str]) -> list[tuple[str, str]]:
    """For each word: itself unless said before, its pair with the word before unless said
    before ("" for either when it was)."""
    seen: set[str] = set()
    out = []
    for i, word in enumerate(words):
        pair = f"b {words[i - 1]} {word}" if i else ""
        out.append(("" if word in seen else word, "" if pair in seen else pair))
        seen.update((word, pair))
    return out


def bucket(feature: str, size: int) -> int:
    """Where a feature's weights are (a stable hash: the same in training and here)."""
    return zlib.crc32(feature.encode("utf-8")) % size


@lru_cache(maxsize=5_000)  # words come back often; shared by both models; memory only
def _word_buckets(word: str, size: int) -> Sequence[int]:
    """The buckets of one word's own features (worked out once per word; an array, not a
    tuple of ints: a third of the memory of 5,000 remembered words)."""
    return array("I", [bucket(f, size) for f in word_features(word)])


class Linear:
    """Weights learned by ``flows/model_train.py``: for each bucket, one byte per class."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.classes: list[str] = data["classes"]
        self.size: int = data["buckets"]
        self.bias: list[float] = data["bias"]
        self.scale: float = data["scale"]
        self.trained_on: str = data.get("trained_on", "")
        # The weights of the buckets that have one, for every class side by side, bucket by
        # bucket: a feature's weights are one slice, and a word's or a text's totals one
        # C-level pass (``map(sum, zip(…))``). ``_where[bucket]`` is 1 + the bucket's row, 0
        # for a bucket without weights.
        index = array("I", _unpacked(data["index"]))  # written little-endian
        if sys.byteorder == "big":
            index.byteswap()
        self._where = array("I", bytes(4 * self.size))
        for row, at in enumerate(index, start=1):
            self._where[at] = row
        self.rows = memoryview(_unpacked(data["weights"])).cast("b")
        self._nothing = memoryview(bytes(len(self.classes))).cast("b")
        self._words: dict[str, tuple[Sequence[int], int]] = {}

    def _row(self, at: int) -> memoryview:
        """The weights of bucket ``at`` for every class (zeros for a bucket without)."""
        row = self._where[at]
        if not row:
            return self._nothing
        k = len(self.classes)
        return self.rows[(row - 1) * k : row * k]

    def _word(self, word: str) -> tuple[Sequence[int], int]:
        """One word's own features: their summed weights per class (remembered, as an array of
        integers, a third of the memory of a list), and how many they are."""
        known = self._words.get(word)
        if known is None:
            if len(self._words) >= _WORDS_REMEMBERED:
                self._words.clear()
            buckets = _word_buckets(word, self.size)
            rows = [self._row(at) for at in buckets]
            sums = array("i", map(sum, zip(*rows, strict=True)))
            known = self._words[word] = (sums, len(buckets))
        return known

    def _by_word(self, text: str) -> tuple[list[str], list[Sequence[int]]]:
        """The words of a text and the summed weights per class of each (its own features
        and the pair it makes with the word before), for ``why``."""
        words = normalise(text[:MAX_CHARS]).split()
        nothing = (0,) * len(self.classes)
        sums: list[Sequence[int]] = []
        for word, pair in _firsts(words):
            own = self._word(word)[0] if word else nothing
            if pair:
                own = tuple(map(sum, zip(own, self._row(bucket(pair, self.size)), strict=True)))
            sums.append(own)
        return words, sums

    def scores(self, text: str) -> list[float]:
        """The score of each class for one text (before the softmax): the words' remembered
        sums and the pairs' rows added in one pass."""
        parts: list[Sequence[int]] = []
        count = 0
        for word, pair in _firsts(normalise(text[:MAX_CHARS]).split()):
            if word:
                sums, features = self._word(word)
                parts.append(sums)
                count += features
            if pair:
                parts.append(self._row(bucket(pair, self.size)))
                count += 1
        if not parts:
            return list(self.bias)
        factor = self.scale / math.sqrt(count)
        totals = map(sum, zip(*parts, strict=True))
        return [bias + total * factor for bias, total in zip(self.bias, totals, strict=True)]

    def probabilities(self, text: str) -> list[float]:
        """The probability of each class for one text."""
        scores = self.scores(text)
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return [e / total for e in exps]

    def why(self, text: str, toward: str, against: str) -> tuple[str, ...]:
        """The (up to three) words of a text that weighed most towards one class rather than
        another, in the order of the text."""
        one, other = self.classes.index(toward), self.classes.index(against)
        words, sums = self._by_word(text)
        weight = {i: own[one] - own[other] for i, own in enumerate(sums)}
        best = sorted((w for w in weight.items() if w[1] > 0), key=lambda kv: -kv[1])[:3]
        return tuple(words[i] for i, _ in sorted(best))


def export(
    classes: list[str], size: int, coef: Any, intercept: Any, **extra: object
) -> dict[str, object]:
    """Weights (numpy arrays, one row per class) quantised to one byte per bucket and class,
    bucket by bucket, only the buckets with a weight (their numbers beside), compressed."""
    import numpy as np

    scale = float(np.abs(coef).max()) / 127
    quantised = np.clip(np.round(coef / scale), -127, 127).astype(np.int8).T
    kept = np.flatnonzero(quantised.any(axis=1))
    return {
        "classes": classes,
        "buckets": size,
        "bias": [round(float(b), 5) for b in intercept],
        "scale": scale,
        "index": _packed(kept.astype("<u4").tobytes()),
        "weights": _packed(quantised[kept].tobytes()),
        **extra,
    }


def _packed(raw: bytes) -> str:
    return base64.b64encode(zlib.compress(raw, 9)).decode("ascii")


def _unpacked(text: str) -> bytes:
    return zlib.decompress(base64.b64decode(text))


def matrix(texts: list[str], size: int) -> Any:
    """The features of many texts as a scipy matrix (training): counted, 1/sqrt(number)."""
    from collections import Counter

    from scipy.sparse import csr_matrix

    indptr, indices, values = [0], [], []
    for text in texts:
        found = features(text[:MAX_CHARS])
        counts = Counter(bucket(f, size) for f, _ in found)
        weight = 1.0 / math.sqrt(len(found)) if found else 0.0
        for at in sorted(counts):
            indices.append(at)
            values.append(counts[at] * weight)
        indptr.append(len(indices))
    return csr_matrix((values, indices, indptr), shape=(len(texts), size))
