"""Distress as a safety component: the labelled set's targets, the tiers, who is in danger,
language scoping, and what the engine does with each verdict."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from flows import texts
from flows.distress import Detector
from flows.engine import Command, Intent, Text
from flows.loader import FlowSet
from flows.locales import LOCALES
from flows.nlu import Classifier
from tests.helpers import Walk, give_contact

EVAL = Path(__file__).resolve().parent.parent / "distress_eval.tsv"
KINDS = {"intent", "method", "act", "indirect", "shelter"}
LOOKALIKE_KINDS = {"professional", "idiom", "history", "ordinary"}


def read_set(path: Path = EVAL) -> list[tuple[str, str, str, str, str]]:
    """Lines "lang, expected, about, kind, text" (see the file's header)."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            lang, expected, about, kind, text = line.split("\t")
            rows.append((lang, expected, about, kind, text))
    return rows


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


@pytest.fixture(scope="module")
def classifier(flows: FlowSet) -> Classifier:
    return Classifier.from_flows(flows)


def test_the_set_is_as_big_and_varied_as_the_issue_asks() -> None:
    rows = read_set()
    distress = [r for r in rows if r[1] == "distress"]
    lookalikes = [r for r in rows if r[1] == "lookalike"]
    assert len(rows) >= 300 and len(distress) >= 150 and len(lookalikes) >= 100
    assert sum(r[3] == "indirect" for r in distress) >= 40
    assert sum(r[2] == "other" for r in distress) >= 20
    assert {r[0] for r in rows} == set(LOCALES)
    assert {r[3] for r in distress} == KINDS
    assert {r[3] for r in lookalikes} == LOOKALIKE_KINDS


def test_recall_is_complete_on_the_set(detector: Detector) -> None:
    """A miss here is a bug: fix the lexicon or the rule, never the set."""
    missed = [
        (lang, text)
        for lang, expected, _, _, text in read_set()
        if expected == "distress" and detector.check(text, lang) is None
    ]
    assert missed == []


def test_few_sure_alarms_on_lookalikes(detector: Detector) -> None:
    lookalikes = [
        (lang, text) for lang, expected, _, _, text in read_set() if expected != "distress"
    ]
    sure = [
        (lang, text)
        for lang, text in lookalikes
        if (found := detector.check(text, lang)) is not None and found.tier == "sure"
    ]
    assert len(sure) <= 0.05 * len(lookalikes), sure


def test_someone_else_is_recognised(detector: Detector) -> None:
    rows = [(lang, text) for lang, expected, about, _, text in read_set() if about == "other"]
    wrong = [
        (lang, text)
        for lang, text in rows
        if (found := detector.check(text, lang)) is None or found.about != "other"
    ]
    assert len(wrong) <= 0.15 * len(rows), wrong


def test_explicit_distress_is_mostly_sure(detector: Detector) -> None:
    rows = [
        (lang, text)
        for lang, expected, about, kind, text in read_set()
        if expected == "distress" and kind != "indirect"
    ]
    tiers = Counter(
        found.tier for lang, text in rows if (found := detector.check(text, lang)) is not None
    )
    assert tiers["sure"] >= 0.85 * len(rows), tiers


@pytest.mark.parametrize(
    ("lang", "text", "tier", "about", "shelter"),
    [
        # The examples of the issue, written fresh by a tester.
        ("fr", "j'ai envie de me pendre", "sure", "self", False),
        ("fr", "je suis en train de mourir", "sure", "self", False),
        ("en", "life is not worth living", "possible", "self", False),
        ("nl", "ik zie het niet meer zitten", "possible", "self", False),
        ("en", "I took too many pills", "sure", "self", False),
        ("fr", "je n'en peux plus, je veux que tout s'arrête", "possible", "self", False),
        ("fr", "je dors dehors cette nuit", "sure", "self", True),
        (
            "fr",
            "la question du suicide est-elle abordée dans la formation ?",
            "possible",
            None,
            False,
        ),
        # Someone else.
        ("fr", "mon collègue m'a dit qu'il voulait mourir", "sure", "other", False),
        ("en", "my colleague keeps talking about killing himself", "sure", "other", False),
        ("nl", "mijn collega wil er een einde aan maken", "sure", "other", False),
        # A language other than the chat's.
        ("fr", "I want to kill myself", "sure", "self", False),
        ("en", "ik wil niet meer leven", "sure", "self", False),
    ],
)
def test_tiers_of_fresh_sentences(
    detector: Detector, lang: str, text: str, tier: str, about: str | None, shelter: bool
) -> None:
    found = detector.check(text, lang)
    assert found is not None, text
    assert found.tier == tier, found.reason
    if about is not None:
        assert found.about == about, found.reason
    assert (found.kind == "shelter") is shelter
    assert found.found in found.reason  # every verdict says which words decided it


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "cette deadline me tue"),
        ("fr", "mort de rire"),
        ("en", "this deadline is killing me"),
        ("nl", "ik ga dood van de honger"),
        ("fr", "il va pas prendre la place des infirmières ?"),
        ("fr", "je veux nourrir la réflexion de l'équipe"),
        ("nl", "de mensen die ik begeleid zijn dakloos"),  # Dutch "die" is not English "die"
        ("fr", "formation prévention du suicide ?"),
        # Real words that look like a typo of another (flows/lexicon/real_words.json).
        ("fr", "est-ce que je vais perdre mes allocations si je deviens pair-aidant ?"),
        ("fr", "on a peur de perdre du temps avec cette formation"),
        ("en", "we are hiring a peer worker who was homeless for years"),
        ("nl", "we moeten een opvangcentrum voor de nacht openen, zoekt u een begeleider?"),
    ],
)
def test_everyday_words_are_not_distress(detector: Detector, lang: str, text: str) -> None:
    assert detector.check(text, lang) is None


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "comment réagir quand un usager dit qu'il veut se pendre ?"),
        ("en", "our team works with young people who cut themselves, is there a training?"),
        ("fr", "j'ai fait une tentative de suicide il y a dix ans, je veux devenir pair-aidant"),
    ],
)
def test_general_or_past_findings_ask_first(detector: Detector, lang: str, text: str) -> None:
    found = detector.check(text, lang)
    assert found is not None and found.tier == "possible", found


