"""The durable outbox: stored before delivery, retried with back-off, never lost, told once."""

from __future__ import annotations

import asyncio
import io
import os
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.channels.terminal import TerminalChat
from bot.cli import main
from bot.conversation.i18n import BRUSSELS
from bot.conversation.service import ConversationService
from bot.delivery.leases import LEASE_OWNER
from bot.delivery.outbox import Outbox
from bot.delivery.transports import EmailDelivery
from bot.settings import Settings
from flows import texts
from storage import deliveries
from tests.helpers import CONTACT, other_request


class BrokenTransport:
    """A mail server that is down."""

    def __init__(self) -> None:
        self.calls = 0

    async def send(self, ref: str, message: bytes) -> None:
        self.calls += 1
        raise ConnectionRefusedError("mail server down")


class Chat:
    """A chat channel that records what the person is told."""

    def __init__(self) -> None:
        self.told: list[tuple[str, str]] = []

    async def __call__(self, chat_key: str, text: str) -> None:
        self.told.append((chat_key, text))


async def run_request(service: ConversationService, chat: str) -> list[str]:
    return await other_request(service, chat)


async def test_stored_before_delivery_and_the_person_told_only_after(settings: Settings) -> None:
    chat = Chat()
    async with build_app(settings, run_worker=False) as app:
        app.outbox.chats.connect("tg:", tell=chat)
        said = await run_request(app.service, "tg:1")
        (record,) = await deliveries.list_requests(app.db)
        day = record.created_at.astimezone(BRUSSELS)
        months = [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ]
        first = "1er" if day.day == 1 else str(day.day)  # « 1er décembre »
        assert said[0] == (
            f"Merci ! Votre demande du {first} {months[day.month - 1]} {day.year} "
            f"est enregistrée sous la référence {record.ref}."
        )
        assert record.status == "pending"  # committed before any delivery attempt
        assert chat.told == []  # not told "arrived" before it has
        assert await app.outbox.run_once() == 1
        (record,) = await deliveries.list_requests(app.db)
        assert record.status == "delivered" and record.attempts == 1
        assert await deliveries.count_requests(app.db) == 1
        assert await deliveries.count_requests(app.db, "delivered") == 1
        assert await deliveries.count_requests(app.db, "pending") == 0
        assert chat.told == [("tg:1", texts.FILED.format(ref=record.ref))]
        await app.outbox.run_once()
        assert len(chat.told) == 1  # told once
    eml = settings.outbox_dir / f"{record.ref}.eml"
    mail = message_from_bytes(eml.read_bytes(), policy=policy.default)
    name = CONTACT["name"]
    assert mail["Subject"] == f"[PAT][FR] Autre demande · {name} · #{record.ref}"
    assert mail["Reply-To"].addresses[0].addr_spec == CONTACT["email"]
    assert list(settings.outbox_dir.iterdir()) == [eml]  # no temporary file left behind


async def test_mail_server_down_then_restart_delivers_exactly_once(settings: Settings) -> None:
    broken = BrokenTransport()
    async with build_app(settings, transport=broken, run_worker=False) as app:
        said = await run_request(app.service, "tg:2")
        assert await app.outbox.run_once() == 0
        (record,) = await deliveries.list_requests(app.db)
        assert record.ref in said[0]  # the person has their reference all the same
        assert record.status == "pending" and record.attempts == 1
        assert record.last_error == "ConnectionRefusedError: mail server down"
        assert record.next_attempt_at is not None
    assert broken.calls == 1
    assert not settings.outbox_dir.exists()
    # Next start, with a working transport: the worker delivers it once it is due.
    quick = settings.model_copy(update={"delivery_base_delay": 0.0})
    async with build_app(quick) as app:
        await deliveries.reset_for_retry(app.db, datetime.now(UTC))  # due now, not in 15-45 s
        app.outbox.kick()
        for _ in range(100):
            (record,) = await deliveries.list_requests(app.db)
            if record.status == "delivered":
                break
            await asyncio.sleep(0.02)
        assert record.status == "delivered"
        assert await app.outbox.run_once() == 0
    assert [p.name for p in settings.outbox_dir.iterdir()] == [f"{record.ref}.eml"]


