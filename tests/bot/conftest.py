"""Fixtures shared by the tests of bot/: the Bot API stand-in, a real pat-bot web process and
a page on another origin."""

from collections.abc import AsyncIterator

import pytest

from tests.bot.web_server import site, web
from tests.botapi import FakeBotAPI

__all__ = ["api", "site", "web"]


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    """A local Bot API stand-in on 127.0.0.1 (tests/botapi.py)."""
    server = FakeBotAPI()
    await server.start()
    yield server
    await server.stop()