# -- language scoping ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "text", "not_expected"),
    [
        # Each of these was matched to another language's keyword before matching was scoped.
        # French « en train » (in the middle of) is not the English keyword "trained"…
        ("fr", "je suis en train de lire votre page", "training"),
        # …nor is « le train » you take to come to a meeting.
        ("fr", "je prends le train demain", "training"),
        # Dutch "help" is Dutch too: not the English keyword for what a peer worker brings.
        ("nl", "ik help graag mee", "brings"),
        # French « définir » is not the English "definition".
        ("fr", "nous devons définir le cadre", "what_is"),
        # A French « employé » (an employee) is not the English "employ" (to hire).
        ("fr", "je suis employé de bureau", "accompaniment"),
        # French « belles » (beautiful) is not the Dutch "bellen" (to phone).
        ("fr", "on attend de belles choses", "other"),
        # English "engagement" (involvement) is not the French « engagement » (a hiring).
        ("en", "user engagement is low in our service", "accompaniment"),
    ],
)
# The learned topic model reads every language at once: it may still ask "did you mean" for
# such a text (two of these); it never acts on it alone (``level`` high).
def test_words_of_another_language_never_match_by_accident(
    classifier: Classifier, lang: str, text: str, not_expected: str
) -> None:
    got = classifier.classify(text, lang)
    assert not (got.name == not_expected and got.level == "high"), got


def test_a_text_clearly_in_another_language_is_read_in_it(classifier: Classifier) -> None:
    assert classifier.classify("what if they relapse", "fr").name == "relapse"
    assert classifier.classify("wat als hij hervalt", "en").name == "relapse"


# -- what the engine does with each verdict ------------------------------------------------------

SURE = Intent("crisis", 1.0, tier="sure", about="self")
POSSIBLE = Intent("crisis", 1.0, tier="possible", about="self")


