"""Test helpers: a walker over the pure engine, and canned answers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from flows.engine import Choice, Effect, Event, Say, Start, State, Text, advance
from flows.loader import FlowSet

if TYPE_CHECKING:
    from bot.conversation.service import ConversationService

NOW = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)
REPO_ROOT = Path(__file__).resolve().parent.parent


class Walk:
    """Drives the engine like a person would, keeping the state between events."""

    def __init__(self, flows: FlowSet, locale: str = "fr") -> None:
        self.flows = flows
        self.state: State = State(locale=locale)
        self.effects: list[Effect] = []
        self.history: list[Effect] = []

    def send(self, event: Event) -> list[Effect]:
        self.state, self.effects = advance(self.flows, self.state, event, NOW)
        # Every state must survive a round trip through JSON (it is stored after each step).
        assert State.model_validate_json(self.state.model_dump_json()) == self.state
        self.history.extend(self.effects)
        return self.effects

    def start(self, payload: str | None = None) -> list[Effect]:
        return self.send(Start(payload))

    def press(self, option: str) -> list[Effect]:
        assert option in self.buttons(), f"{option!r} not offered at {self.state.step}"
        return self.send(Choice(option, self.state.turn))

    def type(self, text: str) -> list[Effect]:
        return self.send(Text(text))

    def says(self) -> list[str]:
        return [e.text.id for e in self.effects if isinstance(e, Say)]

    def history_texts(self) -> list[str]:
        return [e.text.id for e in self.history if isinstance(e, Say)]

    def last_say(self) -> Say:
        return [e for e in self.effects if isinstance(e, Say)][-1]

    def buttons(self) -> list[str]:
        return [b.id for b in self.last_say().buttons]

    @property
    def step(self) -> str:
        return self.state.step


CONTACT = {
    "name": "Marie Dupont",
    "role": "coordinatrice",
    "email": "marie.dupont@example.be",
    "phone": "0470 12 34 56",
}


def give_contact(
    walk: Walk, *, organisation: str | None = "ASBL Soleil", phone: str | None = CONTACT["phone"]
) -> None:
    """From the consent question to the summary, with valid answers."""
    assert walk.step == "request.consent"
    walk.press("_yes")
    walk.type(CONTACT["name"])
    if walk.step == "request.organisation":
        if organisation is None:
            walk.press("_skip")
        else:
            walk.type(organisation)
    walk.type(CONTACT["role"])
    walk.type(CONTACT["email"])
    if phone is None:
        walk.press("_skip")
    else:
        walk.type(phone)
        walk.press("email")
    assert walk.step == "request.summary"


async def other_request(
    service: ConversationService,
    chat: str,
    *,
    message: str = "Pouvez-vous m'appeler ?",
    name: str = CONTACT["name"],
    organisation: str = "Passer",
    role: str = CONTACT["role"],
    email: str = CONTACT["email"],
    phone: str | None = None,
    send: bool = True,
) -> list[str]:
    """Through the service, as typed text: the 'something else' request from /start to the
    summary (then Envoyer, unless ``send`` is False). Returns what the bot said last."""
    answers = [
        "Autre chose / parler à une personne",
        message,
        "J'accepte",
        name,
        organisation,
        role,
        email,
    ]
    answers += ["Passer"] if phone is None else [phone, "Par téléphone"]
    if send:
        answers.append("Envoyer")
    await service.handle(chat, Start())
    said: list[str] = []
    for answer in answers:
        said = [o.text for o in await service.handle(chat, Text(answer))]
    return said


async def accompaniment_request(
    service: ConversationService,
    chat: str,
    *,
    organisation: str = "ASBL Soleil",
    commune: str = "4000",
    name: str = "Ana Lima",
    email: str = "ana@example.be",
) -> None:
    """Through the service, as typed text: an accompaniment request with a commune, sent."""
    await service.handle(chat, Start())
    for answer in [
        "Accompagner mon organisation",
        "Commencer ma demande",
        organisation,
        "Social",
        commune,
        "Nous découvrons l'idée",
        "Moins de 10",
        "Oui",
        "C'est tout",
        "Passer",
        "J'accepte",
        name,
        "éducatrice",
        email,
        "Passer",
        "Envoyer",
    ]:
        await service.handle(chat, Text(answer))
