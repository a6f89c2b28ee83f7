"""A request to erase one's data typed in words (found by a hostile tester: « Ik wil mijn
gegevens wissen » was asked « êtes-vous en danger ? »): the erasure's own confirmation, as
/forget, in each language; nothing is erased before « Oui »."""

from __future__ import annotations

import pytest

from bot.app import App
from flows import texts
from flows.engine import Command
from tests.bot.conversation.conftest import press, say

ASKS = {
    "fr": ("je voudrais effacer mes données", "Oui, tout effacer"),
    "nl": ("Ik wil mijn gegevens wissen", "Ja, alles wissen"),
    "en": ("please delete my data", "Yes, erase everything"),
}


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
async def test_asking_in_words_to_erase_asks_to_confirm_then_erases(built: App, lang: str) -> None:
    key = f"tg:{700 + len(lang)}{ord(lang[0])}"
    await built.service.handle(key, Command("menu"), locale=lang)
    typed, yes = ASKS[lang]
    outs = await say(built, key, typed, lang)
    t = built.catalogs.get(lang)
    shown = " ".join(o.text for o in outs)
    assert t.gettext(texts.FORGET_CONFIRM) in shown  # asked first, never in danger
    assert t.gettext(texts.CHECK_SELF).split("\n")[0] not in shown
    assert await built.service.state_of(key) is not None  # nothing erased yet
    outs = await press(built, key, outs, yes)
    assert any(o.text.startswith(t.gettext(texts.FORGOTTEN)[:20]) for o in outs)


async def test_a_work_question_about_someone_elses_data_is_not_an_erasure(built: App) -> None:
    intent = built.service.understanding.classifier.classify(
        "comment supprimer les données d'un usager dans notre dossier ?", "fr"
    )
    assert intent.name != "erase"
