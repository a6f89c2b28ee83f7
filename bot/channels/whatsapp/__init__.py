"""The WhatsApp channel: the same front door on WhatsApp, through the Cloud API of the WhatsApp
Business Platform (webhooks in, the Graph API's ``/messages`` out), like bot/channels/web/.

Served by the web page's server (uvicorn inside pat-bot's loop) under ``/whatsapp/webhook``
when the four settings PAT_WHATSAPP_TOKEN, _PHONE_NUMBER_ID, _APP_SECRET and _VERIFY_TOKEN are
set: one HTTPS reverse proxy serves both (docs/whatsapp.md). Plain httpx, not a WhatsApp
library: pywa (the most used) fixes the Graph API's address (no local stand-in for the tests),
mounts its webhook on Flask or FastAPI only, and brings its own handlers and filters, where
this channel only turns messages into engine events.

The modules: ``webhook`` (the handshake, the signature, the bound, what a POST carries),
``channel`` (the conversations, the 24-hour window, the notice, the hand-off), ``shaping`` (our
messages as text, reply buttons and lists) and ``api`` (the ``/messages`` endpoint).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.channels.whatsapp.channel import WhatsAppChannel
from bot.channels.whatsapp.webhook import receive, verification

if TYPE_CHECKING:
    from bot.app import App

PATH = "/whatsapp/webhook"


class WhatsAppWebhook:
    """The channel as the web server serves it (bot/channels/base.py: ``Served``)."""

    def __init__(self, app: App) -> None:
        settings = app.settings
        assert settings.whatsapp_app_secret and settings.whatsapp_verify_token
        self.channel = WhatsAppChannel(app.service, settings)
        self.secret = settings.whatsapp_app_secret.get_secret_value().encode()
        self.verify_token = settings.whatsapp_verify_token.get_secret_value()
        self.number_id = settings.whatsapp_phone_number_id or ""
        self.channel.inbox.start()  # the messages a stop or a crash left, handled now

    async def get(self, request: Request) -> Response:
        return verification(request, self.verify_token)

    async def post(self, request: Request) -> Response:
        return await receive(request, self.secret, self.number_id, self.channel.keep)

    def routes(self) -> list[BaseRoute]:
        return [
            Route(PATH, self.get, methods=["GET"]),
            Route(PATH, self.post, methods=["POST"]),
        ]

    async def close(self) -> None:
        await self.channel.close()


def served(app: App) -> WhatsAppWebhook | None:
    """The webhook when WhatsApp is set up (bot/channels/registry.py names this function)."""
    return WhatsAppWebhook(app) if app.settings.whatsapp else None


__all__ = ["PATH", "WhatsAppChannel", "WhatsAppWebhook", "served"]
