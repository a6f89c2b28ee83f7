"""/forget and retention: personal data gone from the data folder, counters kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import apply_retention, build_app
from bot.conversation.service import ConversationService
from bot.settings import Settings
from flows import texts
from flows.engine import Command, Text
from storage import conversations, counters, deliveries, erasure
from tests.helpers import CONTACT, other_request

SECRET_NAME = "Zéphyrine Quaglio"
SECRET_EMAIL = "zephyrine.quaglio@example.be"
SECRET_PHONE = "0470 98 76 54"


async def full_request(
    svc: ConversationService,
    chat: str,
    *,
    send: bool = True,
    message: str = "Mon message très personnel",
) -> None:
    await other_request(
        svc,
        chat,
        message=message,
        name=SECRET_NAME,
        role="coordinatrice",
        email=SECRET_EMAIL,
        phone=SECRET_PHONE,
        send=send,
    )


def data_bytes(folder: Path) -> bytes:
    """Every byte of every file in the data folder (database, WAL, outbox…)."""
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def leaks(folder: Path) -> list[str]:
    raw = data_bytes(folder)
    found = []
    for secret in (SECRET_NAME, SECRET_EMAIL, "470 98 76 54", "Mon message très personnel"):
        for encoding in ("utf-8", "utf-16-le"):
            if secret.encode(encoding) in raw:
                found.append(secret)
    return found


async def test_forget_erases_everything_even_from_free_pages_and_the_wal(
    settings: Settings,
) -> None:
    async with build_app(settings, run_worker=False) as app:
        svc = app.service
        await full_request(svc, "tg:1")  # delivered
        await app.outbox.run_once()
        await full_request(svc, "tg:1", message="Mon message très personnel, bis")  # pending
        await full_request(svc, "tg:1", send=False)  # and one in progress
        assert leaks(settings.data_dir)  # the test can see the data before
        out = await svc.handle("tg:1", Command("forget"))
        assert out[-1].text == texts.FORGET_CONFIRM
        assert [b.label for b in out[-1].buttons] == ["Oui, tout effacer", "Non, garder"]
        out = await svc.handle("tg:1", Text("Oui, tout effacer"))
        assert out[0].text == texts.FORGOTTEN and "pat@smes.be" in out[0].text
        assert out[-1].text == "Que puis-je faire pour vous ?"
        records = await deliveries.list_requests(app.db)
        assert [(r.status, r.payload, r.chat_key) for r in records] == [("delivered", None, "")]
        assert await conversations.list_consents(app.db, "tg:1") == []
        state = await svc.state_of("tg:1")
        assert state is not None and state.answers == {} and state.consent is None
        # The conversation goes on normally afterwards (found by the property tests: the
        # checkpoint's unread result row used to block the next write).
        out = await svc.handle("tg:1", Text("Questions sur la pair-aidance"))
        assert out[-1].text == "Quelle est votre question ?"
    assert leaks(settings.data_dir) == []
    counts = await _counters(settings)
    assert counts["request"] == {"other": 2}  # anonymous counters survive


async def _counters(settings: Settings) -> dict[str, dict[str, int]]:
    async with build_app(settings, run_worker=False) as app:
        return await counters.since(app.db, datetime.now(UTC) - timedelta(days=1))


async def test_forget_can_be_declined(settings: Settings) -> None:
    async with build_app(settings, run_worker=False) as app:
        svc = app.service
        await full_request(svc, "tg:2", send=False)
        await svc.handle("tg:2", Command("forget"))
        out = await svc.handle("tg:2", Text("Non, garder"))
        assert out[0].text == texts.NOT_FORGOTTEN
        assert out[-1].text.startswith("Voici votre demande.")
        state = await svc.state_of("tg:2")
        assert state is not None and state.answers["name"] == SECRET_NAME


async def test_retention_anonymises_old_requests_and_deletes_abandoned_conversations(
    settings: Settings,
) -> None:
    async with build_app(settings, run_worker=False) as app:
        await full_request(app.service, "tg:3")
        await app.outbox.run_once()
        await full_request(app.service, "tg:4", send=False)  # abandoned at the summary
        await apply_retention(app)  # nothing is old yet
        (record,) = await deliveries.list_requests(app.db)
        assert record.payload is not None
        # Forty days later:
        later = datetime.now(UTC) + timedelta(days=40)
        refs, stopped = await erasure.purge(app.db, later, retention_days=30, abandoned_days=7)
        assert refs == [record.ref]
        assert "request.summary" in stopped
        assert await app.outbox.erasures.finish()  # the .eml copy and the log
        assert await erasure.unfinished(app.db) == []
        await app.service.flush_counts()
        (record,) = await deliveries.list_requests(app.db)
        assert record.payload is None and record.status == "delivered"
        assert await app.service.state_of("tg:4") is None
        assert await conversations.list_consents(app.db, "tg:3") == []
        counts = await counters.since(app.db, datetime.now(UTC) - timedelta(days=1))
        assert counts["stopped"]["request.summary"] >= 1
    assert leaks(settings.data_dir) == []


async def test_retention_runs_at_start_up(settings: Settings) -> None:
    old = settings.model_copy(update={"abandoned_days": 0, "retention_days": 0})
    async with build_app(old, run_worker=False) as app:
        await full_request(app.service, "tg:5", send=False)
    async with build_app(old, run_worker=False) as app:
        assert await app.service.state_of("tg:5") is None


async def test_a_conversation_purged_by_another_process_is_not_written_back(
    settings: Settings,
) -> None:
    """The bot keeps no copy of a state in memory: what `pat-bot stats` (another process)
    deleted stays deleted, whatever the bot does next."""
    async with build_app(settings, run_worker=False) as bot:
        await full_request(bot.service, "tg:6", send=False)  # personal answers, at the summary
        async with build_app(settings, run_worker=False) as cli:
            later = datetime.now(UTC) + timedelta(days=8)
            await erasure.purge(cli.db, later, retention_days=30, abandoned_days=7)
        await bot.service.handle("tg:6", Text("/menu"))
        state = await bot.service.state_of("tg:6")
        assert state is not None and state.answers == {} and state.consent is None
    assert leaks(settings.data_dir) == []


def test_contact_constant_is_not_the_secret() -> None:
    assert CONTACT["name"] != SECRET_NAME  # the leak checks use data no other test writes
