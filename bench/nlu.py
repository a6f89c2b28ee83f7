"""Benchmark of the text classifier: accuracy, crisis recall, false crises, time per message.

    .venv/bin/python bench/nlu.py

Runs on tests/nlu_eval.tsv (the labelled set the flow data was written against) and on
tests/nlu_holdout.tsv (written afterwards, never used for tuning: a check on over-fitting).
Figures are printed, never asserted: tests/flows/test_nlu.py checks the targets.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flows.loader import load_flows  # noqa: E402
from flows.nlu import Classifier, read_labelled  # noqa: E402


def report(name: str, classifier: Classifier, rows: list[tuple[str, str, str]]) -> None:
    right: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    crisis = found = false_crisis = ordinary = 0
    times = []
    for lang, expected, text in rows:
        start = time.perf_counter()
        got = classifier.classify(text, lang).name
        times.append((time.perf_counter() - start) * 1000)
        total[lang] += 1
        right[lang] += got == expected
        if expected == "crisis":
            crisis += 1
            found += got == "crisis"
        else:
            ordinary += 1
            false_crisis += got == "crisis"
    print(f"{name}: {len(rows)} phrasings")
    for lang in sorted(total):
        share = right[lang] / total[lang]
        print(f"  top-1 accuracy {lang}: {share:6.1%}  ({right[lang]}/{total[lang]})")
    print(f"  top-1 accuracy all: {sum(right.values()) / len(rows):6.1%}")
    print(f"  crisis recall: {found}/{crisis}   false-crisis rate: {false_crisis}/{ordinary}")
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"  time per message: mean {statistics.mean(times):.2f} ms, p95 {p95:.2f} ms")


def main() -> None:
    start = time.perf_counter()
    classifier = Classifier.from_flows(load_flows())
    print(f"classifier built in {(time.perf_counter() - start) * 1000:.0f} ms")
    report(
        "labelled set (tests/nlu_eval.tsv)",
        classifier,
        read_labelled(ROOT / "tests" / "nlu_eval.tsv"),
    )
    report(
        "held-out set (tests/nlu_holdout.tsv)",
        classifier,
        read_labelled(ROOT / "tests" / "nlu_holdout.tsv"),
    )


if __name__ == "__main__":
    main()