def test_sure_distress_shows_the_help_lines_then_warm_words_never_the_menu(
    flows: FlowSet,
) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("accompaniment")
    walk.press("go")
    walk.type("ASBL Soleil")
    walk.send(Text("…", SURE))
    assert walk.says() == [texts.CRISIS, texts.CRISIS_AFTER]
    assert walk.buttons() == ["_back_here", "_all_lines"]  # no cheerful services menu
    walk.press("_all_lines")
    assert walk.says() == [texts.HELP_NOW] and walk.buttons() == ["_back_here"]
    walk.press("_back_here")  # exactly where they were, answers kept
    assert walk.step == "accompaniment.sector"
    assert walk.state.answers["organisation"] == "ASBL Soleil"


def test_someone_else_gets_the_lines_for_worried_people(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.send(Text("…", Intent("crisis", 1.0, tier="sure", about="other")))
    said = walk.says()
    assert said == [texts.CRISIS_OTHER, texts.CRISIS_AFTER_OTHER]
    assert "0800 32 123" in said[0] and "112" in said[0] and "107" in said[0]
    walk.press("_back_here")
    assert walk.step == "main.menu"


@pytest.mark.parametrize(
    ("danger", "text", "numbers"),
    [
        ("shelter", texts.CRISIS_SHELTER, ("0800 99 340", "CPAS", "en journée", "112")),
        ("overdose", texts.CRISIS_OVERDOSE, ("112", "070 245 245")),
        ("violence", texts.CRISIS_VIOLENCE, ("112", "101", "0800 30 030")),
        ("child", texts.CRISIS_CHILD, ("112", "101", "103")),
        ("suicide", texts.CRISIS, ("112", "0800 32 123", "107")),
        ("selfharm", texts.CRISIS, ("112", "0800 32 123", "107")),
        ("despair", texts.CRISIS, ("112", "0800 32 123", "107")),
    ],
)
def test_each_danger_gets_its_own_lines(
    flows: FlowSet, danger: str, text: str, numbers: tuple[str, ...]
) -> None:
    walk = Walk(flows)
    walk.start()
    walk.send(Text("…", Intent("crisis", 1.0, tier="sure", danger=danger)))  # type: ignore[arg-type]
    assert walk.says() == [text, texts.CRISIS_AFTER]
    for number in numbers:
        assert number in text


def test_help_asked_without_a_kind_opens_the_help_screen(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.send(Text("…", Intent("crisis", 1.0, tier="sure", danger="help")))
    assert walk.says() == [texts.HELP_NOW] and walk.buttons() == ["_back_here"]


def test_possible_distress_asks_with_112_and_the_listening_lines(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.send(Text("…", POSSIBLE))
    assert walk.says() == [texts.CHECK_SELF]
    for number in ("112", "0800 32 123", "107"):
        assert number in texts.CHECK_SELF
    assert walk.buttons() == ["_danger_yes", "_danger_not_ok", "_danger_no"]
    walk.press("_danger_yes")
    assert walk.says() == [texts.CRISIS, texts.CRISIS_AFTER]


def test_no_but_not_ok_gets_kind_words_and_the_listening_lines(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("training")
    walk.send(Text("…", POSSIBLE))
    walk.press("_danger_not_ok")
    said = walk.says()
    assert said[0] == texts.NOT_OK and "0800 32 123" in said[0] and "107" in said[0]
    assert walk.step == "training.profile" and said[-1] == walk.last_say().text.id
    assert walk.state.overlay == "none"


def test_no_but_worried_about_someone_gets_the_lines_for_worried_people(
    flows: FlowSet,
) -> None:
    walk = Walk(flows)
    walk.start()
    walk.send(Text("…", Intent("crisis", 1.0, tier="possible", about="other")))
    labels = [b.label.id for b in walk.last_say().buttons]
    assert labels == [texts.DANGER_YES_OTHER, texts.DANGER_NOT_OK_OTHER, texts.DANGER_NO]
    walk.press("_danger_not_ok")
    assert walk.says()[0] == texts.NOT_OK_OTHER and "0800 32 123" in texts.NOT_OK_OTHER


def test_a_question_about_pat_waits_until_the_person_goes_back(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    then = Intent("relapse", 0.9)
    walk.send(Text("…", Intent("crisis", 1.0, tier="sure", then=then)))
    assert walk.says() == [texts.CRISIS, texts.CRISIS_AFTER, texts.QUESTION_WAITS]
    walk.press("_all_lines")
    walk.press("_back_here")  # the question, answered now
    assert walk.says()[0] == texts.UNDERSTOOD and walk.state.faq_read == ["relapse"]


def test_the_help_command_from_every_kind_of_step_comes_back_with_the_answers(
    flows: FlowSet,
) -> None:
    walk = Walk(flows)
    walk.send(Command("urgent"))  # even as the very first thing
    assert walk.says() == [texts.HELP_NOW]
    walk.press("_back_here")
    assert walk.step == "main.menu"
    walk.press("help_now")  # the menu entry
    assert walk.says() == [texts.HELP_NOW]
    walk.press("_back_here")
    walk.press("training")
    walk.press("worker")
    walk.send(Command("urgent"))
    walk.press("_back_here")
    assert walk.step == "training.format" and walk.state.answers["profile"] == "worker"


def test_no_danger_answers_the_question_that_was_understood(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    then = Intent("training", 0.9)
    walk.send(Text("…", Intent("crisis", 1.0, tier="possible", about="other", then=then)))
    assert walk.says() == [texts.CHECK_OTHER]
    assert walk.last_say().buttons[0].label.id == texts.DANGER_YES_OTHER
    walk.press("_danger_no")
    said = walk.says()
    assert said[:2] == [texts.NOT_IN_DANGER, texts.UNDERSTOOD]
    assert walk.step == "training.profile" and walk.state.answers == {"offer": "training"}


def test_no_danger_without_a_question_goes_back_where_they_were(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("accompaniment")
    walk.press("go")
    walk.type("ASBL Soleil")
    walk.send(Text("…", POSSIBLE))
    walk.press("_danger_no")  # « non » typed is this button too (tests/bot/conversation)
    assert walk.says() == [texts.NOT_IN_DANGER, "Dans quel secteur travaillez-vous ?"]
    assert walk.step == "accompaniment.sector"


def test_at_a_free_text_question_the_text_is_never_kept(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("training")
    walk.press("worker")
    walk.press("individual")
    walk.press("brussels")
    assert walk.step == "training.hopes"
    hopes = "parler du suicide avec les personnes accompagnées"
    walk.send(Text(hopes, POSSIBLE))
    assert "hopes" not in walk.state.answers and hopes not in walk.state.model_dump_json()
    walk.press("_danger_no")
    assert walk.says() == [texts.NOT_IN_DANGER, texts.RETYPE, walk.says()[-1]]
    # Sent again: taken as the answer this time (a sure finding would still show the lines).
    walk.send(Text(hopes, POSSIBLE))
    assert walk.state.answers["hopes"] == hopes and walk.step == "request.consent"


def test_a_sure_finding_shows_the_lines_even_after_no(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.press("other")
    walk.send(Text("…", POSSIBLE))
    walk.press("_danger_no")
    walk.send(Text("…", SURE))
    assert walk.says()[0] == texts.CRISIS
    assert "message" not in walk.state.answers


def test_the_question_comes_before_a_faq_answer(flows: FlowSet) -> None:
    """Never answer despair with a FAQ."""
    walk = Walk(flows)
    walk.start()
    walk.send(Text("…", Intent("crisis", 1.0, tier="possible", then=Intent("brings", 0.95))))
    assert walk.says() == [texts.CHECK_SELF] and walk.step == "main.menu"


def test_a_whole_request_after_a_check_carries_nothing_of_it(flows: FlowSet) -> None:
    walk = Walk(flows)
    walk.start()
    walk.send(Text("…", POSSIBLE))
    walk.press("_danger_no")
    walk.press("other")
    walk.type("Pouvez-vous m'appeler ?")
    give_contact(walk)
    assert walk.state.overlay == "none" and walk.state.pending == []


def test_back_from_the_help_screen_brings_back_the_question_on_top_of_the_step(
    flows: FlowSet,
) -> None:
    """Found by a hostile tester: /sos during the danger check (or "did you mean", erase?)
    then « Revenir » dropped that question; it comes back as it was."""
    walk = Walk(flows)
    walk.start()
    walk.press("training")
    walk.send(Text("…", Intent("crisis", 1.0, tier="possible", then=Intent("relapse", 0.9))))
    assert walk.says() == [texts.CHECK_SELF]
    walk.send(Command("urgent"))
    walk.press("_back_here")
    assert walk.says() == [texts.CHECK_SELF]  # the check again, its question still waiting
    walk.press("_danger_no")
    assert texts.UNDERSTOOD in walk.says() and walk.state.faq_read == ["relapse"]
    walk.send(Command("menu"))
    walk.send(Text("c koi", Intent("what_is", 0.45, (("brings", 0.4),))))
    assert walk.says() == [texts.DID_YOU_MEAN]
    walk.send(Command("urgent"))
    walk.press("_back_here")
    assert walk.says() == [texts.DID_YOU_MEAN] and "_i:what_is" in walk.buttons()
    walk.send(Command("forget"))
    walk.send(Command("urgent"))
    walk.press("_back_here")
    assert walk.says() == [texts.FORGET_CONFIRM]


@pytest.mark.parametrize(
    "text",
    [
        "SOS aidez-moi",
        "SOS je vais mal",
        "au secours je sais plus quoi faire",
        "Hulp nodig aub",
        "help mij, ik weet het niet meer",
        "Help, I need someone",
    ],
)
def test_a_message_that_starts_with_a_call_for_help_gets_the_help_lines(
    classifier: Classifier, text: str
) -> None:
    """Found by a hostile tester: « SOS » followed by words was not understood at all."""
    intent = classifier.classify(text, "fr")
    assert intent.name == "crisis", intent


@pytest.mark.parametrize(
    "text", ["help writing the job description", "hulp bij de functiebeschrijving"]
)
def test_help_with_something_is_a_question_not_a_call(classifier: Classifier, text: str) -> None:
    assert classifier.classify(text, "en").name != "crisis"


@pytest.mark.parametrize(
    ("text", "lang", "danger"),
    [
        ("soirée chez un pote, une fille convulse par terre après un truc", "fr", "overdose"),
        ("ze ligt te schokken na die pillen", "nl", "overdose"),
        ("he knows where i live and he is waiting outside, im whispering", "en", "violence"),
        ("lol me suis encore tailladée hier soir", "fr", "selfharm"),
    ],
)
def test_dangers_said_without_the_usual_words_are_asked_about(
    flows: FlowSet, text: str, lang: str, danger: str
) -> None:
    """Phrases added after the training writers DW17 and DW18: a seizure, a threat at one's
    door, self-harm told as a habit."""
    got = Classifier.from_flows(flows).crisis(text, lang)
    assert got is not None and got.danger == danger, got


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "je veux me pendre ce soir"),
        ("fr", "je veux mourrir"),  # a typo of the word itself
        ("fr", "j'attends plus rien de la vie"),  # a form of the lexicon's word
        ("en", "i feel hopeless and i want to die"),
    ],
)
def test_real_words_do_not_hide_the_words_they_resemble(
    detector: Detector, lang: str, text: str
) -> None:
    assert detector.check(text, lang) is not None, text


def test_real_words_read_as_themselves_only(detector: Detector) -> None:
    french = detector.lexicons["fr"]
    assert "perdre" in french.real_words
    assert "pendre" not in french.tokens_of("perdre")
    assert "pendre" in french.other_words_like("perdre")  # it would be read so without the list
    assert french.tokens_of("attends") & {"attend", "attends"}  # forms of a word still match


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "my brother is drinking antifreeze"),  # missed by lexicon and model until now
        ("fr", "mon frère a bu de l'antigel"),
        ("nl", "mijn man heeft antivries gedronken"),
    ],
)
def test_a_poison_drunk_now_is_found(detector: Detector, lang: str, text: str) -> None:
    found = detector.check(text, lang)
    assert found is not None and found.kind == "overdose", found
