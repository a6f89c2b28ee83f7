"""The learned topic model: which subject a typed question is about, whoever wrote it.

The flow files' examples and keywords (matched by TF-IDF in ``flows/nlu.py``) meet each new
writer's words too late: on question sets by writers who never saw them, about half of the
questions were understood. This model was learned from labelled questions written by several
independent writers (``tests/data/questions/train_*.tsv``), the older labelled phrasings and
the flow files' own examples (``make model`` trains it, ``flows/topics_train.py``): a linear
model over the same features as the distress model (``flows/linear.py``), package data, pure
Python at run time.

- **Explainable**: a reading names the words that weighed most for its subject.
- **Two subjects in one message**: each sentence is read on its own too; a sentence sure of
  another subject than the whole is the second subject, offered after the answer.
"""

from __future__ import annotations

import json
import logging
import re
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flows.linear import MAX_CHARS, Linear

log = logging.getLogger(__name__)

TOPICS_PATH = Path(__file__).resolve().parent / "model" / "topics.json"
UNKNOWN = "unknown"  # off-topic: greetings alone, jokes, other services
# A sentence, or a clause after "and also", "but", "otherwise": where a second subject starts.
_PIECE = re.compile(
    r"(?<=[.!?;…\n])\s+|\s+(?:et aussi|mais|sinon|aussi|en plus|by the way|but|also|"
    r"and also|otherwise|maar|ook|en ook|verder|trouwens)\s+",
    re.IGNORECASE,
)
SECOND_AT_LEAST = 0.5  # how sure a sentence must be of a second subject to offer it


@dataclass(frozen=True)
class TopicReading:
    """The model's verdict on a text: each subject's probability, best first, and why."""

    ranked: tuple[tuple[str, float], ...]
    words: tuple[str, ...] = ()

    @property
    def best(self) -> tuple[str, float]:
        return self.ranked[0]

    @property
    def reason(self) -> str:
        name, p = self.best
        said = " ".join(f"« {w} »" for w in self.words)
        return f"model {p:.2f} ({name}): {said}".rstrip(": ")


def pieces(text: str) -> list[str]:
    """The sentences and clauses of a text that may carry a subject of their own."""
    return [p for p in _PIECE.split(text[:MAX_CHARS]) if len(p.split()) >= 3]


class Topics(Linear):
    """The topic weights (``flows/topics_train.py``)."""

    @classmethod
    def load(cls, path: Path = TOPICS_PATH) -> Topics:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def read(self, text: str, explain: bool = True) -> TopicReading:
        probs = self.probabilities(text)
        ranked = tuple(
            sorted(
                ((name, round(p, 3)) for name, p in zip(self.classes, probs, strict=True)),
                key=lambda kv: -kv[1],
            )
        )
        words = self.why(text, ranked[0][0], against=ranked[1][0]) if explain else ()
        return TopicReading(ranked, words)

    def probability(self, text: str, name: str) -> float:
        """One subject's probability, to three decimals as ``read`` ranks it (0.0 for a subject
        the model does not know): without ranking the others."""
        if name not in self.classes:
            return 0.0
        return round(self.probabilities(text)[self.classes.index(name)], 3)

    def parts(self, text: str) -> list[tuple[str, float]]:
        """The likeliest subject of each sentence or clause of a longer text (none for a
        text of one piece; off-topic pieces left out)."""
        cut = pieces(text)
        if len(cut) < 2:
            return []
        best = [self.read(part, explain=False).best for part in cut]
        return [(name, p) for name, p in best if name != UNKNOWN]


def second(parts: list[tuple[str, float]], main: str) -> str | None:
    """Another subject a piece of the text is sure enough of (the surest), if any."""
    others = [(p, name) for name, p in parts if name != main and p >= SECOND_AT_LEAST]
    return max(others)[1] if others else None


@cache
def shipped_topics() -> Topics | None:
    """The shipped topic model, or None when it cannot be read (the flow files' examples
    still match; the log says so)."""
    try:
        return Topics.load(TOPICS_PATH)
    except (OSError, ValueError, KeyError, TypeError, zlib.error) as exc:
        log.error("the topic model could not be read (%s): the examples alone match", exc)
        return None
