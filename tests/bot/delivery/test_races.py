"""Sent once, erased means erased, when things overlap (issue #25, the hostile tester's races).

A real aiosmtpd server on 127.0.0.1 that takes its time over DATA; a second real process
(`pat-bot outbox retry --all`) on the same data folder; a real process that keeps a read
transaction open on the database (an sqlite3 shell, a backup tool).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import Envelope, Session

from bot.app import build_app
from bot.settings import Settings
from flows import texts
from flows.engine import Command, Text
from storage import conversations, deliveries, erasure
from tests.bot.delivery.test_smtp import Sink, free_port, smtp_server, smtp_settings
from tests.storage.test_privacy import SECRET_EMAIL, full_request, leaks

PAT_BOT = Path(sys.executable).parent / "pat-bot"


class SlowSink(Sink):
    """Accepts every message, ``seconds`` after its DATA has arrived."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds
        self.receiving = asyncio.Event()  # set in the server's own loop: read with is_set()

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        self.receiving.set()
        await asyncio.sleep(self.seconds)
        return await super().handle_DATA(server, session, envelope)


def env_for(settings: Settings, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAT_")}
    env.update(
        PAT_DATA_DIR=str(settings.data_dir),
        PAT_SMTP_HOST="127.0.0.1",
        PAT_SMTP_PORT=str(port),
        PAT_SMTP_SECURITY="none",
    )
    return env


async def until(condition: Any, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the condition never came true")


async def test_a_send_longer_than_the_lease_keeps_it_and_another_process_does_not_send_again(
    settings: Settings,
) -> None:
    """Seen by the tester: DATA answered after the lease ran out; `outbox retry` took the
    lease and sent a second mail. The sender now renews its lease while it sends."""
    port = free_port()
    slow = SlowSink(seconds=4.0)
    with smtp_server(port) as sink:
        sink.handle_DATA = slow.handle_DATA  # type: ignore[method-assign]
        async with build_app(smtp_settings(settings, port), run_worker=False) as app:
            app.outbox.lease = timedelta(seconds=1.0)  # 300 s in production: too long to wait
            await full_request(app.service, "tg:1")
            sending = asyncio.create_task(app.outbox.run_once())
            await until(slow.receiving.is_set)
            await asyncio.sleep(1.5)  # the first lease would have run out by now
            retry = await asyncio.create_subprocess_exec(
                str(PAT_BOT),
                "outbox",
                "retry",
                "--all",
                env=env_for(settings, port),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            out, _ = await asyncio.wait_for(retry.communicate(), 60)
            assert await sending == 1
            (record,) = await deliveries.list_requests(app.db)
            assert record.status == "delivered" and record.attempts == 1
    assert len(slow.envelopes) == 1, out.decode()


async def test_forget_during_a_send_is_said_honestly_and_pat_is_asked_to_delete_it(
    settings: Settings,
) -> None:
    """Seen by the tester: /forget while the mail was on its way said « tout effacé »; the
    mail arrived and the bot kept no trace. Now the person hears that it was on its way, PAT
    receives a request to delete it, and nothing stays in the data folder."""
    port = free_port()
    slow = SlowSink(seconds=2.0)
    with smtp_server(port) as sink:
        sink.handle_DATA = slow.handle_DATA  # type: ignore[method-assign]
        async with build_app(smtp_settings(settings, port), run_worker=False) as app:
            svc = app.service
            await full_request(svc, "tg:1")
            (record,) = await deliveries.list_requests(app.db)
            sending = asyncio.create_task(app.outbox.run_once())
            await until(slow.receiving.is_set)
            await svc.handle("tg:1", Command("forget"))
            out = await svc.handle("tg:1", Text("Oui, tout effacer"))
            assert out[0].text.startswith("C'est fait : j'ai effacé vos réponses ici.")
            assert record.ref in out[0].text and "pat@smes.be" in out[0].text
            assert await sending == 0  # not counted as delivered: it was erased meanwhile
            assert await deliveries.list_requests(app.db) == []
            assert await erasure.unfinished(app.db) == []
    request, notice = slow.messages()
    assert request["X-PAT-Reference"] == notice["X-PAT-Reference"] == record.ref
    assert record.ref in notice["Subject"] and SECRET_EMAIL not in notice.as_string()
    assert leaks(settings.data_dir) == []


READER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN")
conn.execute("SELECT COUNT(*) FROM conversations").fetchall()
print("reading", flush=True)
sys.stdin.readline()
"""


async def test_forget_with_another_reader_open_is_not_called_done_until_it_is(
    settings: Settings,
) -> None:
    """Seen by the tester: with an sqlite3 shell open, /forget waited 61 s, said « tout
    effacé », and the e-mail address stayed readable in the file. Now it waits a few seconds,
    says honestly that a copy is left for a moment, and finishes once the reader has gone."""
    async with build_app(settings, run_worker=False) as app:
        svc = app.service
        await full_request(svc, "tg:1", send=False)
        reader = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            READER,
            str(settings.db_path),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        try:
            assert reader.stdout is not None
            assert await asyncio.wait_for(reader.stdout.readline(), 30) == b"reading\n"
            await svc.handle("tg:1", Command("forget"))
            out = await svc.handle("tg:1", Text("Oui, tout effacer"))
            assert out[0].text == texts.FORGOTTEN_NOT_YET
            assert SECRET_EMAIL in leaks(settings.data_dir)  # honest: still there
            assert await erasure.unfinished(app.db) != []
        finally:
            await asyncio.wait_for(reader.communicate(b"\n"), 30)
        assert await app.outbox.erasures.finish()  # what the job does every minute
        assert await erasure.unfinished(app.db) == []
    assert leaks(settings.data_dir) == []


async def test_an_erasure_cut_after_its_commit_is_finished_at_the_next_start(
    settings: Settings,
) -> None:
    """Seen by the tester: killed after the erasure's commit and before the .eml was
    deleted, the copy with name, e-mail and phone stayed for good. The erasure's commit now
    records what is left to do, and the next start does it."""
    async with build_app(settings, run_worker=False) as app:
        await full_request(app.service, "tg:1")
        await app.outbox.run_once()
        (record,) = await deliveries.list_requests(app.db)
        assert (settings.outbox_dir / f"{record.ref}.eml").exists()
        state = await app.service.state_of("tg:1")
        assert state is not None
        # The transaction of /forget alone, as if the process died right after it:
        await conversations.save_turn(
            app.db, conversations.Turn("tg:1", state, datetime.now(UTC), forget=True)
        )
        assert SECRET_EMAIL in leaks(settings.data_dir)
    async with build_app(settings, run_worker=False):
        pass
    assert not (settings.outbox_dir / f"{record.ref}.eml").exists()
    assert leaks(settings.data_dir) == []
