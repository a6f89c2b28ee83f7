"""Composition root: builds every part from Settings, once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.i18n import Catalogs
from bot.logs import quiet_third_party_loggers
from bot.outbox import FileTransport, Outbox, Transport
from bot.service import ConversationService
from bot.settings import Settings
from flows.loader import FlowSet, load_flows
from storage.db import Database


@dataclass
class App:
    settings: Settings
    flows: FlowSet
    db: Database
    outbox: Outbox
    service: ConversationService
    catalogs: Catalogs


@asynccontextmanager
async def build_app(
    settings: Settings, *, transport: Transport | None = None
) -> AsyncIterator[App]:
    """Open the database, load flows and catalogs, deliver what a crash left pending."""
    quiet_third_party_loggers()
    flows = load_flows()
    catalogs = Catalogs(settings.locales_dir, settings.default_locale)
    db = await Database.open(settings.db_path)
    try:
        outbox = Outbox(db, transport or FileTransport(settings.outbox_dir))
        service = ConversationService(
            flows,
            db,
            catalogs,
            outbox,
            mail_from=settings.mail_from,
            mail_to=settings.mail_to,
            default_locale=settings.default_locale,
        )
        await outbox.deliver_pending()
        yield App(settings, flows, db, outbox, service, catalogs)
    finally:
        await db.close()
