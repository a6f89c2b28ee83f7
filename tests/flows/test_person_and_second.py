"""« I want a person » and a long message about two subjects, on the pure engine (#27):
the person is answered at the menu, in the middle of a request and at the danger check; the
second subject is offered after the first is answered, never instead of it."""

from __future__ import annotations

from flows import texts
from flows.engine import HUMAN, Intent, Text
from flows.loader import FlowSet
from tests.helpers import Walk

PERSON = Intent(HUMAN, 0.9)
HUMAN_TEXT = (
    "Je suis un robot. Pour joindre l'équipe PAT : écrivez-lui à pat@smes.be, ou laissez-lui "
    "ici un message, que je lui transmettrai avec votre accord."
)


def test_at_the_menu_a_person_is_answered_with_the_ways_to_reach_the_team(
    flows: FlowSet,
) -> None:
    walk = Walk(flows)
    walk.start()
    walk.send(Text("je veux parler à un humain", PERSON))
    assert HUMAN_TEXT in walk.says()
    assert walk.step == "other.human_next"
    assert "message" in walk.buttons() and "_menu" in walk.buttons()
    walk.press("message")
    assert walk.step == "other.message"  # the message for the team, then the request


def test_in_the_middle_of_a_request_the_same_question_comes_back_after(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("training")
    asked = walk.step
    question = walk.says()[-1]
    walk.send(Text("je veux une vraie personne", PERSON))
    assert HUMAN_TEXT in walk.says()
    assert walk.step == asked and walk.says()[-1] == question


def test_at_a_typed_question_a_person_asked_for_is_answered_unless_it_is_an_answer(
    flows: FlowSet,
) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("other")
    assert walk.step == "other.message"
    # A free message: the text is the message, even when it asks for a person.
    walk.send(Text("je voudrais parler à quelqu'un de l'équipe", PERSON))
    assert walk.state.answers["message"] == "je voudrais parler à quelqu'un de l'équipe"
    # An e-mail address that is not one: the person asked for is answered, then the question.
    walk.press("_yes")  # consent
    for answer in ("Ana", "Asbl Exemple", "coordinatrice"):  # name, organisation, role
        walk.type(answer)
    assert walk.step == "request.email"
    walk.send(Text("je veux parler à une personne", PERSON))
    assert HUMAN_TEXT in walk.says() and walk.step == "request.email"
    assert "email" not in walk.state.answers


def test_at_the_danger_check_a_person_is_a_listening_line_and_the_check_stays(
    flows: FlowSet,
) -> None:
    walk = Walk(flows)
    walk.start()
    walk.send(Text("…", Intent("crisis", 1.0, tier="possible", about="self")))
    assert walk.state.overlay == "check"
    walk.send(Text("je veux parler à quelqu'un", PERSON))
    assert walk.says()[0] == texts.HUMAN_NOW
    assert walk.state.overlay == "check"  # the three answers are still there
    assert texts.CHECK_SELF in walk.says()


def test_after_help_lines_a_person_asked_for_gets_the_listening_lines(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.send(Text("…", Intent("crisis", 1.0, tier="sure", about="self")))
    assert walk.state.overlay == "crisis"
    walk.send(Text("je veux parler à quelqu'un", PERSON))
    assert walk.says()[0] == texts.HUMAN_NOW and walk.state.overlay == "crisis"


def test_a_second_subject_is_offered_after_the_first_answer(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.send(Text("…", Intent("relapse", 0.9, also="cost")))
    said = walk.says()
    assert said[0] == texts.UNDERSTOOD
    assert said[-1] == texts.ALSO_ABOUT
    assert walk.last_say().text.params["label"].id == "Combien coûte PAT ?"  # type: ignore[union-attr]
    assert walk.buttons() == ["_yes", "_no"]
    walk.press("_yes")
    assert walk.state.overlay == "none" and "cost" in walk.state.faq_read
    assert texts.UNDERSTOOD in walk.says()


def test_no_thanks_to_the_second_subject_shows_where_the_first_answer_left_off(
    flows: FlowSet,
) -> None:
    walk = Walk(flows)
    walk.start()
    walk.send(Text("…", Intent("relapse", 0.9, also="cost")))
    step = walk.step
    walk.press("_no")
    assert walk.state.overlay == "none" and walk.step == step
    assert "cost" not in walk.state.faq_read


def test_in_a_request_only_a_second_question_with_an_answer_is_offered(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("training")
    asked = walk.step
    walk.send(Text("…", Intent("relapse", 0.9, also="accompaniment")))  # an offer: not here
    assert walk.buttons() != ["_yes", "_no"] and walk.step == asked
    walk.send(Text("…", Intent("relapse", 0.9, also="cost")))
    assert walk.buttons() == ["_yes", "_no"]
    walk.press("_yes")
    assert walk.step == asked and "cost" in walk.state.faq_read


def test_at_a_short_typed_question_a_person_asked_for_is_never_taken_as_the_answer(
    flows: FlowSet,
) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("other")
    walk.type("Une question pour l'équipe")
    walk.press("_yes")  # consent
    assert walk.step == "request.name"
    walk.send(Text("je veux parler à un humain", PERSON))
    assert HUMAN_TEXT in walk.says() and walk.step == "request.name"
    assert "name" not in walk.state.answers


def test_an_unclear_answer_to_the_danger_check_asks_it_again(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.send(Text("…", Intent("crisis", 1.0, tier="possible", about="self")))
    walk.send(Text("peut-être", None))
    assert walk.state.overlay == "check" and walk.says()[0] == texts.USE_BUTTONS
    walk.send(Text("bof", Intent("unknown", 0.1)))
    assert walk.state.overlay == "check"
    assert walk.step == "main.menu"  # never the menu on its own, the check still open
