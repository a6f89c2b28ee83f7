"""What the conversation transcripts share: the whole app built on test settings, and a
person typing and pressing buttons by their label."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import App, build_app
from bot.conversation.render import Outgoing
from bot.settings import Settings
from flows.engine import Choice, Text


@pytest.fixture
async def built(settings: Settings) -> AsyncIterator[App]:
    async with build_app(settings, run_worker=False) as app:
        yield app


async def say(app: App, key: str, text: str, lang: str) -> list[Outgoing]:
    """A typed text, in the person's language."""
    return await app.service.handle(key, Text(text), locale=lang)


async def press(app: App, key: str, outs: list[Outgoing], label: str) -> list[Outgoing]:
    """The button with this label among the messages just received."""
    button = next(b for o in outs for b in o.buttons if b.label == label)
    turn, option = button.data.split(":", 1)
    return await app.service.handle(key, Choice(option, int(turn)))