class TimedTransport:
    """A mail server that notes when each message arrives."""

    def __init__(self) -> None:
        self.at: list[float] = []

    async def send(self, ref: str, message: bytes) -> None:
        self.at.append(asyncio.get_running_loop().time())


async def test_a_backlog_goes_out_paced_the_first_at_once(settings: Settings) -> None:
    server = TimedTransport()
    ticks: list[float] = []

    async def person() -> None:  # someone else the event loop answers meanwhile
        while True:
            await asyncio.sleep(0.05)
            ticks.append(asyncio.get_running_loop().time())

    async with build_app(settings, transport=server, run_worker=False) as app:
        for n in range(4):
            await run_request(app.service, f"tg:{40 + n}")
        app.outbox.pace, app.outbox.batch = 0.5, 3
        start = asyncio.get_running_loop().time()
        answering = asyncio.create_task(person())
        assert await app.outbox.run_once() == 3  # a round takes a batch; the next, the rest
        answering.cancel()
        assert await deliveries.count_requests(app.db, "pending") == 1
        assert await app.outbox.run_once() == 1
    assert server.at[0] - start < 0.5  # nothing waits when there is no backlog
    first, second, third = server.at[:3]
    assert second - first >= 0.49 and third - second >= 0.49
    assert len([t for t in ticks if first < t < second]) >= 2  # the event loop was free


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


async def test_backoff_is_exponential_bounded_and_then_fails_with_alerts(
    settings: Settings,
) -> None:
    clock = Clock()
    chat = Chat()
    alerts: list[str] = []

    async def alert(text: str) -> None:
        alerts.append(text)

    async with build_app(settings, run_worker=False) as app:
        await run_request(app.service, "tg:3")
        outbox = Outbox(
            app.db,
            EmailDelivery(BrokenTransport(), app.settings.mail_from, app.settings.mail_to),
            app.catalogs,
            max_attempts=4,
            base_delay=10,
            max_delay=25,
            clock=clock,
            jitter=lambda: 0.5,
        )
        outbox.chats.connect("tg:", tell=chat)
        outbox.staff_alert = alert
        waits = []
        for _ in range(3):
            await outbox.run_once()
            (record,) = await deliveries.list_requests(app.db)
            assert record.status == "pending" and record.next_attempt_at is not None
            waits.append((record.next_attempt_at - clock.now).total_seconds())
            assert await outbox.run_once() == 0  # not due yet: no attempt
            clock.now = record.next_attempt_at
        assert waits == [10.0, 20.0, 25.0]  # doubling, capped at max_delay
        await outbox.run_once()
        (record,) = await deliveries.list_requests(app.db)
        assert record.status == "failed" and record.attempts == 4
        assert record.last_error == "ConnectionRefusedError: mail server down"
        assert chat.told == [("tg:3", texts.NOT_DELIVERED.format(ref=record.ref))]
        assert len(alerts) == 1 and record.ref in alerts[0]
        assert CONTACT["name"] not in alerts[0] and CONTACT["email"] not in alerts[0]
        clock.now += timedelta(days=1)
        await outbox.run_once()
        assert len(alerts) == 1 and len(chat.told) == 1  # a failed request stays failed


def test_jitter_spreads_retries() -> None:
    outbox = Outbox.__new__(Outbox)
    outbox.base_delay, outbox.max_delay = 30.0, 3600.0
    outbox.jitter = lambda: 0.0
    low = outbox.backoff(3)
    outbox.jitter = lambda: 0.999
    high = outbox.backoff(3)
    assert low == 60.0 and 179 < high < 180


