"""The labelled sets both learned models are trained on, read alike (developers only: ``make
model``; the bot never imports this file).

Sets are TSV files, one message per line, ``#`` for comments. A text that is also in a
held-out set (``tests/data/*/holdout_*.tsv``, plus any given) is never trained on, so that the
held-out figures stay honest; the digest of the rows trained on is stored with the weights, and
a test checks that the shipped weights are up to date.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
Row = tuple[str, str, str, str]  # writer, lang, label, text


def lines(path: Path) -> list[list[str]]:
    """The fields of each line of a labelled set."""
    return [
        line.split("\t")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]


def without_held_out(rows: list[Row], also: Iterable[Path] = ()) -> list[Row]:
    """The rows whose text is in no held-out set (two writers sometimes type the same short
    message)."""
    paths = [*(ROOT / "tests" / "data").glob("*/holdout_*.tsv"), *also]
    held_out = {fields[-1] for path in paths for fields in lines(path)}
    return [row for row in rows if row[3] not in held_out]


def folds(writers: Iterable[str], count: int = 10) -> dict[str, int]:
    """Cross-validation by writer: each writer's fold (0 to count - 1), writers taken in
    order of name and dealt out in turn. Leaving out a tenth of the writers at a time instead
    of one writer at a time: ten trainings instead of sixty (``make model`` took an hour)."""
    return {writer: i % count for i, writer in enumerate(sorted(set(writers)))}


def digest(rows: list[Row]) -> str:
    """What weights were trained on (a test checks that they are up to date)."""
    text = "\n".join("\t".join(r) for r in rows)
    return f"{len(rows)} messages, sha256 {hashlib.sha256(text.encode()).hexdigest()[:16]}"
