"""A text typed in another language than the conversation's: the bot offers to switch, in the
language of the text, and answers the text once the person has chosen (every channel: the
offer lives in the engine, the language of the text is read by the service)."""

from __future__ import annotations

import pytest

from bot.app import build_app
from bot.settings import Settings
from flows.engine import Choice, Start, Text

OFFERS = {
    "nl": (
        "Goedendag, wij willen graag een opleiding voor ons team.",
        "Wilt u liever in het Nederlands verdergaan?",
        "Nederlands",
    ),
    "en": (
        "Hello, we would like a training for our team.",
        "Would you like to continue in English?",
        "English",
    ),
}


@pytest.mark.parametrize("written", ["nl", "en"])
@pytest.mark.parametrize("key", ["tg:5", "web:abcdefghijklmnopqrstuvwx", "terminal"])
async def test_a_text_in_another_language_offers_to_switch(
    settings: Settings, written: str, key: str
) -> None:
    typed, offer, name = OFFERS[written]
    async with build_app(settings, run_worker=False) as app:
        svc = app.service
        await svc.handle(key, Start(), locale="fr")
        out = await svc.handle(key, Text(typed))
        assert out[-1].text == offer  # in the language of the text
        assert [b.label for b in out[-1].buttons] == [name, "Continuer en français"]
        state = await svc.state_of(key)
        assert state is not None and state.locale == "fr" and state.overlay == "switch"
        out = await svc.handle(key, Text(name))  # typed, or pressed: the same
        state = await svc.state_of(key)
        assert state is not None and state.locale == written and state.overlay == "none"
        said = " ".join(o.text for o in out)
        assert "Continuer" not in said and "français" not in said.lower()
        # The text that led to the offer is answered (a training: the offer's questions).
        assert state.step.startswith("training.")


async def test_keeping_the_language_answers_the_text_and_is_not_asked_again(
    settings: Settings,
) -> None:
    typed, _, _ = OFFERS["en"]
    async with build_app(settings, run_worker=False) as app:
        svc = app.service
        await svc.handle("tg:6", Start(), locale="fr")
        out = await svc.handle("tg:6", Text(typed))
        state = await svc.state_of("tg:6")
        assert state is not None
        out = await svc.handle("tg:6", Choice("_keep_lang", state.turn))
        state = await svc.state_of("tg:6")
        assert state is not None and state.locale == "fr" and state.step.startswith("training.")
        await svc.handle("tg:6", Text("/menu"))
        out = await svc.handle("tg:6", Text("What does a peer worker do in a team?"))
        assert all("English" not in o.text for o in out)  # asked once only
        state = await svc.state_of("tg:6")
        assert state is not None and state.overlay != "switch"


async def test_no_offer_for_an_answer_typed_at_a_question_nor_for_french(
    settings: Settings,
) -> None:
    async with build_app(settings, run_worker=False) as app:
        svc = app.service
        await svc.handle("tg:7", Start(), locale="fr")
        out = await svc.handle("tg:7", Text("Je voudrais une formation pour mon équipe"))
        assert all(not o.buttons or o.buttons[-1].label != "Continuer en français" for o in out)
        await svc.handle("tg:7", Text("Une équipe"))
        out = await svc.handle("tg:7", Text("12"))
        out = await svc.handle("tg:7", Text("Bruxelles"))
        state = await svc.state_of("tg:7")
        assert state is not None and state.step == "training.hopes"  # a free-text question
        # A free-text answer in English is the answer, not a reason to ask.
        out = await svc.handle(
            "tg:7", Text("We would like to understand the role of the peer worker")
        )
        state = await svc.state_of("tg:7")
        assert state is not None and state.overlay == "none" and state.locale == "fr"
        assert str(state.answers["hopes"]).startswith("We would like")
