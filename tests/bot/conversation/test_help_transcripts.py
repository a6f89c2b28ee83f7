"""Transcripts in French, Dutch and English: each danger gets its own lines in the person's
language, the check's three answers, distress inside a question about PAT, and the help screen
from the middle of a request. Through the whole service (classifier, engine, catalogs)."""

from __future__ import annotations

import pytest

from bot.app import App
from flows.engine import Command, Start
from tests.bot.conversation.conftest import press, say

# The listening lines of each language (content brief): French 0800 32 123 and 107, Dutch
# 1813 and 106, English all four.
LISTENING = {"fr": ("0800 32 123", "107"), "nl": ("1813", "106"), "en": ("0800 32 123", "1813")}

# (language, danger, what a person types, numbers its lines must show)
SITUATIONS = [
    ("fr", "suicide", "je veux en finir ce soir", ("112", "0800 32 123", "107")),
    ("nl", "suicide", "ik wil er vanavond een einde aan maken", ("112", "1813", "106")),
    ("en", "suicide", "i want to end my life tonight", ("112", "1813", "0800 32 123")),
    (
        "fr",
        "overdose",
        "elle a pris toute la plaquette et elle respire plus du tout",
        ("112", "070 245 245"),
    ),
    ("nl", "overdose", "mijn vriend ademt niet meer na al die pillen", ("112", "070 245 245")),
    ("en", "overdose", "my friend took all his pills and is not breathing", ("112", "070 245 245")),
    ("fr", "violence", "mon copain me frappe et il rentre ce soir", ("112", "101", "0800 30 030")),
    ("nl", "violence", "mijn man slaat mij en hij komt zo thuis", ("112", "101", "1712")),
    (
        "en",
        "violence",
        "my husband beats me and he is coming home tonight",
        ("112", "101", "0800 30 030", "1712"),
    ),
    ("fr", "shelter", "je n'ai nulle part où dormir ce soir", ("0800 99 340", "CPAS", "112")),
    ("nl", "shelter", "ik heb geen slaapplaats vannacht", ("0800 99 340", "OCMW", "112")),
    ("en", "shelter", "i have nowhere to sleep tonight", ("0800 99 340", "CPAS", "112")),
    ("fr", "other", "ma collègue m'a dit qu'elle voulait se pendre", ("112", "0800 32 123")),
    ("nl", "other", "mijn collega zei dat hij zich wil ophangen", ("112", "1813")),
    (
        "en",
        "other",
        "my colleague told me she wants to hang herself",
        ("112", "0800 32 123", "1813"),
    ),
]
YES = {
    "fr": "Oui, j'ai besoin d'aide maintenant",
    "nl": "Ja, ik heb nu hulp nodig",
    "en": "Yes, I need help now",
}
YES_OTHER = {
    "fr": "Oui, quelqu'un a besoin d'aide",
    "nl": "Ja, iemand heeft hulp nodig",
    "en": "Yes, someone needs help",
}


@pytest.mark.parametrize(("lang", "danger", "typed", "numbers"), SITUATIONS)
async def test_each_situation_gets_its_lines_in_the_persons_language(
    built: App, lang: str, danger: str, typed: str, numbers: tuple[str, ...]
) -> None:
    key = f"t:{lang}:{danger}"
    await built.service.handle(key, Start(locale=lang))
    outs = await say(built, key, typed, lang)
    first = outs[-1].buttons[0].label if outs[-1].buttons else None
    if first is not None and first in (YES[lang], YES_OTHER[lang]):  # asked first: yes
        outs = await press(built, key, outs, first)
    said = "\n".join(o.text for o in outs)
    for number in numbers:
        assert number in said, (lang, danger, said)
    labels = [b.label for b in outs[-1].buttons]
    assert len(labels) == 2 and labels[0].startswith("↩")  # back where they were, or all lines


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
async def test_the_three_answers_of_the_check(built: App, lang: str) -> None:
    despair = {
        "fr": "je n'en peux plus",
        "nl": "ik zie het niet meer zitten",
        "en": "life is not worth living",
    }
    question = {"fr": "Une formation", "nl": "Een opleiding", "en": "Training"}
    for answer in range(3):
        key = f"c:{lang}:{answer}"
        menu = await built.service.handle(key, Start(locale=lang))
        first = await press(built, key, menu, question[lang])
        outs = await say(built, key, despair[lang], lang)
        check = outs[-1]
        for number in ("112", *LISTENING[lang]):
            assert number in check.text  # 112 and the listening lines on the screen itself
        assert len(check.buttons) == 3
        outs = await press(built, key, outs, check.buttons[answer].label)
        said = "\n".join(o.text for o in outs)
        if answer == 0:  # yes: the help lines
            assert all(n in said for n in LISTENING[lang]) and outs[-1].buttons[0].label.startswith(
                "↩"
            )
        else:  # no, but not OK: kind words and the lines; no, a work question: thanks. Then back.
            if answer == 1:
                assert all(n in said for n in LISTENING[lang])
            assert outs[-1].text == first[-1].text


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
async def test_distress_inside_a_question_about_pat_comes_first_and_the_question_waits(
    built: App, lang: str
) -> None:
    typed = {
        "fr": "Combien coûte l'accompagnement de PAT ? Et franchement je veux en finir, je ne vois plus d'issue.",
        "nl": "Hoeveel kost de begeleiding van PAT? En eerlijk gezegd wil ik er een einde aan maken.",
        "en": "How much does PAT's support cost? And honestly I want to end my life.",
    }
    key = f"q:{lang}"
    await built.service.handle(key, Start(locale=lang))
    outs = await say(built, key, typed[lang], lang)
    if len(outs[-1].buttons) == 3:  # asked first
        outs = await press(built, key, outs, YES[lang])
    said = "\n".join(o.text for o in outs)
    assert "112" in said and LISTENING[lang][0] in said
    waits = {
        "fr": "Votre question sur PAT peut attendre",
        "nl": "Uw vraag over PAT kan wachten",
        "en": "Your question about PAT can wait",
    }
    assert waits[lang] in said
    back = await press(built, key, outs, outs[-1].buttons[0].label)
    # The question answered now (or, when not sure, "did you mean" with PAT's cost offered).
    answered = "\n".join([o.text for o in back] + [b.label for o in back for b in o.buttons])
    assert "PAT" in answered and back[0].text != outs[-1].text


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
async def test_the_help_screen_from_the_middle_of_a_request_in_each_language(
    built: App, lang: str
) -> None:
    key = f"h:{lang}"
    menu = await built.service.handle(key, Start(locale=lang))
    asked = await press(
        built, key, menu, {"fr": "Une formation", "nl": "Een opleiding", "en": "Training"}[lang]
    )
    screen = await built.service.handle(key, Command("urgent"))
    text = screen[-1].text
    for number in ("112", "070 245 245", "0800 99 340", "101", *LISTENING[lang]):
        assert number in text, (lang, number)
    back = await press(built, key, screen, screen[-1].buttons[0].label)
    assert back[-1].text == asked[-1].text
