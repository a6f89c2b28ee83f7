"""Composition root: builds every part from Settings, once."""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from babel import Locale

from bot.background import Background
from bot.conversation.i18n import Catalogs
from bot.conversation.limits import DailyQuota, FloodLimit
from bot.conversation.service import ConversationService
from bot.delivery.mail import compose
from bot.delivery.outbox import Outbox
from bot.delivery.transports import EmailDelivery, FileTransport, SmtpTransport, Transport
from bot.logs import quiet_third_party_loggers
from bot.settings import Settings
from bot.staff import desks
from bot.staff.digest import WeeklyDigest
from bot.staff.handoff import HandOff
from flows import validators
from flows.loader import FLOWS_DIR, FlowSet, load_flows
from flows.locales import LOCALES
from flows.nlu import Classifier
from storage import erasure, handoffs
from storage.db import Database
from storage.models import PayloadField, RequestPayload

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    flows: FlowSet
    db: Database
    outbox: Outbox
    service: ConversationService
    catalogs: Catalogs
    handoff: HandOff
    background: Background  # the one loop of background jobs


def settle(app: App) -> None:
    """Before serving: load what libraries load lazily, then keep long-lived objects out of
    the garbage collector's way.

    Babel's locale data, phone-number metadata and the e-mail machinery would otherwise load
    during the first conversations; and every full collection would walk the hundred
    thousand objects that live as long as the process (flows, catalogs, classifier, library
    data), pausing every conversation. ``gc.freeze`` moves the objects alive now into a
    generation that is never collected.
    """
    now = datetime.now(UTC)
    for locale in LOCALES:
        app.catalogs.get(locale).long_date(now)
        Locale.parse(locale).get_display_name("fr")
        app.service.classifier.classify("bonjour", locale)
    validators.phone("0470 12 34 56")
    validators.email("pat@smes.be")
    sample = RequestPayload(
        ref="R-000000-TEST",
        offer="other",
        offer_label="Autre demande",
        created_at=now,
        locale="fr",
        locale_label="français",
        fields=[PayloadField(key="name", label="Nom", value="Test", raw="Test")],
        consent_version="-",
        consent_at=now,
    )
    compose(sample, app.settings.mail_from, app.settings.mail_to)
    gc.collect()
    gc.freeze()
    # Fewer, later collections (the defaults are 700, 10, 10): an update's objects are mostly
    # gone before the young generation is examined, so collecting less often finds the same.
    # Full collections (the third number) paused the loop 38-42 ms each during bench/run.py's
    # paced phase: ten times rarer, the worst stall went from 61 to 32 ms (#24's target is
    # 50 ms) with the same peak memory (120.7 MB).
    gc.set_threshold(2000, 10, 1000)


@functools.lru_cache(maxsize=4)
def _conversation(flows_dir: Path, stamp: tuple[float, ...]) -> tuple[FlowSet, Classifier]:
    """Flows and classifier, built once per state of the flow files (``stamp``: their mtimes)."""
    flows = load_flows(flows_dir)
    return flows, Classifier.from_flows(flows)


def load_conversation(flows_dir: Path = FLOWS_DIR) -> tuple[FlowSet, Classifier]:
    files = sorted([*flows_dir.glob("*.yml"), *flows_dir.glob("lexicon/*.yml")])
    return _conversation(flows_dir, tuple(f.stat().st_mtime for f in files))


def make_transport(settings: Settings) -> Transport:
    """SMTP when a host is configured, else the .eml folder (the embedded default)."""
    if not settings.smtp_host:
        log.warning(
            "no SMTP server (PAT_SMTP_HOST): requests are written as .eml files in %s and "
            "reach PAT only if someone reads that folder",
            settings.outbox_dir,
        )
        return FileTransport(settings.outbox_dir)
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return SmtpTransport(
        settings.smtp_host,
        mail_from=settings.mail_from,
        mail_to=settings.mail_to,
        port=settings.smtp_port,
        security=settings.smtp_security,
        username=settings.smtp_username,
        password=password,
        timeout=settings.smtp_timeout,
        ca_file=settings.smtp_ca_file,
    )


@asynccontextmanager
async def build_app(
    settings: Settings, *, transport: Transport | None = None, run_worker: bool = True
) -> AsyncIterator[App]:
    """Open the database, load flows and catalogs, and run the background loop
    (bot/background.py): delivery (which first delivers whatever a crash or an outage left
    pending), the hand-off relay and retention when ``run_worker``, the counters always. On
    exit the delivery makes a last round, so a request confirmed just before quitting is sent
    now rather than next start."""
    quiet_third_party_loggers()
    db = await Database.open(settings.db_path, settings.db_max_pages)
    stop = asyncio.Event()
    loop: asyncio.Task[None] | None = None
    service: ConversationService | None = None
    try:
        app = _assemble(settings, db, transport)
        service = app.service
        await apply_retention(app)
        if run_worker:
            await app.outbox.release_dead_leases()
            app.background.add("delivery", app.outbox.round, woken=True, last=True)
            app.background.add("relay", app.handoff.round, woken=True, retry=1.0)
            app.background.add("erasures", app.outbox.erasures.every_minute, first=60.0)
            app.background.every(
                "retention", RETENTION_PERIOD, functools.partial(apply_retention, app)
            )
        app.background.every("counters", COUNTS_PERIOD, service.flush_counts)
        loop = asyncio.create_task(app.background.run(stop))
        yield app
    finally:
        stop.set()
        if loop is not None:
            await loop
        if service is not None:
            await service.flush_counts()
        await db.close()


