"""Nothing thrown away without asking (#28, point 3), through the whole service in French,
Dutch and English: the menu during a request with answers asks once, in the person's language;
an over-long text is refused with its length and the limit, written the way of the language."""

from __future__ import annotations

import pytest

from bot.app import App
from flows.engine import Command, Start
from tests.bot.conversation.conftest import press, say

WORDS = {
    "fr": {
        "accompaniment": "Accompagner mon organisation",
        "go": "Commencer ma demande",
        "ask": "Abandonner votre demande ? Vos réponses seront perdues.",
        "yes": "Oui, abandonner",
        "no": "Continuer ma demande",
        "menu": "Que puis-je faire pour vous ?",
        "long": "Votre message fait 2\u202f997 caractères ; la limite est de 2\u202f000. "
        "Pouvez-vous le raccourcir ?",
        "typed_yes": "oui",
        "typed_no": "non",
    },
    "nl": {
        "accompaniment": "Begeleiding van mijn organisatie",
        "go": "Mijn aanvraag starten",
        "ask": "Uw aanvraag stopzetten? Uw antwoorden gaan dan verloren.",
        "yes": "Ja, stopzetten",
        "no": "Mijn aanvraag verderzetten",
        "menu": "Wat kan ik voor u doen?",
        "long": "Uw bericht telt 2.997 tekens; het maximum is 2.000. Kunt u het inkorten?",
        "typed_yes": "ja",
        "typed_no": "nee",
    },
    "en": {
        "accompaniment": "Support for my organisation",
        "go": "Start my request",
        "ask": "Cancel your request? Your answers will be lost.",
        "yes": "Yes, cancel it",
        "no": "Continue my request",
        "menu": "What can I do for you?",
        "long": "Your message is 2,997 characters long; the limit is 2,000. Could you shorten it?",
        "typed_yes": "yes",
        "typed_no": "no",
    },
}


async def at_the_sector(built: App, key: str, lang: str) -> str:
    """In the accompaniment's questions, the organisation given; the question now asked."""
    w = WORDS[lang]
    outs = await built.service.handle(key, Start(locale=lang))
    outs = await press(built, key, outs, w["accompaniment"])
    outs = await press(built, key, outs, w["go"])
    outs = await say(built, key, "ASBL Soleil", lang)
    return outs[-1].text


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
async def test_the_menu_asks_once_and_continue_keeps_the_answers(built: App, lang: str) -> None:
    w, key = WORDS[lang], f"tg:a{lang}"
    question = await at_the_sector(built, key, lang)
    outs = await say(built, key, "menu", lang)  # the Menu button's label, typed
    assert [o.text for o in outs] == [w["ask"]]
    assert [b.label for b in outs[-1].buttons] == [w["yes"], w["no"]]
    outs = await press(built, key, outs, w["no"])
    assert outs[-1].text == question
    state = await built.service.state_of(key)
    assert state is not None and state.answers["organisation"] == "ASBL Soleil"
    outs = await built.service.handle(key, Command("menu"))
    outs = await press(built, key, outs, w["yes"])
    assert outs[-1].text == w["menu"]
    state = await built.service.state_of(key)
    assert state is not None and "organisation" not in state.answers


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
async def test_yes_or_no_typed_answers_the_question(built: App, lang: str) -> None:
    w, key = WORDS[lang], f"tg:t{lang}"
    question = await at_the_sector(built, key, lang)
    await built.service.handle(key, Command("cancel"))
    outs = await say(built, key, w["typed_no"], lang)
    assert outs[-1].text == question
    await built.service.handle(key, Command("cancel"))
    outs = await say(built, key, w["typed_yes"], lang)
    assert outs[-1].text == w["menu"]


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
async def test_an_over_long_text_is_refused_with_its_length(built: App, lang: str) -> None:
    w, key = WORDS[lang], f"tg:l{lang}"
    question = await at_the_sector(built, key, lang)
    outs = await say(built, key, "Bonjour. " * 333, lang)  # 2,997 characters
    assert [o.text for o in outs] == [w["long"], question]  # the question stays open
    state = await built.service.state_of(key)
    assert state is not None and state.step == "accompaniment.sector"
