"""The learned distress model: shipped, up to date with its training sets, never trained on
the held-out sets, explainable, and read beside the lexicon by the classifier."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.distress import REAL_WORDS_PATH
from flows.linear import features
from flows.loader import FlowSet
from flows.model import MODEL_PATH, Model
from flows.model_train import find_real_words, training_rows, with_sentences
from flows.nlu import Classifier
from flows.training_sets import digest

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def classifier(flows: FlowSet) -> Classifier:
    return Classifier.from_flows(flows)


def test_the_shipped_weights_were_trained_on_the_current_training_sets() -> None:
    """Change a training set or the features: run `make model`, or this fails."""
    assert MODEL_PATH.exists(), "run make model"
    assert Model.load().trained_on == digest(training_rows())


def test_the_real_words_were_found_in_the_current_training_sets() -> None:
    """Change a training set or the lexicon: run `make model`, or this fails."""
    shipped = json.loads(REAL_WORDS_PATH.read_text(encoding="utf-8"))
    assert shipped == find_real_words(training_rows())


def test_no_held_out_message_is_in_the_training_data() -> None:
    trained = {text for _, _, _, text in training_rows()}
    held_out = [
        line.split("\t")[-1]
        for path in DATA.glob("*/holdout_*.tsv")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(held_out) > 1000
    assert not trained & set(held_out)


def test_the_sentences_of_ordinary_messages_are_learned_as_ordinary_too() -> None:
    """The bot reads each sentence of a long text on its own: the model learns each sentence
    of a long ordinary message as ordinary, never the sentences of a message in danger (which
    of them tells the danger is not labelled)."""
    story = "J'ai vécu cinq ans en rue. Aujourd'hui je voudrais devenir pair-aidant, comment ?"
    danger = "J'ai vécu cinq ans en rue. Ce soir je veux en finir, j'ai les médicaments ici."
    rows = [
        ("QW1", "fr", "none", story),
        ("DW1", "fr", "suicide", danger),
        ("QW1", "fr", "none", "Une seule phrase sur la formation, rien de plus ?"),
    ]
    assert with_sentences(rows) == [
        *rows,
        ("QW1", "fr", "none", "J'ai vécu cinq ans en rue."),
        ("QW1", "fr", "none", "Aujourd'hui je voudrais devenir pair-aidant, comment ?"),
    ]


def test_features_come_with_the_word_they_belong_to() -> None:
    feats = features("Je n'en peux plus")
    assert ("w peux", 3) in feats and ("b peux plus", 4) in feats and (" pe", 3) in feats


def test_a_reading_names_the_words_that_weighed_most() -> None:
    reading = Model.load().danger("il a avalé toutes ses pilules et il respire à peine")
    assert reading is not None and reading.probability > 0.5
    assert reading.words and all(
        w in "il a avale toutes ses pilules et il respire a peine".split() for w in reading.words
    )
    assert reading.reason.startswith("model ")


def test_danger_in_the_middle_of_a_question_about_pat_is_read_by_its_sentence() -> None:
    model = Model.load()
    question = (
        "Bonjour, je voulais savoir quand commence votre prochaine formation pour les équipes "
        "et combien elle coûte pour une asbl de dix personnes. Nous sommes une équipe de rue à "
        "Liège et nous aimerions aussi des informations sur les intervisions pour nos "
        "pair-aidants. Pouvez-vous aussi nous dire si la formation existe en ligne ?"
    )
    danger = (
        "Je vous écris aussi parce que je suis enfermée dans la salle de bain et il crie "
        "derrière la porte."
    )
    mixed = f"{question} {danger}"
    assert model.danger(question) is None
    # The most worrying of the whole and its sentences counts (a model trained before the
    # sentences of ordinary messages were learned read this whole text below its threshold: drowned).
    found = model.danger(mixed)
    assert found is not None and found.danger == "violence"
    assert found.probability >= model.read_one(mixed).probability


def test_the_classifier_asks_first_on_what_only_the_model_found(classifier: Classifier) -> None:
    got = classifier.crisis(
        "mijn vriend heeft heel zijn strip pillen genomen en reageert niet meer", "nl"
    )
    assert got is not None and got.tier in ("possible", "sure")
    if "model" in got.reason and got.reason.startswith("possible, model"):
        assert got.tier == "possible"  # the model alone never shows the lines at once


def test_a_damaged_model_file_leaves_the_lexicon_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A damaged file must not stop the bot that shows the help lines: the lexicon reads."""
    import flows.model as model_module

    broken = tmp_path / "distress.json"
    broken.write_text('{"classes": ["none"', encoding="utf-8")
    monkeypatch.setattr(model_module, "MODEL_PATH", broken)
    model_module.shipped.cache_clear()
    try:
        assert model_module.shipped() is None
        assert "could not be read" in caplog.text
    finally:
        model_module.shipped.cache_clear()