def _assemble(settings: Settings, db: Database, transport: Transport | None) -> App:
    """Every part, built from the settings and wired together."""
    flows, classifier = load_conversation()
    catalogs = Catalogs(settings.locales_dir, settings.default_locale)
    warn_privacy_gaps(settings)
    background = Background()
    staff_voice = catalogs.get(settings.staff_locale)
    email = EmailDelivery(
        transport or make_transport(settings), settings.mail_from, settings.mail_to
    )
    outbox = Outbox(
        db,
        email,
        catalogs,
        max_attempts=settings.delivery_max_attempts,
        base_delay=settings.delivery_base_delay,
        staff_voice=staff_voice,
        wake=background.wake,
    )
    if settings.digest_weekday is not None:
        outbox.weekly = WeeklyDigest(
            db, flows, staff_voice, settings.digest_weekday, settings.mail_from, settings.mail_to
        )
    service = ConversationService(
        flows,
        db,
        catalogs,
        outbox,
        default_locale=settings.default_locale,
        classifier=classifier,
        context=text_values(settings),
        flood=FloodLimit(settings.rate_limit_per_minute),
        quota=DailyQuota(settings.max_requests_per_day),
    )
    handoff = HandOff(
        db,
        catalogs,
        staff_voice,
        days=settings.handoff_days,
        console=settings.data_dir / "staff-console",
        chats=outbox.chats,
        wake=background.wake,
    )
    # Staff answer in the Telegram staff chat: a person on the web page is offered « Ici, dans
    # ce chat » in `pat-bot web` too (the Telegram bot on this data folder relays to staff).
    handoff.telegram_staff = desks.telegram_desks(settings.staff_chat_id)
    handoff.count = functools.partial(_count_handoff, service)
    service.handoff = handoff
    return App(settings, flows, db, outbox, service, catalogs, handoff, background)


def text_values(settings: Settings) -> dict[str, str]:
    """The settings texts show: retention periods, and what PAT filled in for the privacy
    notice (only those set: a text about an unset one is left out, its alternative says to
    ask pat@smes.be). Each chat adds its channel (ConversationService.context_for)."""
    values = {
        "retention_days": settings.retention_days,
        "abandoned_days": settings.abandoned_days,
        "handoff_days": settings.handoff_days,
        "controller_address": settings.controller_address,
        "privacy_contact": settings.privacy_contact,
        "mailbox_days": settings.mailbox_retention_days,
        "privacy_hosting": settings.privacy_hosting,
        "privacy_mail_provider": settings.privacy_mail_provider,
    }
    return {key: str(value) for key, value in values.items() if value is not None}


# What the privacy notice needs from PAT (GDPR art. 13): unset, /privacy says to ask
# pat@smes.be, and the start-up says which to fill in.
PRIVACY_SETTINGS = (
    "controller_address",
    "privacy_contact",
    "privacy_hosting",
    "privacy_mail_provider",
    "mailbox_retention_days",
)


def warn_privacy_gaps(settings: Settings) -> None:
    """One warning line at start-up while the privacy notice lacks what only PAT can fill in."""
    missing = [
        f"PAT_{name.upper()}" for name in PRIVACY_SETTINGS if getattr(settings, name) is None
    ]
    if missing:
        log.warning(
            "the privacy notice (/privacy) is incomplete: fill in %s; until then it tells "
            "people to ask pat@smes.be",
            ", ".join(missing),
        )


RETENTION_PERIOD = 3600.0
COUNTS_PERIOD = 5.0


def _count_handoff(service: ConversationService, key: str) -> None:
    service.counters.add(datetime.now(UTC).date().isoformat(), "handoff", key)


async def apply_retention(app: App) -> None:
    """Anonymise old requests, delete abandoned conversations, end idle hand-offs, leave
    nothing in the WAL."""
    now = datetime.now(UTC)
    refs, stopped = await erasure.purge(
        app.db, now, app.settings.retention_days, app.settings.abandoned_days
    )
    if app.service.handoff is not None:
        await app.service.handoff.expire()
        days = min(app.settings.abandoned_days, app.settings.retention_days)  # rows go after
        await handoffs.purge_unclaimed(app.db, now - timedelta(days=days))
        await handoffs.purge_closed(app.db, now - timedelta(days=app.settings.retention_days))
    await app.outbox.erasures.finish()  # also what a crash left of an earlier erasure
    if refs or stopped:
        log.info(
            "retention: %d request(s) anonymised, %d conversation(s) deleted",
            len(refs),
            len(stopped),
        )
