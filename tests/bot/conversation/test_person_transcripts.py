"""Transcripts in French, Dutch and English (#27): a person asks for a human at the menu, in
the middle of a request and during the danger check, and a long message about two subjects.
Through the whole service (classifier with the shipped models, engine, catalogs)."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.conversation.render import Outgoing
from flows.engine import Start
from tests.bot.conversation.conftest import press, say

PERSON = {
    "fr": "est-ce que je peux parler à un vrai humain svp",
    "nl": "kan ik met een echt iemand van jullie praten aub",
    "en": "can i talk to an actual human please",
}
LEAVE_MESSAGE = {
    "fr": "Laisser un message à l'équipe",
    "nl": "Bericht achterlaten voor het team",
    "en": "Leave the team a message",
}
TRAINING = {"fr": "Une formation", "nl": "Een opleiding", "en": "Training"}
DESPAIR = {
    "fr": "je n'en peux plus",
    "nl": "ik zie het niet meer zitten",
    "en": "life is not worth living",
}
LISTENING = {"fr": ("0800 32 123", "107"), "nl": ("1813", "106"), "en": ("0800 32 123", "1813")}
TWO_SUBJECTS = {
    "fr": (
        "Notre équipe a peur que le futur pair-aidant rechute et on ne sait pas comment réagir "
        "si ça arrive. Et aussi, combien coûte votre accompagnement pour une petite asbl ?"
    ),
    "nl": (
        "Ons team is bang dat de nieuwe ervaringsdeskundige hervalt en we weten niet hoe we "
        "dan moeten reageren. En ook: hoeveel kost jullie begeleiding voor een kleine vzw?"
    ),
    "en": (
        "Our team is worried that the new peer worker might relapse and we don't know how to "
        "react if it happens. Also, how much does your support cost for a small charity?"
    ),
}
YES_ANSWER = {"fr": "Oui, la réponse", "nl": "Ja, graag", "en": "Yes, please"}
NO_ANSWER = {"fr": "Non, merci", "nl": "Nee, dank u", "en": "No, thanks"}


def said(outs: list[Outgoing]) -> str:
    return "\n".join(o.text for o in outs)


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
async def test_a_person_asked_for_at_the_menu(built: App, lang: str) -> None:
    key = f"p:menu:{lang}"
    await built.service.handle(key, Start(locale=lang))
    outs = await say(built, key, PERSON[lang], lang)
    assert "pat@smes.be" in said(outs)
    assert LEAVE_MESSAGE[lang] in [b.label for b in outs[-1].buttons]


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
async def test_a_person_asked_for_in_the_middle_of_a_request(built: App, lang: str) -> None:
    key = f"p:request:{lang}"
    menu = await built.service.handle(key, Start(locale=lang))
    asked = await press(built, key, menu, TRAINING[lang])
    outs = await say(built, key, PERSON[lang], lang)
    assert "pat@smes.be" in said(outs)
    assert outs[-1].text == asked[-1].text  # and the same question again, answers kept


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
async def test_a_person_asked_for_during_the_danger_check(built: App, lang: str) -> None:
    key = f"p:check:{lang}"
    await built.service.handle(key, Start(locale=lang))
    check = await say(built, key, DESPAIR[lang], lang)
    assert len(check[-1].buttons) == 3
    outs = await say(built, key, PERSON[lang], lang)
    text = said(outs)
    assert all(number in text for number in LISTENING[lang]) and "pat@smes.be" in text
    assert [b.label for b in outs[-1].buttons] == [b.label for b in check[-1].buttons]


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
async def test_a_long_message_about_two_subjects(built: App, lang: str) -> None:
    key = f"p:two:{lang}"
    await built.service.handle(key, Start(locale=lang))
    outs = await say(built, key, TWO_SUBJECTS[lang], lang)
    offer = outs[-1]
    assert [b.label for b in offer.buttons] == [YES_ANSWER[lang], NO_ANSWER[lang]], said(outs)
    first = said(outs[:-1])
    answered = await press(built, key, outs, YES_ANSWER[lang])
    second = said(answered)
    assert first and second and first != second
    # Both subjects answered, one at once and one when asked; which comes first is the topic
    # model's reading of the whole (since round 7's training, the cost in Dutch). The cost's
    # answer is the one that names PAT.
    assert "PAT" in first + second
