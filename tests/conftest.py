"""Shared fixtures: the real flows, and a complete app on a temporary data folder."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.channels.telegram_api import LEAN_CALL_ADVICE
from bot.settings import Settings
from flows.loader import FlowSet, load_flows


def pytest_configure(config: pytest.Config) -> None:
    # pytest resets warning filters around each test: keep the one bot.channels.telegram sets.
    config.addinivalue_line(
        "filterwarnings", f"ignore:{LEAN_CALL_ADVICE}:telegram.warnings.PTBUserWarning"
    )


@pytest.fixture(autouse=True)
def _root_logging_restored() -> Iterator[None]:
    """`pat-bot` commands run in-process add a handler on the test's captured stderr, which
    pytest closes after the test: remove it so later tests do not log into a closed file."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture(scope="session")
def flows() -> FlowSet:
    return load_flows()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # Scripted tests answer faster than any person: the flood limit is tested on its own.
    return Settings(data_dir=tmp_path / "data", rate_limit_per_minute=1000, _env_file=None)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[App]:
    async with build_app(settings) as built:
        yield built
