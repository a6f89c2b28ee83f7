"""Understanding typed text: the labelled set's targets, crisis first, and the engine's use."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from flows import texts
from flows.engine import Choice, Command, Intent, Text
from flows.loader import FlowSet
from flows.nlu import Classifier, read_labelled
from tests.helpers import Walk

EVAL = Path(__file__).resolve().parent.parent / "nlu_eval.tsv"


TOPICS = EVAL.with_name("nlu_eval_topics.tsv")  # the subjects of #26, not trained on (yet)


def rows(path: Path = EVAL) -> list[tuple[str, str, str]]:
    extra = read_labelled(TOPICS) if path == EVAL else []
    return read_labelled(path) + extra


@pytest.fixture(scope="module")
def classifier(flows: FlowSet) -> Classifier:
    return Classifier.from_flows(flows)


def test_the_labelled_set_is_big_enough_and_covers_every_intent(flows: FlowSet) -> None:
    data = rows()
    assert len(data) >= 150
    assert {lang for lang, _, _ in data} == {"fr", "nl", "en"}
    assert {e for _, e, _ in data} == set(flows.intents()) | {"crisis", "unknown"}


def test_targets_on_the_labelled_set(classifier: Classifier) -> None:
    right: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    crisis_found = crisis_total = false_crisis = 0
    for lang, expected, text in rows():
        got = classifier.classify(text, lang).name
        total[lang] += 1
        right[lang] += got == expected
        if expected == "crisis":
            crisis_total += 1
            crisis_found += got == "crisis"
        elif got == "crisis":
            false_crisis += 1
    for lang in total:
        assert right[lang] / total[lang] >= 0.9, f"{lang}: {right[lang]}/{total[lang]}"
    assert crisis_found == crisis_total  # recall 100 %
    # The model's threshold is the highest that keeps recall on new writers at 0.98
    # (flows/model_train.py): since the seventh session's 0.35, « mijn vraag staat niet in de
    # lijst » (0.36-0.40) is asked "are you in danger?". At most 1 % of the other texts.
    others = sum(total.values()) - crisis_total
    assert false_crisis <= others // 100, f"{false_crisis} of {others}"


@pytest.mark.parametrize(
    "text",
    [
        "Et s'il rechute ?",
        "what if they relapse",
        "wat als hij hervalt",
        "risque de rechute",
        "formation prévention du suicide ?",
        "suicide prevention training",
        "comment en finir avec la stigmatisation ?",
        "ça me tue de voir ça",
        "il faut nourrir la réflexion",
        "le pair aidant est-il en danger de rechute ?",
    ],
)
def test_ordinary_questions_are_not_crisis(classifier: Classifier, text: str) -> None:
    assert classifier.classify(text).name != "crisis"


@pytest.mark.parametrize(
    "text",
    [
        "je veux me suicider",
        "je pense au suicde",
        "je veu mourrir",
        "je dors ce soir dehors",
        "ik slaap vannacht buiten",
        "ik denk aan zelfmorod",
        "i want to kil myself",
        "sleeping rough tonight",
        "jveux en finir",
    ],
)
def test_distress_is_found_even_with_typos(classifier: Classifier, text: str) -> None:
    intent = classifier.classify(text)
    assert intent.name == "crisis" and intent.reason


def test_classify_command_prints_one_json_object_per_line() -> None:
    done = subprocess.run(
        [str(Path(sys.executable).parent / "pat-bot"), "classify", "--lang", "fr"],
        input=(
            "et si il rechute ?\n\nje veux mourir\nbonjour\n"
            "la question du suicide est-elle abordée dans la formation ?\n"
            "mon collègue veut se pendre\n"
        ),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(d["text"], d["intent"]) for d in lines] == [
        ("et si il rechute ?", "relapse"),
        ("je veux mourir", "crisis"),
        ("bonjour", "unknown"),
        ("la question du suicide est-elle abordée dans la formation ?", "crisis"),
        ("mon collègue veut se pendre", "crisis"),
    ]
    assert set(lines[0]) >= {"text", "intent", "score", "alternatives"}
    assert "tier" not in lines[0]  # other intents are printed as before
    assert 0 < lines[0]["score"] <= 1 and isinstance(lines[0]["alternatives"], list)
    assert (lines[1]["tier"], lines[1]["about"]) == ("sure", "self")
    assert lines[3]["tier"] == "possible"
    assert lines[3]["otherwise"] in ("training", "training_practical")
    # An explicit phrase: sure when the model agrees, asked first when it does not.
    assert lines[4]["tier"] in ("sure", "possible") and lines[4]["about"] == "other"
    assert "pend" in lines[4]["reason"]
    assert all(d["reason"] for d in lines if d["intent"] == "crisis")


# -- the engine's use of what was understood ---------------------------------------------------


def typed(walk: Walk, text: str, intent: Intent) -> None:
    walk.send(Text(text, intent))


def test_high_confidence_at_the_menu_answers_and_says_what_was_understood(
    flows: FlowSet,
) -> None:
    walk = Walk(flows)
    walk.start()
    typed(walk, "et si il rechute", Intent("relapse", 0.9))
    said = walk.says()
    assert said[0] == texts.UNDERSTOOD
    assert walk.effects[0].text.params["label"].id == "Et s'il ou elle rechute ?"  # type: ignore[union-attr]
    assert "Le rétablissement n'est pas la guérison" in said[1]
    assert walk.step == "faq.relapse_next" and walk.state.faq_read == ["relapse"]


def test_high_confidence_offer_starts_its_questions(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    typed(walk, "we want to hire a peer worker", Intent("accompaniment", 0.95))
    assert walk.step == "accompaniment.start"
    assert walk.state.answers == {"offer": "accompaniment"}


def test_medium_confidence_asks_did_you_mean_with_buttons(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    typed(walk, "c koi", Intent("what_is", 0.45, (("brings", 0.4), ("training", 0.38))))
    assert walk.says() == [texts.DID_YOU_MEAN]
    assert walk.buttons() == ["_i:what_is", "_i:brings", "_i:training", "_menu"]
    walk.press("_i:brings")
    assert walk.step == "faq.brings_next" and walk.state.faq_read == ["brings"]
    assert walk.state.suggestions == [] and walk.state.overlay == "none"


def test_low_confidence_says_so_kindly_and_shows_the_menu(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("faq")
    typed(walk, "bonjour", Intent("unknown", 0.0))
    assert walk.says() == [texts.NOT_UNDERSTOOD, "Que puis-je faire pour vous ?"]
    assert walk.step == "main.menu"


def test_a_faq_question_in_the_middle_of_a_request_is_answered_in_place(
    flows: FlowSet,
) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("accompaniment")
    walk.press("go")
    walk.type("ASBL Soleil")
    assert walk.step == "accompaniment.sector"
    typed(walk, "et le secret professionnel ?", Intent("confidentiality", 0.9))
    said = walk.says()
    assert said[0] == texts.UNDERSTOOD and said[-1] == "Dans quel secteur travaillez-vous ?"
    assert any("tenu·e au secret professionnel" in s for s in said)
    assert not any("article" in s for s in said)  # a new Criminal Code: no article number
    assert walk.step == "accompaniment.sector"
    assert walk.state.answers == {"offer": "accompaniment", "organisation": "ASBL Soleil"}
    walk.press("social")  # the buttons of the repeated question work
    assert walk.step == "accompaniment.commune"


def test_an_offer_typed_in_the_middle_of_a_request_does_not_derail_it(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("training")
    typed(walk, "on veut engager un pair aidant", Intent("accompaniment", 0.95))
    assert walk.says()[0] == texts.USE_BUTTONS
    assert walk.step == "training.profile" and walk.state.answers == {"offer": "training"}


def test_crisis_first_everywhere_and_the_text_is_not_kept(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("other")
    assert walk.step == "other.message"
    typed(walk, "je veux en finir", Intent("crisis", 1.0, reason="veux en finir"))
    said = walk.says()
    assert said[0] == texts.CRISIS and "112" in said[0] and "0800 32 123" in said[0]
    assert said[1] == texts.CRISIS_AFTER
    assert walk.buttons() == ["_back_here", "_all_lines"]
    assert "message" not in walk.state.answers
    walk.press("_back_here")
    assert walk.step == "other.message"
    assert walk.says() == [flows.step("other.message").text]  # type: ignore[union-attr]
    walk.type("Bonjour, une question sur les formations")
    assert walk.state.answers["message"] == "Bonjour, une question sur les formations"


def test_crisis_then_menu(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    typed(walk, "i want to die", Intent("crisis", 1.0))
    assert "_menu" not in walk.buttons()  # no services menu offered on the bot's own
    walk.send(Command("menu"))  # but /menu still works, as everywhere
    assert walk.step == "main.menu" and walk.state.overlay == "none"


def test_old_buttons_after_a_suggestion_are_stale(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    menu_turn = walk.state.turn
    typed(walk, "c koi", Intent("what_is", 0.45, (("brings", 0.4),)))
    walk.send(Choice("training", menu_turn))
    assert walk.says()[0] == texts.STALE
    assert walk.buttons() == ["_i:what_is", "_i:brings", "_menu"]


def test_distress_as_the_very_first_message_is_answered_first(flows: FlowSet) -> None:
    """Found by the property tests: before any /start, distress used to get the welcome."""
    walk = Walk(flows)
    typed(walk, "je veux mourir", Intent("crisis", 1.0))
    assert walk.says()[0] == texts.CRISIS
    walk.press("_back_here")
    assert walk.step == "main.menu"


def test_a_first_typed_question_is_answered_after_the_welcome(flows: FlowSet) -> None:
    walk = Walk(flows)
    typed(walk, "et si il rechute ?", Intent("relapse", 0.9))
    said = walk.says()
    assert said[0].startswith("Bonjour ! Je suis le robot d'accueil de PAT")
    assert texts.UNDERSTOOD in said and walk.step == "faq.relapse_next"
