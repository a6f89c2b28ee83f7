"""Train the topic model (flows/topics.py) from the labelled questions: part of ``make model``.

For developers only (scikit-learn and numpy are dev dependencies; the bot never imports this
file). Training data: the question writers' sets (``tests/data/questions/train_*.tsv``, each
question labelled with its subject by a writer who never saw the flow files' examples), the
older labelled phrasings (``tests/nlu_eval*.tsv``) and the flow files' own examples and
keywords (what PAT extends). Never trained on: ``tests/data/*/holdout_*.tsv`` and
``tests/nlu_holdout.tsv``, which only ``bench/nlu.py`` reads, to measure.

Cross-validation by writer over the question writers (training_sets.folds) reports what a
writer the model never read gets (top-1 per language, "talk to a person" recall).

    .venv/bin/python -m flows.topics_train            # train, report, write the weights
    .venv/bin/python -m flows.topics_train --report   # cross-validation only
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from typing import Any

from flows import linear
from flows.loader import load_flows
from flows.topics import TOPICS_PATH, UNKNOWN
from flows.training_sets import ROOT, Row, digest, folds, lines, without_held_out

BUCKETS = 1 << 18
# Question writers (QH: a held-out set once measured, then trained on), as cross-validation
# leaves them out, a tenth at a time.
WRITERS = ("QW", "QH", "SW")
C = 16.0  # inverse regularisation: by writer, 16 and 32 both 0.897 (sixth session, 10 folds)


def training_rows() -> list[Row]:
    """Every labelled question: (writer, language, subject, text); an offer's or a topic's
    flow examples count as a writer of their own ("flows")."""
    rows: list[Row] = []
    for path in sorted((ROOT / "tests" / "data" / "questions").glob("train_*.tsv")):
        writer = path.stem.removeprefix("train_")
        for lang, subject, _second, text in lines(path):
            rows.append((writer, lang, subject, text))
    for name in ("nlu_eval.tsv", "nlu_eval_topics.tsv"):
        for lang, expected, text in lines(ROOT / "tests" / name):
            if expected != "crisis":  # distress is the other model's
                rows.append(("older", lang, expected, text))
    for name, matching in sorted(load_flows().intents().items()):
        for lang, examples in sorted(matching.examples.items()):
            rows.extend(("flows", lang, name, example) for example in examples)
        for lang, keywords in sorted(matching.keywords.items()):
            rows.extend(("flows", lang, name, keyword) for keyword in keywords)
    return without_held_out(rows, also=[ROOT / "tests" / "nlu_holdout.tsv"])


def classes_of(rows: list[Row]) -> list[str]:
    return sorted({r[2] for r in rows} | {UNKNOWN})


def _model() -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=3000)


def out_of_fold(rows: list[Row], classes: list[str]) -> Any:
    """For each question writer's message, the probabilities of a model that never read that
    writer (the other rows are always trained on)."""
    import numpy as np

    x = linear.matrix([r[3] for r in rows], BUCKETS)
    y = np.array([classes.index(r[2]) for r in rows])
    fold_of = folds(r[0] for r in rows if r[0][:2] in WRITERS)
    fold = np.array([fold_of.get(r[0], -1) for r in rows])  # -1: always trained on
    probs = np.zeros((len(rows), len(classes)))
    for left_out in sorted(set(fold_of.values())):
        mine = fold == left_out
        model = _model().fit(x[~mine], y[~mine])
        probs[np.ix_(mine, model.classes_)] = model.predict_proba(x[mine])
    return probs


def report(rows: list[Row], classes: list[str], probs: Any) -> None:
    """Top-1 per language of the writers left out, "talk to a person" recall, confusions."""
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    confused: Counter[tuple[str, str]] = Counter()
    for row, p in zip(rows, probs, strict=True):
        if row[0][:2] not in WRITERS:
            continue
        got = classes[int(p.argmax())]
        for key in (row[1], "all", f"subject {row[2]}" if row[2] == "human" else ""):
            if key:
                total[key] += 1
                right[key] += got == row[2]
        if got != row[2]:
            confused[(row[2], got)] += 1
    print("cross-validation by writer (a tenth of them left out at a time), top-1:")
    for key in sorted(total):
        print(f"  {key}: {right[key] / total[key]:.3f} ({right[key]}/{total[key]})")
    print("  most confused (expected, got):", confused.most_common(10))


def fit_and_export(rows: list[Row], classes: list[str]) -> dict[str, object]:
    import numpy as np

    x = linear.matrix([r[3] for r in rows], BUCKETS)
    y = np.array([classes.index(r[2]) for r in rows])
    model = _model().fit(x, y)
    coef = np.zeros((len(classes), BUCKETS))
    coef[model.classes_, :] = model.coef_
    bias = np.zeros(len(classes)) - 30.0  # a class never seen is never predicted
    bias[model.classes_] = model.intercept_
    return linear.export(classes, BUCKETS, coef, bias, trained_on=digest(rows))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--report", action="store_true", help="cross-validation only")
    parser.add_argument("--no-report", action="store_true", help="train only")
    args = parser.parse_args(argv)
    rows = training_rows()
    classes = classes_of(rows)
    print(f"{len(rows)} labelled questions, {len(classes)} subjects")
    if not args.no_report:
        report(rows, classes, out_of_fold(rows, classes))
    if args.report:
        return 0
    data = fit_and_export(rows, classes)
    TOPICS_PATH.write_text(json.dumps(data) + "\n", encoding="utf-8")
    print(f"wrote {TOPICS_PATH} ({TOPICS_PATH.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
