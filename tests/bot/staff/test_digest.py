"""The weekly digest: anonymous, in the staff's language, made once per week however many
processes run, delivered through the outbox (never lost, never doubled)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import build_app
from bot.settings import Settings
from bot.staff.digest import due_week, week_of
from storage import deliveries, digests
from tests.bot.delivery.test_smtp import free_port, smtp_server, smtp_settings
from tests.helpers import accompaniment_request

BIN = Path(sys.executable).parent / "pat-bot"
# Tuesday 1 December 2026, 09:30 in Brussels (UTC+1).
TUESDAY = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)


class Recorder:
    """A transport that keeps what it is given, and can be down."""

    def __init__(self, down: bool = False) -> None:
        self.sent: list[tuple[str, bytes]] = []
        self.down = down

    async def send(self, ref: str, message: bytes) -> None:
        if self.down:
            raise ConnectionRefusedError("mail server down")
        self.sent.append((ref, message))


def test_the_week_is_due_from_its_day_at_eight_in_brussels() -> None:
    monday_0759 = datetime(2026, 11, 30, 6, 59, tzinfo=UTC)  # 07:59 in Brussels
    assert due_week(monday_0759, 1) is None
    assert due_week(monday_0759 + timedelta(minutes=1), 1) == "2026-W49"
    assert due_week(TUESDAY, 1) == "2026-W49"  # a bot stopped on Monday catches up
    assert due_week(TUESDAY, 3) is None  # Wednesday: not yet
    assert due_week(datetime(2026, 12, 6, 7, 0, tzinfo=UTC), 7) == "2026-W49"  # Sunday 08:00
    assert week_of(datetime(2027, 1, 1).date()) == "2026-W53"


async def test_one_digest_per_week_however_many_processes(settings: Settings) -> None:
    weekly = settings.model_copy(update={"digest_weekday": 1})
    one, two = Recorder(), Recorder()
    async with (
        build_app(weekly, transport=one, run_worker=False) as first,
        build_app(weekly, transport=two, run_worker=False) as second,
    ):
        await accompaniment_request(first.service, "tg:1")
        await first.service.flush_counts()
        for app in (first, second):
            app.outbox.clock = lambda: TUESDAY
        await first.outbox.run_once()
        await second.outbox.run_once()
        await first.outbox.run_once()
        sent_digests = [m for ref, m in one.sent + two.sent if ref.startswith("digest-")]
        assert len(sent_digests) == 1
        assert await digests.digest_state(first.db, "2026-W49") == "sent"
        # The next week, a new one.
        for app in (first, second):
            app.outbox.clock = lambda: TUESDAY + timedelta(days=7)
        await second.outbox.run_once()
        assert [r for r, _ in one.sent + two.sent if r.startswith("digest-")] == [
            "digest-2026-W49",
            "digest-2026-W50",
        ]
    text = sent_digests[0].decode()
    assert "Subject: [PAT] =?utf-8?" in text or "Subject: [PAT] R" in text
    assert "Message-ID: <digest-2026-W49@smes.be>" in text


async def test_the_digest_is_anonymous_and_says_what_waits(settings: Settings) -> None:
    from bot.staff.digest import digest_text

    async with build_app(settings, run_worker=False) as app:
        await accompaniment_request(app.service, "tg:1", organisation="ASBL Secrète")
        await app.service.flush_counts()
        (record,) = await deliveries.list_requests(app.db)
        subject, body = await digest_text(app.db, app.flows, app.outbox.staff, datetime.now(UTC))
    assert subject.startswith("[PAT] Résumé de la semaine, du ")
    assert "Nouvelles demandes : 1" in body and "Par offre : Accompagnement 1" in body
    assert "Par région : Wallonie 1" in body
    assert "Pas encore arrivées dans la boîte pat@smes.be : 1" in body
    assert f"  {record.ref} · Accompagnement · en attente, 0 essai(s)" in body
    for personal in ("Ana Lima", "ana@example.be", "ASBL Secrète", "Liège", "4000"):
        assert personal not in body


async def test_a_digest_the_server_refused_is_sent_later_once(settings: Settings) -> None:
    weekly = settings.model_copy(update={"digest_weekday": 2})
    transport = Recorder(down=True)
    async with build_app(weekly, transport=transport, run_worker=False) as app:
        now = TUESDAY
        app.outbox.clock = lambda: now
        assert await app.outbox.send_digests() == "ConnectionRefusedError: mail server down"
        assert await digests.digest_state(app.db, "2026-W49") == "waiting"
        transport.down = False
        assert await app.outbox.send_digests() is None
        assert transport.sent == []  # not due again yet (back-off)
        now = TUESDAY + timedelta(hours=1)
        assert await app.outbox.send_digests() is None
        assert [ref for ref, _ in transport.sent] == ["digest-2026-W49"]
        now = TUESDAY + timedelta(hours=2)
        await app.outbox.send_digests()
        assert len(transport.sent) == 1


def test_digest_command_sends_once_through_a_real_smtp_server(
    settings: Settings, tmp_path: Path
) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAT_")}
    env.update(
        PAT_DATA_DIR=str(tmp_path / "data"),
        PAT_SMTP_HOST="127.0.0.1",
        PAT_SMTP_PORT=str(port),
        PAT_SMTP_SECURITY="none",
    )
    assert smtp_settings(settings, port).smtp_port == port

    def digest(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN), "digest", *args], env=env, capture_output=True, text=True, timeout=60
        )

    with smtp_server(port) as sink:
        shown = digest()
        assert shown.returncode == 0 and shown.stdout.startswith("[PAT] Résumé de la semaine")
        assert sink.envelopes == []  # showing sends nothing
        sent = digest("--send")
        assert sent.returncode == 0, sent.stderr
        assert (
            sent.stdout.startswith("Résumé de la semaine 20")
            and "envoyé à pat@smes.be" in sent.stdout
        )
        again = digest("--send")
        assert again.returncode == 0 and "il n'est pas envoyé deux fois" in again.stdout
        (message,) = sink.messages()
    assert str(message["Subject"]).startswith("[PAT] Résumé de la semaine, du ")
    assert message["X-PAT-Digest"] is not None
    body = message.get_content()
    assert "Ce résumé ne contient aucune donnée personnelle." in body


def test_digest_send_with_the_server_down_says_so_and_keeps_it(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAT_")}
    env.update(
        PAT_DATA_DIR=str(tmp_path / "data"),
        PAT_SMTP_HOST="127.0.0.1",
        PAT_SMTP_PORT=str(free_port()),  # nobody listens
        PAT_SMTP_SECURITY="none",
        PAT_SMTP_TIMEOUT="3",
    )
    done = subprocess.run(
        [str(BIN), "digest", "--send"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert "pas encore envoyé" in done.stderr and "le robot réessaiera" in done.stderr


async def test_no_digest_without_the_setting(settings: Settings) -> None:
    transport = Recorder()
    async with build_app(settings, transport=transport, run_worker=False) as app:
        app.outbox.clock = lambda: TUESDAY
        await app.outbox.run_once()
        assert settings.digest_weekday is None
        assert transport.sent == []
        assert await digests.digest_state(app.db, "2026-W49") == "none"


async def test_a_slow_digest_keeps_its_lease_and_is_sent_once(settings: Settings) -> None:
    """As for requests (#25): a send longer than the lease renews it, so another process does
    not send the same digest again meanwhile."""
    import asyncio

    class Slow(Recorder):
        async def send(self, ref: str, message: bytes) -> None:
            await asyncio.sleep(2.0)
            await super().send(ref, message)

    weekly = settings.model_copy(update={"digest_weekday": 1})
    one, two = Slow(), Recorder()
    async with (
        build_app(weekly, transport=one, run_worker=False) as first,
        build_app(weekly, transport=two, run_worker=False) as second,
    ):
        await accompaniment_request(first.service, "tg:1")
        first.outbox.lease = second.outbox.lease = timedelta(seconds=0.6)
        start = asyncio.get_running_loop().time()

        def tuesday() -> datetime:  # Tuesday, with time going on as it does
            return TUESDAY + timedelta(seconds=asyncio.get_running_loop().time() - start)

        for app in (first, second):
            app.outbox.clock = tuesday
        sending = asyncio.create_task(first.outbox.send_digests())
        await asyncio.sleep(1.2)  # two leases later: renewed meanwhile
        await second.outbox.send_digests()
        await sending
    sent = [r for r, _ in one.sent + two.sent if r.startswith("digest-")]
    assert sent == ["digest-2026-W49"]
