"""What an event means before the engine sees it (bot/conversation/understanding.py)."""

from __future__ import annotations

import pytest

from bot.conversation.i18n import Catalogs
from bot.conversation.understanding import Understanding
from flows.engine import DANGER_NO, DANGER_YES, NO, YES, Choice, State, Text
from flows.loader import FlowSet
from flows.nlu import Classifier


@pytest.mark.parametrize(
    ("typed", "option"),
    [
        ("oui", DANGER_YES),
        ("Ja!", DANGER_YES),
        ("yes", DANGER_YES),
        ("Non.", DANGER_NO),
        ("nee", DANGER_NO),
        ("nope", DANGER_NO),
    ],
)
def test_yes_or_no_typed_at_the_check_is_its_button_in_any_language(
    flows: FlowSet, typed: str, option: str
) -> None:
    reading = Understanding(flows, Classifier.from_flows(flows))
    state = State(started=True, overlay="check", turn=7, locale="fr")
    t = Catalogs().get("fr")
    assert reading.read(state, Text(typed), t, {}) == Choice(option=option, turn=7)
    # Elsewhere the same word is only text (an answer, or a question to understand).
    elsewhere = reading.read(state.model_copy(update={"overlay": "none"}), Text(typed), t, {})
    assert isinstance(elsewhere, Text)


@pytest.mark.parametrize(("typed", "option"), [("oui", YES), ("Ja", YES), ("no", NO)])
def test_yes_or_no_typed_at_this_too_is_its_button(flows: FlowSet, typed: str, option: str) -> None:
    reading = Understanding(flows, Classifier.from_flows(flows))
    state = State(started=True, overlay="also", suggestions=["cost"], turn=3, locale="fr")
    t = Catalogs().get("fr")
    assert reading.read(state, Text(typed), t, {}) == Choice(option=option, turn=3)


def test_a_text_too_long_to_keep_is_read_for_danger_only(flows: FlowSet) -> None:
    """No label, topic or offer is looked for in it (the engine answers "too long"), but
    danger is, as far as the distress check reads any message."""
    reading = Understanding(flows, Classifier.from_flows(flows))
    state = State(started=True, locale="fr")
    t = Catalogs().get("fr")
    question = "Quelle formation proposez-vous aux pair-aidants ? "
    understood = reading.read(state, Text(question), t, {})
    assert isinstance(understood, Text) and understood.intent is not None
    assert understood.intent.name != "unknown"  # a short one is understood
    long = reading.read(state, Text(question * 50), t, {})
    assert isinstance(long, Text) and long.intent is None and len(long.text) > 2000
    danger = reading.read(state, Text("bla " * 750 + "j'ai envie de me pendre"), t, {})
    assert isinstance(danger, Text) and danger.intent is not None
    assert danger.intent.name == "crisis"
