"""The whole conversation in Dutch and English, and switching language mid-flow."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from bot.app import build_app
from bot.settings import Settings
from flows.engine import Command, Start, Text
from storage import deliveries

# (typed answer, what the bot says last) for a full "other" request, per language.
PATHS = {
    "nl": [
        (None, "Wat kan ik voor u doen?"),
        (
            "Iets anders / met iemand praten",
            "Uw bericht voor het PAT-team. Bewaar details over uw gezondheid voor een gesprek met het team: deze chat is daarvoor niet goed genoeg beveiligd.",
        ),
        (
            "Wij willen een ervaringsdeskundige aanwerven.",
            "Gaat u ermee akkoord dat uw contactgegevens en uw antwoorden, ook wat ze over uw gezondheid kunnen zeggen, naar het PAT-team worden gestuurd?",
        ),
        ("Ik ga akkoord", "Wat is uw naam?"),
        (
            "Jan Peeters",
            "Voor welke organisatie? Schrijft u in eigen naam, sla deze vraag dan over.",
        ),
        (
            "VZW De Brug",
            "Wat is uw functie? Bijvoorbeeld: verpleegkundige, directeur, opvoeder…",
        ),
        ("teamcoach", "Wat is uw e-mailadres?"),
        (
            "jan@",
            "Dit adres lijkt niet volledig. Kunt u het nakijken? Voorbeeld: voornaam.naam@voorbeeld.be",
        ),
        ("jan@debrug.be", "Uw telefoonnummer? Dat is niet verplicht."),
        ("Overslaan", "Hier is uw aanvraag. Klopt alles?"),
    ],
    "en": [
        (None, "What can I do for you?"),
        (
            "Something else / talk to a person",
            "Your message for the PAT team. Keep health details for a conversation with the team: this chat is not secure enough for that.",
        ),
        (
            "We would like to hire a peer worker.",
            "Do you agree that your contact details and answers, including anything they may say about your health, will be sent to the PAT team?",
        ),
        ("I agree", "What is your name?"),
        (
            "Sam Jones",
            "For which organisation? If you are writing for yourself, skip this question.",
        ),
        ("Skip", "What is your role? For example: nurse, director, support worker…"),
        ("social worker", "What is your e-mail address?"),
        ("sam@example.org", "Your phone number? This is optional."),
        ("0470 12 34 56", "How would you prefer to be contacted?"),
        ("By phone", "Here is your request. Is everything right?"),
    ],
}
SUMMARY = {"nl": "• Naam: Jan Peeters", "en": "• Name: Sam Jones"}
THANKS = {"nl": "Bedankt! Uw aanvraag van ", "en": "Thank you! Your request of "}
SEND = {"nl": "Versturen", "en": "Send"}
LANGUAGE_NAME = {"nl": "néerlandais", "en": "anglais"}


@pytest.mark.parametrize("locale", ["nl", "en"])
async def test_full_request_in_each_language(settings: Settings, locale: str) -> None:
    async with build_app(settings, run_worker=False) as app:
        svc = app.service
        for typed, expected in PATHS[locale]:
            event = Start() if typed is None else Text(typed)
            out = await svc.handle(f"tg:{locale}", event, locale=locale)
            assert out[-1].text.split("\n\n")[0] == expected
        assert SUMMARY[locale] in out[-1].text
        out = await svc.handle(f"tg:{locale}", Text(SEND[locale]))
        assert out[0].text.startswith(THANKS[locale])
        assert "2026" in out[0].text
        await app.outbox.run_once()
        (record,) = await deliveries.list_requests(app.db)
    assert record.locale == locale
    mail = message_from_bytes(
        (settings.outbox_dir / f"{record.ref}.eml").read_bytes(), policy=policy.default
    )
    body = mail.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    # Staff read French, and are told which language to answer in.
    assert "Nouvelle demande : Autre demande" in text
    assert text.startswith(f">> Répondre en {LANGUAGE_NAME[locale]}, ")
    assert mail["X-PAT-Language"] == locale


async def test_switching_language_mid_flow_keeps_the_answers(settings: Settings) -> None:
    async with build_app(settings, run_worker=False) as app:
        svc = app.service
        await svc.handle("tg:1", Start())
        await svc.handle("tg:1", Text("Une formation"))
        await svc.handle("tg:1", Text("Une équipe"))
        out = await svc.handle("tg:1", Command("language"))
        assert out[-1].text == "Choisissez votre langue · Kies uw taal · Choose your language"
        assert [b.label for b in out[-1].buttons] == ["Français", "Nederlands", "English"]
        out = await svc.handle("tg:1", Text("Nederlands"))
        assert [o.text for o in out] == [
            "Prima, ik spreek voortaan Nederlands met u.",
            # PAT's documents are in French: said to whoever chooses another language.
            "De documenten van PAT zijn in het Frans; u kunt het team in uw eigen taal schrijven.",
            "Voor hoeveel mensen ongeveer? Typ een getal.",
        ]
        out = await svc.handle("tg:1", Text("12"))
        assert out[-1].text == "Waar bent u gevestigd?"
        state = await svc.state_of("tg:1")
        assert state is not None and state.locale == "nl"
        assert state.answers == {"offer": "training", "profile": "team", "group_size": "12"}
        # The choice is remembered: a new /start stays in Dutch (the request in progress
        # is dropped only once the person says so).
        out = await svc.handle("tg:1", Start())
        assert out[-1].text == "Uw aanvraag stopzetten? Uw antwoorden gaan dan verloren."
        out = await svc.handle("tg:1", Text("Ja, stopzetten"))
        assert out[-1].text == "Wat kan ik voor u doen?"
        # And the menu has the entry too.
        out = await svc.handle("tg:1", Text("🌐 Langue · Taal · Language"))
        out = await svc.handle("tg:1", Text("English"))
        assert out[-1].text == "What can I do for you?"


async def test_typed_questions_through_the_service(settings: Settings) -> None:
    """The service classifies what people type, in any language, before the engine acts."""
    async with build_app(settings, run_worker=False) as app:
        svc = app.service
        await svc.handle("tg:9", Start(), locale="nl")
        out = await svc.handle("tg:9", Text("wat als hij hervalt?"))
        assert out[0].text == "Begrepen: „En als hij of zij hervalt?”"
        assert out[1].text.startswith("Herstel is niet hetzelfde als genezing")
        out = await svc.handle("tg:9", Text("Iets anders / met iemand praten"))
        assert "pat@smes.be" in out[1].text  # a person asked for: who answers, and how
        await svc.handle("tg:9", Text("Bericht achterlaten voor het team"))
        await svc.handle("tg:9", Text("Hallo"))
        await svc.handle("tg:9", Text("Ik ga akkoord"))
        await svc.handle("tg:9", Text("Jan"))
        await svc.handle("tg:9", Text("Overslaan"))
        out = await svc.handle("tg:9", Text("ik wil niet meer leven"))
        assert out[0].text.startswith("Bedankt dat u mij dit laat weten.")
        assert "1813" in out[0].text and "112" in out[0].text
        state = await svc.state_of("tg:9")
        assert state is not None and state.step == "request.role"
        assert "ik wil niet meer leven" not in state.model_dump_json()
