"""Fixtures shared by the tests of bot/: a real pat-bot web process and another origin."""

from tests.bot.web_server import site, web

__all__ = ["site", "web"]
