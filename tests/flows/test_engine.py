"""Transcripts through every path of the conversation, on the pure engine alone."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from flows import texts
from flows.engine import (
    Choice,
    Command,
    Consent,
    ConsentGiven,
    ConsentRefused,
    Intent,
    Msg,
    Say,
    State,
    Submit,
    Text,
)
from flows.loader import FlowSet, load_flows
from flows.schema import ChoiceStep
from flows.validators import MAX_INPUT_CHARS
from tests.helpers import CONTACT, NOW, Walk, give_contact


def submitted(walk: Walk) -> Submit:
    subs = [e for e in walk.effects if isinstance(e, Submit)]
    assert len(subs) == 1
    return subs[0]


def send_from_summary(walk: Walk) -> Submit:
    walk.press("_send")
    sub = submitted(walk)
    assert walk.step == "main.menu"
    assert "Merci ! Votre demande du {date} est enregistrée sous la référence {ref}." in walk.says()
    assert walk.says()[-1] == "Que puis-je faire pour vous ?"
    # Once handed over, the conversation keeps nothing personal.
    assert walk.state.answers == {} and walk.state.consent is None
    return sub


def test_start_welcomes_says_it_is_a_bot_and_shows_the_menu(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    said = " ".join(walk.says())
    assert "robot" in said and "pas une personne" in said and "112" in said
    assert "pat@smes.be" in said
    assert walk.step == "main.menu"
    assert walk.buttons() == [
        "faq",
        "training",
        "accompaniment",
        "intervision",
        "other",
        "help_now",
        "language",
    ]


def faq_topics(flows: FlowSet, menu: str = "faq.topics") -> list[str]:
    step = flows.step(menu)
    assert isinstance(step, ChoiceStep)
    return [o.id for o in step.options if o.id not in ("more_topics", "back")]


# The practical questions PAT's documents do not answer (honest answers), one menu further.
PRACTICAL = faq_topics(load_flows(), "faq.more_topics")


# The topics the issues named: they must stay. A new topic needs no change here.
NAMED = [
    "what_is",
    "brings",
    "relapse",
    "competition",
    "qualification",
    "place",
    "confidentiality",
    "funding",
    "become",
    "about_pat",
    "cost",
]


def test_the_faq_covers_every_topic_the_issues_name(flows: FlowSet) -> None:
    assert faq_topics(flows)[: len(NAMED)] == NAMED


@pytest.mark.parametrize("topic", faq_topics(load_flows()) + PRACTICAL)
def test_each_faq_answer_ends_with_next_steps(flows: FlowSet, topic: str) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("faq")
    if topic in PRACTICAL:
        walk.press("more_topics")
    walk.press(topic)
    assert len(walk.says()) >= 2  # answer bubbles, then "Et maintenant ?"
    assert walk.state.faq_read == [topic]
    if "more" in walk.buttons():  # a longer answer: its second part on demand
        assert walk.buttons() == ["more", "another", "contact", "_menu"]
        first = walk.says()
        walk.press("more")
        assert walk.says()[0] not in first
    if topic in ("become", "training_practical"):  # never a job promised; the trainings instead
        assert walk.buttons() == ["training", "another", "_menu"]
        walk.press("training")
        assert walk.step == "training.profile"
        return
    assert walk.step == "faq.after"
    assert walk.buttons() == ["another", "contact", "_menu"]
    walk.press("another")
    assert walk.step == "faq.topics"


def test_faq_then_get_in_touch_records_topics_read_in_the_request(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start("src_flyer2026")
    walk.press("faq")
    walk.press("relapse")
    walk.press("another")
    walk.press("place")
    walk.press("contact")
    assert walk.step == "main.get_in_touch"
    walk.press("other")
    walk.type("Bonjour, pouvez-vous nous rappeler ?")
    give_contact(walk)
    sub = send_from_summary(walk)
    assert sub.offer == "other"
    assert sub.faq_read == ("relapse", "place")
    assert sub.source == "src_flyer2026"


def test_a_second_request_carries_only_what_happened_in_its_own_conversation(
    flows: FlowSet,
) -> None:
    walk = Walk(flows)
    walk.start("src_flyer2026")
    walk.press("faq")
    walk.press("relapse")
    walk.press("contact")
    walk.press("other")
    walk.type("Bonjour, pouvez-vous nous rappeler ?")
    give_contact(walk)
    first = send_from_summary(walk)
    assert first.faq_read == ("relapse",) and first.source == "src_flyer2026"
    # Same chat, right after: a new request with no FAQ read and no link of its own.
    walk.press("other")
    walk.type("Une autre question, pour ma collègue.")
    give_contact(walk)
    second = send_from_summary(walk)
    assert second.faq_read == () and second.source is None
    # /start with another link: only that link counts.
    walk.start("src_salon")
    walk.press("other")
    walk.type("Encore une question.")
    give_contact(walk)
    assert send_from_summary(walk).source == "src_salon"
    # /start without a link after reading the FAQ: the earlier reading is not carried over.
    walk.press("faq")
    walk.press("place")
    walk.start()
    walk.press("other")
    walk.type("Dernière question.")
    give_contact(walk)
    third = send_from_summary(walk)
    assert third.faq_read == () and third.source is None


def test_training_individual_full_path(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("training")
    assert walk.step == "training.profile"
    walk.press("peer")
    assert walk.step == "training.format"
    walk.press("individual")
    assert walk.step == "training.region"
    walk.press("wallonia")
    assert walk.step == "training.hopes"
    walk.type("Comprendre le rétablissement")
    assert walk.step == "request.consent"
    give_contact(walk, organisation=None)
    sub = send_from_summary(walk)
    assert sub.offer == "training"
    assert sub.answers["profile"] == "peer"
    assert sub.answers["format"] == "individual"
    assert sub.answers["region"] == "wallonia"
    assert sub.answers["organisation"] == ""
    assert "group_size" not in sub.answers
    assert sub.consent_at == NOW


def test_training_for_a_team_asks_how_many_and_skips_the_format(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("training")
    walk.press("team")
    assert walk.step == "training.group_size"
    walk.type("douze")
    assert walk.says() == ["Pouvez-vous écrire un nombre entre 1 et 1000 ? Par exemple : 8"]
    assert walk.step == "training.group_size"
    walk.type("12")
    walk.press("elsewhere")
    assert walk.says()[0].startswith("PAT travaille à Bruxelles et en Wallonie.")
    walk.type("Préparer l'équipe")
    give_contact(walk)
    sub = send_from_summary(walk)
    assert sub.answers["group_size"] == "12"
    assert "format" not in sub.answers


def test_accompaniment_full_path_with_concerns(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("accompaniment")
    assert walk.step == "accompaniment.start"  # the steps can be read before deciding
    walk.press("steps")
    said = "\n".join(walk.says())
    for step in (
        "analyser les besoins",
        "craintes et les représentations",
        "description de fonction",
        "cadre de fonctionnement",
        "financement et les conditions du contrat",
        "entretien d'embauche, où PAT peut être présent",
        "préparer l'équipe",
        "accueillir, soutenir et former",
        "supervision",
    ):
        assert step in said, step
    walk.press("go")
    assert walk.step == "accompaniment.organisation"
    walk.type("ASBL Les Ponts")
    walk.press("homelessness")
    assert walk.step == "accompaniment.commune"
    walk.type("schaerbeek")  # the commune answers the region question
    assert walk.state.answers["commune"] == "Schaerbeek (1030)"
    assert walk.state.answers["region"] == "brussels"
    walk.press("decided")
    walk.press("size_10_25")
    walk.press("in_progress")
    assert walk.step == "accompaniment.concerns"
    turn = walk.state.turn
    walk.press("relapse")
    walk.press("competition")
    walk.press("place")
    walk.press("place")  # pressed twice: unselected again
    assert walk.state.turn == turn  # toggling keeps the same buttons valid
    assert walk.last_say().update is True
    assert [b.id for b in walk.last_say().buttons if b.selected] == ["competition", "relapse"]
    walk.press("_done")
    assert walk.step == "accompaniment.concerns_more"
    walk.type("Nous avons peur de mal faire.")
    # The organisation is known: the contact part does not ask it again.
    walk.press("_yes")
    walk.type(CONTACT["name"])
    assert walk.step == "request.role"
    walk.type(CONTACT["role"])
    walk.type(CONTACT["email"])
    walk.press("_skip")
    assert walk.step == "request.summary"
    sub = send_from_summary(walk)
    assert sub.offer == "accompaniment"
    assert sub.answers["organisation"] == "ASBL Les Ponts"
    assert sub.answers["concerns"] == ["competition", "relapse"]
    assert sub.answers["phone"] == ""
    assert "contact_pref" not in sub.answers
    labels = {f.key: f.value for f in sub.fields}
    assert labels["stage"] == Msg("Nous avons décidé d'engager")
    assert labels["commune"] == "Schaerbeek (1030)" and "region" not in labels


def test_intervision_working_peer(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("intervision")
    walk.press("working_peer")
    walk.press("addiction")
    walk.press("_skip")  # no commune: the region is asked
    walk.press("brussels")
    walk.type("Le mardi après-midi, une fois par mois")
    give_contact(walk)
    sub = send_from_summary(walk)
    assert sub.offer == "intervision"
    assert sub.answers["intervision_role"] == "working_peer"
    assert sub.answers["availability"] == "Le mardi après-midi, une fois par mois"


def test_intervision_not_yet_in_post_is_offered_training(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("intervision")
    walk.press("not_yet")
    assert walk.step == "intervision.not_yet"
    walk.press("training")
    assert walk.step == "training.profile"
    assert walk.state.answers == {"offer": "training"}


def test_intervision_coordinator_says_what_they_look_for(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("intervision")
    assert any("personnes qui coordonnent" in s for s in walk.history_texts())
    walk.press("coordinator")
    assert walk.step == "intervision.coordinator"
    assert "PAT vous dira ce qui est possible" in walk.says()[0]
    walk.type("Un espace d'échange entre coordinateurs de maisons d'accueil")
    assert walk.step == "intervision.sector"
    walk.press("social")
    walk.type("Paris")
    assert walk.step == "intervision.commune"  # not a Belgian commune: asked again
    assert walk.says()[0].startswith("Je ne trouve pas cette commune")
    walk.type("9000")  # Ghent: PAT works in Brussels and Wallonia, and says so
    assert walk.says()[0].startswith("PAT travaille à Bruxelles et en Wallonie.")
    walk.type("Le jeudi")
    give_contact(walk)
    sub = send_from_summary(walk)
    assert str(sub.answers["coordinator_needs"]).startswith("Un espace d'échange")


def test_consent_refused_ends_politely_and_keeps_nothing(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("other")
    walk.type("Mon message personnel")
    assert walk.step == "request.consent"
    walk.press("_no")
    assert any(isinstance(e, ConsentRefused) for e in walk.effects)
    assert not any(isinstance(e, ConsentGiven | Submit) for e in walk.history)
    assert "pat@smes.be" in walk.says()[0]
    assert walk.state.answers == {} and walk.state.path == [] and walk.state.consent is None
    assert walk.step == "main.menu"
    walk.send(Command("resume"))  # coming back later shows the menu, nothing of the past
    assert walk.says() == [texts.RESUMED, "Que puis-je faire pour vous ?"]


def test_consent_is_recorded_with_time_and_notice_version(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("other")
    walk.type("Bonjour")
    walk.press("_yes")
    given = [e for e in walk.effects if isinstance(e, ConsentGiven)]
    assert given == [ConsentGiven("2026-12-v7", NOW)]
    assert walk.step == "request.name"


def test_invalid_then_valid_email_and_phone(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("other")
    walk.type("Bonjour")
    walk.press("_yes")
    walk.type("Jean")
    walk.press("_skip")
    walk.type("éducateur")
    assert walk.step == "request.email"
    for wrong in ("jean", "jean@", "jean@@example.be", "jean@example"):
        walk.type(wrong)
        assert walk.step == "request.email"
        assert walk.says()[0].startswith("Cette adresse ne semble pas complète")
        assert walk.buttons() == ["_menu"]
    walk.type("  Jean.Test@Example.BE ")
    assert walk.step == "request.phone"
    for wrong in ("123", "0470 12 34 5", "téléphone", "+32 470 12 34 56 78 90"):
        walk.type(wrong)
        assert walk.step == "request.phone", wrong
        assert walk.says()[0].startswith("Je ne reconnais pas ce numéro")
    walk.type("0470/12.34.56")
    assert walk.step == "request.preferred"
    walk.press("phone")
    sub_walk_fields = {f.key: f.raw for f in walk.last_say().fields}
    assert sub_walk_fields["email"] == "Jean.Test@example.be"
    assert sub_walk_fields["phone"] == "+32 470 12 34 56"
    assert sub_walk_fields["contact_pref"] == "phone"


def test_correction_from_the_summary_returns_to_the_summary(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("other")
    walk.type("Bonjour")
    give_contact(walk)
    walk.press("_edit")
    assert walk.says() == [texts.PICK_FIELD]
    assert "_f:request.email" in walk.buttons() and "_back" in walk.buttons()
    walk.press("_f:request.email")
    assert walk.step == "request.email"
    walk.type("nouvelle@example.be")
    assert walk.step == "request.summary"
    values = {f.key: f.raw for f in walk.last_say().fields}
    assert values["email"] == "nouvelle@example.be"
    assert values["name"] == CONTACT["name"]
    sub = send_from_summary(walk)
    assert sub.answers["email"] == "nouvelle@example.be"


def test_correction_back_button_shows_the_summary_again(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("other")
    walk.type("Bonjour")
    give_contact(walk)
    walk.press("_edit")
    walk.press("_back")
    assert walk.step == "request.summary"
    assert walk.buttons() == ["_send", "_edit", "_menu"]


def test_correcting_a_branching_answer_asks_only_what_is_new(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("training")
    walk.press("worker")
    walk.press("individual")
    walk.press("brussels")
    walk.type("Les bases")
    give_contact(walk)
    walk.press("_edit")
    walk.press("_f:training.format")
    walk.press("group")
    assert walk.step == "training.group_size"  # new question on the new branch
    walk.type("6")
    assert walk.step == "request.summary"  # everything else was already answered
    sub = send_from_summary(walk)
    assert sub.answers["format"] == "group" and sub.answers["group_size"] == "6"
    assert sub.answers["hopes"] == "Les bases"


def test_correcting_back_to_a_shorter_branch_drops_the_old_answer(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("training")
    walk.press("worker")
    walk.press("group")
    walk.type("6")
    walk.press("brussels")
    walk.type("Les bases")
    give_contact(walk)
    walk.press("_edit")
    walk.press("_f:training.format")
    walk.press("individual")
    assert walk.step == "request.summary"
    assert "group_size" not in {f.key for f in walk.last_say().fields}
    sub = send_from_summary(walk)
    assert "group_size" not in sub.answers


def test_adding_a_phone_during_correction_asks_the_preferred_contact(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("other")
    walk.type("Bonjour")
    give_contact(walk, phone=None)
    walk.press("_edit")
    walk.press("_f:request.phone")
    walk.type("02 511 11 11")
    assert walk.step == "request.preferred"
    walk.press("either")
    assert walk.step == "request.summary"


def test_old_button_gets_an_explanation_and_the_current_question(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    old_turn = walk.state.turn
    walk.press("training")
    walk.send(Choice("accompaniment", old_turn))
    assert walk.says()[0] == texts.STALE
    assert walk.step == "training.profile"
    assert walk.buttons()[:2] == ["peer", "management"]
    assert walk.state.answers == {"offer": "training"}


def test_unknown_button_is_treated_as_stale(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.send(Choice("nope", walk.state.turn))
    assert walk.says()[0] == texts.STALE
    assert walk.step == "main.menu"


def test_typing_at_a_choice_explains_and_repeats_the_question(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("training")
    walk.type("je ne sais pas")
    assert walk.says()[0] == texts.USE_BUTTONS
    assert walk.step == "training.profile"
    assert "profile" not in walk.state.answers


def test_too_long_message_is_refused_kindly_and_nothing_stored(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("other")
    before = walk.state.model_copy(deep=True)
    walk.type("x" * 10_000)
    first = walk.effects[0]
    expected = Msg(texts.TOO_LONG, {"length": 10_000, "limit": MAX_INPUT_CHARS})
    assert isinstance(first, Say) and first.text == expected
    assert walk.state.answers == before.answers
    assert walk.step == "other.message"
    assert walk.last_say().expects == "text"  # the question stays open
    walk.type("x" * MAX_INPUT_CHARS)  # at the limit: taken whole
    assert walk.step == "request.consent"


def test_a_long_text_of_which_the_channel_passed_only_the_start_says_its_true_length(
    flows: FlowSet,
) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("other")
    walk.send(Text("x" * 4097, length=64_000))
    first = walk.effects[0]
    assert isinstance(first, Say) and first.text.params["length"] == 64_000
    assert walk.step == "other.message" and "message" not in walk.state.answers


def test_menu_from_anywhere_and_cancel(flows: FlowSet) -> None:
    # With answers given, each way out asks first (test_abandon.py); pressed through here.
    walk = Walk(flows)
    walk.start()
    walk.press("accompaniment")
    walk.type("ASBL X")  # typed at a choice: no answer given, so nothing to ask
    walk.press("_menu")
    assert walk.step == "main.menu"
    walk.press("accompaniment")
    walk.press("go")
    walk.type("ASBL X")
    walk.send(Command("menu"))
    assert walk.says() == [texts.ABANDON_CONFIRM]
    walk.press("_abandon_yes")
    assert walk.step == "main.menu"
    walk.press("other")
    walk.type("Bonjour")
    walk.send(Command("cancel"))
    walk.press("_abandon_yes")
    assert walk.says()[0] == texts.CANCELLED
    assert walk.step == "main.menu"
    assert walk.state.answers == {}


def test_help_and_privacy_repeat_the_current_question(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("training")
    turn = walk.state.turn
    walk.send(Command("help"))
    assert walk.says()[0] == texts.HELP
    assert walk.step == "training.profile" and walk.state.turn == turn
    walk.send(Command("privacy"))
    assert walk.says()[: len(texts.PRIVACY_NOTICE)] == list(texts.PRIVACY_NOTICE)
    walk.press("peer")  # the buttons shown before /help still work
    assert walk.step == "training.format"


def test_resume_repeats_the_question(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("training")
    walk.send(Command("resume"))
    assert walk.says()[0] == texts.RESUMED
    assert walk.step == "training.profile"


def test_first_message_without_start_opens_the_conversation(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.send(Text("bonjour"))
    assert walk.step == "main.menu"
    assert walk.state.started


def test_every_path_is_reachable_and_every_step_visited(flows: FlowSet) -> None:
    """Explores the whole graph with buttons and valid answers: no dead end, no crash."""
    answers = {
        "count": "3",
        "email": "a@example.be",
        "phone": "0470123456",
        "name": "Ana",
        "short_text": "Test",
        "long_text": "Test",
        "commune": "Namur",
    }
    seen: set[str] = set()
    frontier = [Walk(flows)]
    frontier[0].start()
    for name in flows.intent_targets():  # steps reached by what people type (« a person »)
        typed = Walk(flows)
        typed.start()
        typed.send(Text("…", Intent(name, 0.9)))
        frontier.append(typed)
    explored = 0
    while frontier and explored < 3000:
        walk = frontier.pop()
        explored += 1
        seen.add(walk.step)
        step = flows.step(walk.step)
        for option in walk.buttons():
            if option == "_menu" or (option == "_edit" and walk.step != "request.summary"):
                continue
            branch = Walk(flows)
            branch.state, branch.effects = walk.state.model_copy(deep=True), walk.effects
            branch.press(option)
            if branch.step not in seen or option in ("_send", "_yes", "_no"):
                frontier.append(branch)
        validator = getattr(step, "validator", None)
        if validator:
            branch = Walk(flows)
            branch.state = walk.state.model_copy(deep=True)
            branch.type(answers[validator])
            assert branch.step != walk.step
            if branch.step not in seen:
                frontier.append(branch)
    waiting = {q for q, s in flows.steps.items() if s.kind not in ("message", "submit", "end")}
    assert waiting - seen == set()


def test_a_cloned_state_shares_nothing_mutable_with_the_original() -> None:
    original = State(
        answers={"name": "Sam", "concerns": ["relapse", "place"]},
        path=["main", "faq"],
        faq_read=["relapse"],
        suggestions=["funding"],
        consent=Consent(version="v1", at=NOW),
    )
    snapshot = original.model_dump()
    copy = original.clone()
    assert copy == original
    copy.answers["name"] = "Alex"
    concerns = copy.answers["concerns"]
    assert isinstance(concerns, list)
    concerns.append("funding")
    copy.path.append("training")
    copy.faq_read.clear()
    copy.suggestions.append("x")
    with pytest.raises(ValidationError):
        copy.consent.version = "v2"  # type: ignore[union-attr,misc]
    assert original.model_dump() == snapshot
    # A mutable field added to State later must be copied by clone() too.
    fresh = State()
    for name in State.model_fields:
        value = getattr(fresh, name)
        if isinstance(value, list | dict | set):
            assert getattr(fresh.clone(), name) is not value, name


def test_a_clone_shares_no_list_or_dict_with_its_state_whatever_the_fields() -> None:
    """The review's point: a hand-written list of fields to copy broke silently when a field
    was added. Every list or dict field is copied, found from the fields' types."""
    state = State()
    copy = state.clone()
    for name in State.model_fields:
        value = getattr(state, name)
        if isinstance(value, list | dict):
            assert getattr(copy, name) is not value, name
