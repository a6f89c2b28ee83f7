"""Benchmark of what the bot understands of typed text: distress first, then topics.

    .venv/bin/python bench/nlu.py

Distress, per language and per set (the lexicon and the learned model together, exactly as
the bot reads a text): recall (either tier) on messages where someone is in danger, *sure*
alarms on look-alikes, how often the danger check is asked of ordinary work questions (the
question sets), and time per message. Two kinds of figures, never mixed:

- **held-out** (``tests/data/*/holdout_*.tsv``): writers briefed only with situations, styles
  and languages, whose sets were never read to tune the lexicon or train the model — the
  honest measure of what a new writer gets;
- **trained on** (``tests/data/*/train_*.tsv`` and the older ``tests/*.tsv``): what the model
  learned from and the lexicon was fixed against; high by construction.

Subjects (flows/topics.py with the flow files' examples): top-1 per language and per set of
question writers, "talk to a person" recall, the rate of "not understood", the second subject
of two-subject messages, time per message; held-out and trained-on sets apart again. The older
labelled phrasings last. First of all, the distress reading's time per message on every
held-out message, read for the first time and again. Figures are printed, never asserted.
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

DATA = ROOT / "tests" / "data"


def rows_of(path: Path) -> list[list[str]]:
    return [
        line.split("\t")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]


def percent(part: int, whole: int) -> str:
    return f"{part / whole:6.1%} ({part}/{whole})" if whole else "     -"


def timed(classifier: Classifier, text: str, lang: str) -> tuple[object, float]:
    start = time.perf_counter()
    got = classifier.crisis(text, lang)
    return got, (time.perf_counter() - start) * 1000


def time_report(classifier: Classifier, rows: list[list[str]]) -> None:
    """The distress reading's time per message, every held-out distress message read once
    when nothing is remembered yet (words read for the first time: stems, typos, weights), then
    once more (the same words come back in many messages). The first of all readings."""
    for when in ("first read (nothing remembered)", "read again"):
        times = sorted(timed(classifier, row[-1], row[0])[1] for row in rows)
        print(
            f"distress reading, {len(rows)} held-out messages, {when}: mean "
            f"{statistics.mean(times):.2f} ms, p50 {times[len(times) // 2]:.2f} ms, "
            f"p95 {times[int(len(times) * 0.95) - 1]:.2f} ms"
        )


def distress_report(name: str, classifier: Classifier, rows: list[list[str]]) -> None:
    """Rows "lang, expected, about, situation or kind, text"."""
    print(f"{name}: {len(rows)} messages")
    for lang in LOCALES:
        found = total = alarms = lookalikes = sure = kind_right = kinds = 0
        times: list[float] = []
        missed: dict[str, int] = defaultdict(int)
        for row_lang, expected, _about, situation, text in rows:
            if row_lang != lang:
                continue
            got, ms = timed(classifier, text, lang)
            times.append(ms)
            tier = getattr(got, "tier", None)
            if expected == "distress":
                total += 1
                found += got is not None
                sure += tier == "sure"
                if got is None:
                    missed[situation] += 1
                if got is not None and situation in ("overdose", "violence", "child", "shelter"):
                    kinds += 1
                    kind_right += getattr(got, "danger", None) == situation
            else:
                lookalikes += 1
                alarms += tier == "sure"
        if not times:
            continue
        print(
            f"  {lang}: recall {percent(found, total)} (sure {percent(sure, total)})   "
            f"sure alarms on look-alikes {percent(alarms, lookalikes)}   "
            f"own lines for overdose/violence/child/shelter {percent(kind_right, kinds)}"
        )
        if missed:
            print("      missed: " + ", ".join(f"{k} {v}" for k, v in sorted(missed.items())))
        times.sort()
        print(
            f"      time per message: mean {statistics.mean(times):.3f} ms, "
            f"p95 {times[int(len(times) * 0.95) - 1]:.3f} ms"
        )


def checks_report(name: str, classifier: Classifier, rows: list[list[str]]) -> None:
    """Ordinary work questions ("lang, subject, second, text"): how often the bot asks "are
    you in danger?" (or shows help lines) instead of answering."""
    asked: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    for lang, _subject, _second, text in rows:
        total[lang] += 1
        asked[lang] += classifier.crisis(text, lang) is not None
    line = "   ".join(f"{lang} {percent(asked[lang], total[lang])}" for lang in LOCALES)
    print(f"{name}: danger check asked of plain work questions: {line}")


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


