"""Nothing thrown away without asking (#28, point 3): every way out of a request with answers
(the menu button, /menu, /cancel, /start, a deep link, a new language) asks once; « Continuer
ma demande » brings back exactly the question, answers kept; the help lines and /forget never
ask. On the pure engine (the words in each language: tests/bot/conversation/test_abandon_chat.py).
"""

from __future__ import annotations

from flows import texts
from flows.engine import (
    ABANDON_NO,
    ABANDON_YES,
    BACK_HERE,
    Choice,
    Command,
    Intent,
    Start,
    Text,
)
from flows.loader import FlowSet
from tests.helpers import Walk, give_contact


def with_an_answer(flows: FlowSet, locale: str = "fr") -> Walk:
    """In the accompaniment's questions, the organisation given, at the sector (a choice)."""
    walk = Walk(flows, locale)
    walk.start()
    walk.press("accompaniment")
    walk.press("go")
    walk.type("ASBL Soleil")
    assert walk.state.answers["organisation"] == "ASBL Soleil"
    assert walk.step == "accompaniment.sector"
    return walk


def test_the_menu_button_asks_and_continue_brings_back_the_same_question(
    flows: FlowSet,
) -> None:
    walk = with_an_answer(flows)
    step, answers = walk.step, dict(walk.state.answers)
    question = walk.last_say()
    walk.press("_menu")
    assert walk.says() == [texts.ABANDON_CONFIRM]
    assert walk.buttons() == [ABANDON_YES, ABANDON_NO]
    assert walk.step == step and walk.state.answers == answers  # nothing dropped yet
    walk.press(ABANDON_NO)
    assert walk.says() == [texts.RESUMED, question.text.id]
    assert walk.last_say().buttons == question.buttons
    assert walk.step == step and walk.state.answers == answers
    assert walk.state.overlay == "none" and walk.state.leaving is None
    walk.press(walk.buttons()[0])  # the question goes on as before
    assert walk.step != step and walk.state.answers["organisation"] == "ASBL Soleil"


def test_abandoning_goes_to_the_menu_and_drops_the_answers(flows: FlowSet) -> None:
    walk = with_an_answer(flows)
    walk.press("_menu")
    walk.press(ABANDON_YES)
    assert walk.says()[0] == texts.CANCELLED
    assert walk.step == "main.menu" and walk.says()[-1] == "Que puis-je faire pour vous ?"
    assert walk.state.answers == {} and walk.state.path == []


def test_no_question_before_any_answer(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("training")  # at its first question, nothing answered
    walk.press("_menu")
    assert texts.ABANDON_CONFIRM not in walk.says()
    assert walk.step == "main.menu"
    walk.send(Command("menu"))  # at the menu, outside any request
    assert texts.ABANDON_CONFIRM not in walk.says()


def test_typed_menu_and_cancel_ask_too_and_go_where_asked(flows: FlowSet) -> None:
    walk = with_an_answer(flows)
    walk.send(Command("cancel"))
    assert walk.says() == [texts.ABANDON_CONFIRM]
    walk.press(ABANDON_YES)
    assert walk.says()[0] == texts.CANCELLED and walk.step == "main.menu"
    assert walk.state.answers == {}


def test_start_with_a_deep_link_asks_then_opens_the_link(flows: FlowSet) -> None:
    walk = with_an_answer(flows)
    walk.send(Start("training", locale="nl"))
    assert walk.says() == [texts.ABANDON_CONFIRM]
    assert walk.state.locale == "fr"  # nothing changed before the answer
    walk.press(ABANDON_YES)
    assert walk.step == "training.profile" and walk.state.locale == "nl"
    assert "organisation" not in walk.state.answers


def test_a_second_way_out_while_asked_is_a_yes(flows: FlowSet) -> None:
    walk = with_an_answer(flows)
    walk.send(Command("menu"))
    walk.send(Command("menu"))
    assert walk.says()[0] == texts.CANCELLED and walk.step == "main.menu"


def test_the_help_lines_and_forget_never_ask(flows: FlowSet) -> None:
    walk = with_an_answer(flows)
    step = walk.step
    walk.send(Command("urgent"))  # /sos, /aide: one tap away, always
    assert texts.ABANDON_CONFIRM not in walk.says() and walk.state.overlay == "help"
    walk.press(BACK_HERE)
    assert walk.step == step and walk.state.answers["organisation"] == "ASBL Soleil"
    walk.send(Command("forget"))  # its own question
    assert walk.says() == [texts.FORGET_CONFIRM]


def test_help_at_the_question_comes_back_to_it(flows: FlowSet) -> None:
    walk = with_an_answer(flows)
    walk.press("_menu")
    walk.send(Command("urgent"))
    walk.press(BACK_HERE)
    assert walk.says() == [texts.ABANDON_CONFIRM]
    walk.press(ABANDON_NO)
    assert walk.state.answers["organisation"] == "ASBL Soleil"


def test_old_buttons_never_act_on_a_stale_question(flows: FlowSet) -> None:
    walk = with_an_answer(flows)
    step_turn = walk.state.turn
    walk.press("_menu")
    asked_turn = walk.state.turn
    walk.send(Choice(walk.buttons()[0], step_turn))  # a button of the question beneath
    assert walk.says()[0] == texts.STALE and walk.state.overlay == "abandon"
    walk.press(ABANDON_NO)
    walk.send(Choice(ABANDON_YES, asked_turn))  # the old "abandon", pressed later
    assert walk.says()[0] == texts.STALE
    assert walk.state.answers["organisation"] == "ASBL Soleil"
    assert texts.CANCELLED not in walk.says()


def test_text_typed_at_the_question_is_never_an_answer(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("other")
    walk.type("Bonjour")
    give_contact(walk)
    walk.send(Command("menu"))
    walk.type("menu")
    assert walk.says()[0] == texts.USE_BUTTONS and walk.state.overlay == "abandon"
    walk.press(ABANDON_NO)
    assert walk.step == "request.summary" and walk.state.answers["name"] == "Marie Dupont"


def test_distress_at_the_question_gets_the_help_lines_and_keeps_the_answers(
    flows: FlowSet,
) -> None:
    walk = with_an_answer(flows)
    step = walk.step
    walk.press("_menu")
    walk.send(Text("je veux mourir", Intent("crisis", 1.0, tier="sure")))
    assert walk.says()[0] == texts.CRISIS
    walk.press(BACK_HERE)
    assert walk.step == step and walk.state.answers["organisation"] == "ASBL Soleil"


def test_continue_brings_back_the_list_of_answers_to_correct(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("other")
    walk.type("Bonjour")
    give_contact(walk)
    walk.press("_edit")
    assert walk.state.overlay == "pick_field"
    walk.send(Command("menu"))
    walk.press(ABANDON_NO)
    assert walk.says()[-1] == texts.PICK_FIELD and walk.state.overlay == "pick_field"


def test_a_did_you_mean_with_answers_asks_before_its_menu_button(flows: FlowSet) -> None:
    walk = with_an_answer(flows)
    walk.send(Text("c'est quoi", Intent("what_is", 0.5, (("brings", 0.4),))))
    assert walk.state.overlay == "suggest"
    walk.press("_menu")
    assert walk.says() == [texts.ABANDON_CONFIRM]
    walk.press(ABANDON_NO)
    assert walk.state.overlay == "suggest" and walk.says()[-1] == texts.DID_YOU_MEAN
