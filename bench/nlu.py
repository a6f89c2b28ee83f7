"""Benchmark of what the bot understands of typed text: distress first, then topics.

    .venv/bin/python bench/nlu.py

Distress, per language, on tests/distress_eval.tsv (the labelled set the lexicon was fixed
against) and tests/distress_holdout.tsv (written afterwards by another writer, never used to
tune: a check on over-fitting): recall (sure or possible) on distress, sure alarms on
look-alikes, who is in danger, and time per message. Topics: accuracy on tests/nlu_eval.tsv
and tests/nlu_holdout.tsv. Figures are printed, never asserted; tests check the targets
(recall 100 % and sure alarms ≤ 5 % on the labelled set, see tests/flows/test_distress.py).
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
from flows.locales import LOCALES  # noqa: E402
from flows.nlu import Classifier, read_labelled  # noqa: E402


def read_distress(path: Path) -> list[list[str]]:
    return [
        line.split("\t")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]


def percent(part: int, whole: int) -> str:
    return f"{part / whole:6.1%} ({part}/{whole})" if whole else "     -"


def distress_report(name: str, classifier: Classifier, rows: list[list[str]]) -> None:
    print(f"{name}: {len(rows)} messages")
    for lang in LOCALES:
        found = total = sure_alarms = lookalikes = about_right = others = explicit_sure = 0
        explicit = 0
        times: list[float] = []
        again: list[float] = []
        for row_lang, expected, about, kind, text in rows:
            if row_lang != lang:
                continue
            start = time.perf_counter()
            got = classifier.crisis(text, lang)
            times.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            classifier.crisis(text, lang)  # its words are known now, as most words are
            again.append((time.perf_counter() - start) * 1000)
            if expected == "distress":
                total += 1
                found += got is not None
                if about == "other":
                    others += 1
                    about_right += got is not None and got.about == "other"
                if kind != "indirect":
                    explicit += 1
                    explicit_sure += got is not None and got.tier == "sure"
            else:
                lookalikes += 1
                sure_alarms += got is not None and got.tier == "sure"
        if not times:
            continue
        times.sort()
        print(
            f"  {lang}: recall {percent(found, total)}   sure alarms on look-alikes "
            f"{percent(sure_alarms, lookalikes)}   'someone else' recognised "
            f"{percent(about_right, others)}   "
            f"explicit found sure {percent(explicit_sure, explicit)}"
        )
        print(
            f"      time per message: words never seen {statistics.mean(times):.3f} ms "
            f"(p95 {times[int(len(times) * 0.95) - 1]:.3f}), "
            f"seen before {statistics.mean(again):.3f} ms"
        )


def topics_report(name: str, classifier: Classifier, rows: list[tuple[str, str, str]]) -> None:
    right: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    times = []
    for lang, expected, text in rows:
        start = time.perf_counter()
        got = classifier.classify(text, lang).name
        times.append((time.perf_counter() - start) * 1000)
        total[lang] += 1
        right[lang] += got == expected
    print(f"{name}: {len(rows)} phrasings")
    for lang in sorted(total):
        print(f"  top-1 accuracy {lang}: {percent(right[lang], total[lang])}")
    print(f"  top-1 accuracy all: {percent(sum(right.values()), len(rows))}")
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"  time per message: mean {statistics.mean(times):.2f} ms, p95 {p95:.2f} ms")


def main() -> None:
    start = time.perf_counter()
    classifier = Classifier.from_flows(load_flows())
    classifier.classify("bonjour", "fr")  # lazily loaded library data, as the bot's settle()
    print(f"classifier built in {(time.perf_counter() - start) * 1000:.0f} ms")
    for name, file in (("labelled", "distress_eval.tsv"), ("held-out", "distress_holdout.tsv")):
        path = ROOT / "tests" / file
        if path.exists():
            distress_report(f"distress, {name} set (tests/{file})", classifier, read_distress(path))
    for name, file in (("labelled", "nlu_eval.tsv"), ("held-out", "nlu_holdout.tsv")):
        rows = read_labelled(ROOT / "tests" / file)
        topics_report(f"topics, {name} set (tests/{file})", classifier, rows)


if __name__ == "__main__":
    main()