def subjects_report(name: str, classifier: Classifier, rows: list[list[str]]) -> None:
    """Questions labelled with their subject ("lang, subject, second, text"), read as the bot
    reads them (distress first): top-1 per language, "talk to a person" recall, how often a
    question is not understood, the second subject of two-subject messages, time."""
    right: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    people = asked_person = lost = seconds = second_found = 0
    times: list[float] = []
    for lang, subject, second, text in rows:
        start = time.perf_counter()
        got = classifier.classify(text, lang)
        times.append((time.perf_counter() - start) * 1000)
        name_got = got.then.name if got.name == "crisis" and got.then else got.name
        for key in (lang, "all"):
            total[key] += 1
            right[key] += name_got == subject
        if subject == "human":
            people += 1
            asked_person += name_got == "human"
        if subject != "unknown" and name_got == "unknown":
            lost += 1
        if second != "-":
            seconds += 1
            second_found += got.also == second
    line = "   ".join(f"{k} {percent(right[k], total[k])}" for k in (*LOCALES, "all"))
    print(f"{name}: top-1 {line}")
    times.sort()
    print(
        f"      talk to a person {percent(asked_person, people)}   not understood "
        f"{percent(lost, len(rows))}   second subject offered {percent(second_found, seconds)}"
        f"   time per message: mean {statistics.mean(times):.2f} ms, "
        f"p95 {times[int(len(times) * 0.95) - 1]:.2f} ms"
    )


def main() -> None:
    start = time.perf_counter()
    classifier = Classifier.from_flows(load_flows())
    classifier.classify("bonjour", "fr")  # lazily loaded library data, as the bot's settle()
    print(f"classifier built in {(time.perf_counter() - start) * 1000:.0f} ms")
    model = classifier.model
    print(f"model: {model.trained_on if model else 'none (lexicon only)'}")
    held_out = sorted((DATA / "distress").glob("holdout_*.tsv"))
    time_report(classifier, [row for path in held_out for row in rows_of(path)])
    print("\n== distress: HELD-OUT (never read to tune the lexicon, never trained on) ==")
    for path in held_out:
        distress_report(f"held-out {path.stem}", classifier, rows_of(path))
    for path in sorted((DATA / "questions").glob("holdout_*.tsv")):
        checks_report(f"held-out {path.stem}", classifier, rows_of(path))
    print("\n== distress: TRAINED ON (the model learned from these; figures are optimistic) ==")
    for path in sorted((DATA / "distress").glob("train_*.tsv")):
        distress_report(f"trained on {path.stem}", classifier, rows_of(path))
    for name in ("distress_eval.tsv", "distress_holdout.tsv"):
        distress_report(f"trained on (older) {name}", classifier, rows_of(ROOT / "tests" / name))
    for path in sorted((DATA / "questions").glob("train_*.tsv")):
        checks_report(f"trained on {path.stem}", classifier, rows_of(path))
    print("\n== subjects: HELD-OUT question writers (never trained on) ==")
    for path in sorted((DATA / "questions").glob("holdout_*.tsv")):
        subjects_report(f"held-out {path.stem}", classifier, rows_of(path))
    print("\n== subjects: TRAINED ON (the topic model learned from these) ==")
    for path in sorted((DATA / "questions").glob("train_*.tsv")):
        subjects_report(f"trained on {path.stem}", classifier, rows_of(path))
    print("\n== topics, older sets ==")
    for name, file in (("labelled", "nlu_eval.tsv"), ("held-out", "nlu_holdout.tsv")):
        rows = read_labelled(ROOT / "tests" / file)
        topics_report(f"topics, {name} set (tests/{file})", classifier, rows)


if __name__ == "__main__":
    main()
