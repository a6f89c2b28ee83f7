"""Train the distress model (flows/model.py) from the labelled sets: ``make model``.

For developers only (scikit-learn and numpy are dev dependencies; the bot never imports this
file). It reads the training sets, checks by leave-one-writer-out cross-validation how the
lexicon and the model together generalise to a writer they have not seen, chooses the
threshold, trains on everything and writes ``flows/model/distress.json``.

Never trained on: the held-out sets (``tests/data/*/holdout_*.tsv``), which only
``bench/nlu.py`` reads, to measure.

    .venv/bin/python -m flows.model_train            # train, report, write the weights
    .venv/bin/python -m flows.model_train --report   # cross-validation only
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import math
import sys
from array import array
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from flows.distress import Detector
from flows.model import MODEL_PATH, bucket, features

ROOT = Path(__file__).resolve().parent.parent
CLASSES = ["none", "suicide", "selfharm", "despair", "overdose", "violence", "child", "shelter"]
BUCKETS = 1 << 18
C = 4.0  # inverse regularisation, chosen by the cross-validation below
TARGET_RECALL = 0.985  # in cross-validation, lexicon and model together
# Kinds of the older sets (tests/distress_eval.tsv, tests/distress_holdout.tsv).
_OLD_KINDS = {
    "intent": "suicide",
    "method": "suicide",
    "indirect": "suicide",
    "act": "selfharm",
    "shelter": "shelter",
}

Row = tuple[str, str, str, str]  # writer, lang, class, text


def _lines(path: Path) -> list[list[str]]:
    return [
        line.split("\t")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]


def training_rows() -> list[Row]:
    """Every labelled training message: (writer, language, class, text)."""
    rows: list[Row] = []
    for path in sorted((ROOT / "tests" / "data" / "distress").glob("train_*.tsv")):
        writer = path.stem.removeprefix("train_")
        for lang, expected, _about, situation, text in _lines(path):
            rows.append((writer, lang, situation if expected == "distress" else "none", text))
    for name in ("distress_eval.tsv", "distress_holdout.tsv"):
        for lang, expected, _about, kind, text in _lines(ROOT / "tests" / name):
            label = _OLD_KINDS.get(kind, "suicide") if expected == "distress" else "none"
            rows.append(("older", lang, label, text))
    for path in sorted((ROOT / "tests" / "data" / "questions").glob("train_*.tsv")):
        writer = path.stem.removeprefix("train_")
        for lang, _subject, _second, text in _lines(path):
            rows.append((writer, lang, "none", text))
    for name in ("nlu_eval.tsv", "nlu_holdout.tsv"):
        for lang, expected, text in _lines(ROOT / "tests" / name):
            rows.append(("older-questions", lang, "suicide" if expected == "crisis" else "none", text))
    return rows


def matrix(texts: list[str]) -> csr_matrix:
    """The same features as flows/model.py: present buckets, scaled by 1/sqrt(count)."""
    indptr, indices, values = [0], [], []
    for text in texts:
        seen = sorted({bucket(f, BUCKETS) for f, _ in features(text[:2000])})
        weight = 1.0 / math.sqrt(len(seen)) if seen else 0.0
        indices.extend(seen)
        values.extend([weight] * len(seen))
        indptr.append(len(indices))
    return csr_matrix((values, indices, indptr), shape=(len(texts), BUCKETS))


def fit(rows: list[Row], c: float = C) -> LogisticRegression:
    model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
    model.fit(matrix([r[3] for r in rows]), [CLASSES.index(r[2]) for r in rows])
    return model


def export(model: LogisticRegression, threshold: float, trained_on: str) -> dict[str, object]:
    """Only the buckets with a weight, quantised to one byte per class."""
    coef = np.zeros((BUCKETS, len(CLASSES)))
    coef[:, model.classes_] = model.coef_.T
    bias = np.zeros(len(CLASSES)) - 30.0  # a class never seen is never predicted
    bias[model.classes_] = model.intercept_
    used = np.flatnonzero(np.abs(coef).max(axis=1) > 1e-3)
    scale = float(np.abs(coef[used]).max()) / 127
    quantised = np.clip(np.round(coef[used] / scale), -127, 127).astype(np.int8)
    return {
        "classes": CLASSES,
        "buckets": BUCKETS,
        "threshold": threshold,
        "bias": [round(float(b), 5) for b in bias],
        "scale": scale,
        "index": base64.b64encode(array("I", used.tolist()).tobytes()).decode("ascii"),
        "weights": base64.b64encode(quantised.tobytes()).decode("ascii"),
        "trained_on": trained_on,
    }


def cross_validate(rows: list[Row], detector: Detector) -> dict[str, list[tuple[float, int]]]:
    """Leave one writer out: for each message of the left-out writer, the model's danger
    probability and whether the lexicon alone found it (1) or not (0)."""
    out: dict[str, list[tuple[float, int]]] = defaultdict(list)
    writers = sorted({r[0] for r in rows})
    for writer in writers:
        train = [r for r in rows if r[0] != writer]
        test = [r for r in rows if r[0] == writer]
        model = fit(train)
        probs = model.predict_proba(matrix([r[3] for r in test]))
        none = list(model.classes_).index(0)
        for row, p in zip(test, probs, strict=True):
            lexicon = detector.check(row[3], row[1]) is not None
            out[writer].append((1.0 - float(p[none]), int(lexicon)))
    return out


def report(rows: list[Row], cv: dict[str, list[tuple[float, int]]]) -> float:
    """Recall and false checks per threshold; returns the threshold chosen."""
    by_writer = defaultdict(list)
    for row in rows:
        by_writer[row[0]].append(row)
    chosen = 0.5
    for threshold in (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.01):
        found = total = alarms = plain = 0
        lines = []
        for writer, results in sorted(cv.items()):
            w_found = w_total = w_alarm = w_plain = 0
            for row, (p, lexicon) in zip(by_writer[writer], results, strict=True):
                said = lexicon or p >= threshold
                if row[2] != "none":
                    w_total += 1
                    w_found += said
                else:
                    w_plain += 1
                    w_alarm += said
            found, total, alarms, plain = found + w_found, total + w_total, alarms + w_alarm, plain + w_plain
            lines.append(f"{writer} {w_found}/{w_total} checks {w_alarm}/{w_plain}")
        recall = found / total if total else 0.0
        print(f"threshold {threshold:.2f}: recall {recall:.3f}, checks on the rest {alarms}/{plain}")
        print("   " + " · ".join(lines))
        if recall >= TARGET_RECALL:
            chosen = threshold
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--report", action="store_true", help="cross-validation only")
    args = parser.parse_args(argv)
    rows = training_rows()
    counts = Counter(r[2] for r in rows)
    print(f"{len(rows)} training messages: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    detector = Detector()
    threshold = report(rows, cross_validate(rows, detector))
    print(f"threshold chosen: {threshold}")
    if args.report:
        return 0
    digest = hashlib.sha256("\n".join("\t".join(r) for r in rows).encode()).hexdigest()
    data = export(fit(rows), threshold, f"{len(rows)} messages, sha256 {digest[:16]}")
    MODEL_PATH.parent.mkdir(exist_ok=True)
    MODEL_PATH.write_text(json.dumps(data) + "\n", encoding="utf-8")
    print(f"wrote {MODEL_PATH} ({MODEL_PATH.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