async def test_a_lease_keeps_two_processes_from_sending_the_same_request(
    settings: Settings,
) -> None:
    async with build_app(settings, run_worker=False) as app:
        await run_request(app.service, "tg:4")
        (record,) = await deliveries.list_requests(app.db)
        now = datetime.now(UTC)
        assert await deliveries.claim(app.db, record.ref, now, now + timedelta(minutes=5), "a/1/x")
        assert not await deliveries.claim(
            app.db, record.ref, now, now + timedelta(minutes=5), "b/2/y"
        )
        assert await deliveries.due_requests(app.db, now) == []
        later = now + timedelta(minutes=6)  # the first process died: its lease runs out
        assert await deliveries.claim(
            app.db, record.ref, later, later + timedelta(minutes=5), "b/2/y"
        )


def _a_dead_pid() -> int:
    """The pid of a process that has ended."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout)


async def test_a_lease_left_by_a_dead_process_is_taken_back_at_once(settings: Settings) -> None:
    """Only when sure: same host and its process gone (or our pid with another token)."""
    import socket

    from bot.delivery.leases import LEASE_OWNER, lease_owner_alive

    host = socket.gethostname()
    dead_pid = _a_dead_pid()
    assert not lease_owner_alive(f"{host}/{dead_pid}/abcd")
    assert not lease_owner_alive(f"{host}/{os.getpid()}/not-our-token")  # restarted as same pid
    assert lease_owner_alive(LEASE_OWNER)
    assert lease_owner_alive(f"{host}/{os.getppid()}/abcd")  # a live process
    assert lease_owner_alive(f"another-host/{dead_pid}/abcd")  # cannot tell: wait
    assert lease_owner_alive("garbage")
    async with build_app(settings, run_worker=False) as app:
        await run_request(app.service, "tg:4")
        await run_request(app.service, "tg:5")
        first, second = await deliveries.list_requests(app.db)
        now = datetime.now(UTC)
        until = now + timedelta(minutes=5)
        assert await deliveries.claim(app.db, first.ref, now, until, f"{host}/{dead_pid}/abcd")
        assert await deliveries.claim(app.db, second.ref, now, until, f"elsewhere/{dead_pid}/abcd")
        assert await app.outbox.release_dead_leases() == 1
        assert [d.ref for d in await deliveries.due_requests(app.db, now)] == [first.ref]
        assert await app.outbox.run_once() == 1
        (held,) = [r for r in await deliveries.list_requests(app.db) if r.status == "pending"]
        assert held.ref == second.ref and held.lease_until == until


async def test_terminal_chat_full_request_and_delivery_notice(settings: Settings) -> None:
    lines = [
        "5",
        "Bonjour, j'ai une question.",
        "1",
        "Ana Lima",
        "Passer",
        "éducatrice",
        "ana@example.be",
        "0470 12 34 56",
        "3",
        "1",
    ]
    out = io.StringIO()
    async with build_app(settings) as app:
        chat = TerminalChat(app.service, io.StringIO("\n".join(lines) + "\n"), out)
        assert await chat.run() == 0
    async with build_app(settings, run_worker=False) as app:
        (record,) = await deliveries.list_requests(app.db)
    printed = out.getvalue()
    assert "1) Questions sur la pair-aidance\n" in printed
    assert "[Passer]  [↩ Menu]" in printed
    assert "• Contact préféré : Peu importe" in printed
    assert f"référence {record.ref}." in printed
    assert texts.FILED.format(ref=record.ref) in printed
    assert record.status == "delivered" and record.person_told == "delivered"
    assert record.payload is not None
    assert record.payload.value("phone") == "+32 470 12 34 56"
    assert "> " not in printed  # no prompt when stdin is not a terminal


def test_outbox_command_lists_without_personal_data_and_retries(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def make_failed() -> str:
        async with build_app(settings, transport=BrokenTransport(), run_worker=False) as app:
            await run_request(app.service, "tg:5")
            (record,) = await deliveries.list_requests(app.db)
            now = datetime.now(UTC)
            assert await deliveries.claim(app.db, record.ref, now, now, LEASE_OWNER)
            assert await deliveries.mark_attempt_failed(
                app.db, record.ref, "SMTPAuthenticationError: 535", None, LEASE_OWNER
            )
            return record.ref

    ref = asyncio.run(make_failed())
    monkeypatch.setenv("PAT_DATA_DIR", str(settings.data_dir))
    monkeypatch.delenv("PAT_SMTP_HOST", raising=False)
    assert main(["outbox"]) == 0
    listing = capsys.readouterr().out
    assert ref in listing and "en échec" in listing and "SMTPAuthenticationError" in listing
    for private in (CONTACT["name"], CONTACT["email"], "appeler"):
        assert private not in listing
    assert main(["outbox", "retry", "R-000000-NONE"]) == 1
    assert main(["outbox", "retry", "--all"]) == 0
    assert f"{ref} : envoyée à l'équipe." in capsys.readouterr().out
    assert (Path(settings.outbox_dir) / f"{ref}.eml").exists()
    assert main(["outbox"]) == 0
    assert "Toutes les demandes ont été envoyées à l'équipe." in capsys.readouterr().out


async def test_settle_loads_lazy_data_and_freezes_long_lived_objects(app: App) -> None:
    import gc

    from bot.app import settle

    gc.unfreeze()
    thresholds = gc.get_threshold()
    try:
        settle(app)
        assert gc.get_freeze_count() > 10_000  # flows, catalogs, classifier, library data
        assert gc.get_count()[0] < 100  # a full collection just ran
        assert gc.get_threshold() == (2000, 10, 1000)
        said = await run_request(app.service, "tg:1")  # serving goes on as before
        assert "référence R-" in said[0]
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


async def test_a_person_who_cannot_be_told_is_logged_once_not_every_round(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """Seen by the tester: each closed web page added a warning line every minute, without
    end. The outbox still tries each round (the page may open again), and says it once."""

    async def closed_page(chat_key: str, text: str) -> None:
        raise LookupError("no open page")

    async with build_app(settings, run_worker=False) as app:
        app.outbox.chats.connect("web:", tell=closed_page)
        await run_request(app.service, "web:abc")
        caplog.clear()
        for _ in range(3):
            await app.outbox.run_once()
        (record,) = await deliveries.list_requests(app.db)
        assert record.status == "delivered" and record.person_told is None
        lines = [r for r in caplog.records if "could not tell" in r.getMessage()]
        assert len(lines) == 1


def test_outbox_retry_says_what_really_happened_to_each_request(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Seen by the tester: a request the running bot delivered while `outbox retry` looked at
    it was reported « pas envoyée » with an old error, exit 1."""

    async def make_pending() -> list[str]:
        async with build_app(settings, transport=BrokenTransport(), run_worker=False) as app:
            await run_request(app.service, "tg:5")
            await other_request(app.service, "tg:6", message="Une autre question")
            await app.outbox.run_once()  # both fail once: an old error is recorded
            return [r.ref for r in await deliveries.list_requests(app.db)]

    delivered_meanwhile, erased_meanwhile = asyncio.run(make_pending())
    real_attempt = Outbox.attempt

    async def bot_got_there_first(outbox: Outbox, record: object) -> bool:
        ref = getattr(record, "ref", "")
        now = datetime.now(UTC)
        if ref == delivered_meanwhile:  # the running bot claims and delivers it
            assert await deliveries.claim(outbox.db, ref, now, now, "elsewhere/1/x")
            await outbox.db.write(
                lambda conn: conn.execute(
                    "UPDATE requests SET status = 'delivered' WHERE ref = ?", (ref,)
                )
            )
        else:  # the person erases it
            await outbox.db.write(
                lambda conn: conn.execute("DELETE FROM requests WHERE ref = ?", (ref,))
            )
        return await real_attempt(outbox, record)  # type: ignore[arg-type]

    monkeypatch.setattr(Outbox, "attempt", bot_got_there_first)
    monkeypatch.setenv("PAT_DATA_DIR", str(settings.data_dir))
    monkeypatch.delenv("PAT_SMTP_HOST", raising=False)
    assert main(["outbox", "retry", "--all"]) == 0
    out = capsys.readouterr().out
    assert f"{delivered_meanwhile} : le robot en marche vient de l'envoyer" in out
    assert f"{erased_meanwhile} : effacée à la demande de la personne" in out
    assert "pas envoyée (" not in out
