"""Storage on a real SQLite file: migrations, WAL, and restarts in the middle of things."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.app import build_app
from bot.settings import Settings
from flows.engine import Choice, Start, State, Text
from storage import conversations, deliveries
from storage.db import MIGRATIONS_DIR, Database, Rollback, _migrate
from tests.helpers import NOW


async def test_migrations_are_applied_once_and_recorded(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "pat.sqlite3")
    names = [row[0] for row in await db.read("SELECT name FROM schema_migrations")]
    on_disk = sorted(p.name for p in MIGRATIONS_DIR.glob("*.sql"))
    assert names == on_disk and names[0] == "0001_init.sql"
    assert (await db.read("PRAGMA journal_mode"))[0][0] == "wal"
    await db.close()
    with sqlite3.connect(tmp_path / "pat.sqlite3", isolation_level=None) as conn:
        assert _migrate(conn) == []  # nothing left to apply


async def test_state_round_trips_through_the_database(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "pat.sqlite3")
    state = State(
        step="training.region",
        turn=7,
        answers={"offer": "training", "c": ["a", "b"]},
        faq_read=["relapse"],
        started=True,
    )
    await conversations.save_turn(db, conversations.Turn("tg:1", state, NOW))
    assert await conversations.load_conversation(db, "tg:1") == state
    assert await conversations.load_conversation(db, "tg:2") is None
    await db.close()


async def test_a_failed_write_changes_nothing(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "pat.sqlite3")

    def crash(conn: sqlite3.Connection) -> None:
        conn.execute(
            "INSERT INTO conversations (chat_key, state, updated_at) VALUES ('tg:1', '{}', '')"
        )
        raise RuntimeError("crash mid-transaction")

    with pytest.raises(RuntimeError):
        await db.write(crash)
    assert await conversations.load_conversation(db, "tg:1") is None
    await db.close()


async def test_restart_in_the_middle_of_a_conversation_loses_nothing(settings: Settings) -> None:
    async with build_app(settings) as app:
        await app.service.handle("tg:42", Start())
        await app.service.handle("tg:42", Text("Une formation"))  # typed label = button
        await app.service.handle("tg:42", Text("Une équipe"))
        state = await app.service.state_of("tg:42")
        assert state is not None and state.step == "training.group_size"
    # The process is gone; a new one opens the same file.
    async with build_app(settings) as app:
        state = await app.service.state_of("tg:42")
        assert state is not None
        assert state.step == "training.group_size"
        assert state.answers == {"offer": "training", "profile": "team"}
        out = await app.service.handle("tg:42", Text("8"))
        assert out[-1].text == "Dans quelle région êtes-vous ?"


async def test_consent_is_saved_with_time_and_notice_version(settings: Settings) -> None:
    async with build_app(settings) as app:
        svc = app.service
        await svc.handle("tg:7", Start())
        await svc.handle("tg:7", Text("Autre chose / parler à une personne"))
        await svc.handle("tg:7", Text("Bonjour"))
        state = await svc.state_of("tg:7")
        assert state is not None
        await svc.handle("tg:7", Choice("_yes", state.turn))
        consents = await conversations.list_consents(app.db, "tg:7")
        assert len(consents) == 1
        assert consents[0].notice_version == "2026-12-v7"
        assert consents[0].given_at.tzinfo is not None


async def test_refused_consent_stores_nothing_personal(settings: Settings) -> None:
    async with build_app(settings) as app:
        svc = app.service
        await svc.handle("tg:8", Start())
        await svc.handle("tg:8", Text("Autre chose / parler à une personne"))
        await svc.handle("tg:8", Text("Je m'appelle Secret Person"))
        await svc.handle("tg:8", Text("Je refuse"))
        assert await conversations.list_consents(app.db, "tg:8") == []
        assert await deliveries.list_requests(app.db) == []
    with sqlite3.connect(settings.db_path) as conn:
        rows = [r[0] for r in conn.execute("SELECT state FROM conversations")]
    assert rows and not any("Secret Person" in r for r in rows)


async def test_writes_at_once_are_each_all_or_nothing(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "pat.sqlite3")
    turns = [
        conversations.save_turn(db, conversations.Turn(f"tg:{n}", State(turn=n), NOW, update_id=n))
        for n in range(50)
    ]

    def bad(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO no_such_table VALUES (1)")

    replayed = conversations.save_turn(
        db, conversations.Turn("tg:7", State(turn=999), NOW, update_id=7)
    )
    results = await asyncio.gather(*turns, db.write(bad), replayed, return_exceptions=True)
    assert all(isinstance(r, conversations.Saved) for r in results[:50])
    assert isinstance(results[50], sqlite3.OperationalError)  # only the bad one failed
    assert isinstance(results[51], conversations.AlreadyApplied)  # update 7: applied once only
    state = await conversations.load_conversation(db, "tg:7")
    assert state is not None and state.turn == 7
    assert await conversations.load_conversation(db, "tg:49") == State(turn=49)
    await db.close()


async def test_each_write_is_its_own_transaction(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "pat.sqlite3")

    def save(key: str) -> Callable[[sqlite3.Connection], str]:
        def work(conn: sqlite3.Connection) -> str:
            conn.execute(
                "INSERT INTO conversations (chat_key, state, updated_at) VALUES (?, '{}', '')",
                (key,),
            )
            if key == "tg:undo":
                raise Rollback("undone")
            if key == "tg:fail":
                raise ValueError("boom")
            return key

        return work

    results = await asyncio.gather(
        db.write(save("tg:a")),
        db.write(save("tg:undo")),
        db.write(save("tg:fail")),
        db.write(save("tg:b")),
        return_exceptions=True,
    )
    assert results[0] == "tg:a" and results[3] == "tg:b"
    assert results[1] == "undone"
    assert isinstance(results[2], ValueError)
    rows = await db.read("SELECT chat_key FROM conversations ORDER BY 1")
    assert [r[0] for r in rows] == ["tg:a", "tg:b"]  # the undone and the failed left nothing
    await db.close()


async def test_a_read_sees_every_write_committed_before_it(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "pat.sqlite3")

    async def worker_reads(stop: asyncio.Event) -> None:  # as the delivery worker does
        while not stop.is_set():
            await deliveries.next_attempt_time(db)
            await deliveries.due_requests(db, NOW)
            await asyncio.sleep(0)

    stop = asyncio.Event()
    reader = asyncio.create_task(worker_reads(stop))
    seen = []
    try:
        for n in range(40):
            await conversations.save_turn(
                db, conversations.Turn("tg:1", State(turn=n), NOW, consents=[(f"v{n}", NOW)])
            )
            seen.append(len(await conversations.list_consents(db, "tg:1")))
            assert await deliveries.get_request(db, "none") is None
    finally:
        stop.set()
        await reader
        await db.close()
    assert seen == list(range(1, 41))


async def test_another_process_holding_the_lock_never_freezes_the_event_loop(
    tmp_path: Path,
) -> None:
    """While a `pat-bot` command holds the write lock for a second, writes wait in the writer
    thread, reads go on, and the event loop keeps answering within milliseconds."""
    path = tmp_path / "pat.sqlite3"
    db = await Database.open(path)
    await conversations.save_turn(db, conversations.Turn("tg:1", State(turn=1), NOW))
    holder = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1], isolation_level=None);"
        " c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); time.sleep(1.0);"
        " c.execute('COMMIT')",
        str(path),
        stdout=asyncio.subprocess.PIPE,
    )
    assert holder.stdout is not None
    assert (await holder.stdout.readline()).strip() == b"locked"
    write = asyncio.create_task(
        conversations.save_turn(db, conversations.Turn("tg:2", State(turn=2), NOW))
    )
    worst = 0.0
    started = time.perf_counter()
    while not write.done():
        before = time.perf_counter()
        await asyncio.sleep(0.01)
        worst = max(worst, time.perf_counter() - before - 0.01)
        state = await conversations.load_conversation(db, "tg:1")  # reads go on meanwhile
        assert state is not None and state.turn == 1
    waited = time.perf_counter() - started
    await write
    await asyncio.wait_for(holder.wait(), 10)
    assert waited > 0.5  # the write did wait for the other process…
    assert worst < 0.1  # …without the event loop ever stalling
    assert await conversations.load_conversation(db, "tg:2") == State(turn=2)
    await db.close()


async def test_a_leased_request_is_due_when_its_lease_ends_and_not_retried_before(
    settings: Settings,
) -> None:
    """A process that crashed while sending holds its lease: the others wait for its end
    (no polling every 50 ms), and `outbox retry` leaves a live lease alone."""
    from datetime import UTC, datetime, timedelta

    from tests.helpers import other_request

    async with build_app(settings, run_worker=False) as app:
        await other_request(app.service, "tg:1")
        (record,) = await deliveries.list_requests(app.db)
        now = datetime.now(UTC)
        until = now + timedelta(minutes=5)
        assert await deliveries.claim(app.db, record.ref, now, until, "h/1/t")
        assert not await deliveries.claim(
            app.db, record.ref, now, until, "h/2/t"
        )  # held: not twice
        assert await deliveries.next_attempt_time(app.db) == until
        assert await deliveries.reset_for_retry(app.db, now) == []
        assert await deliveries.reset_for_retry(app.db, now, record.ref) == []
        later = until + timedelta(seconds=1)
        assert await deliveries.reset_for_retry(app.db, later, record.ref) == [record.ref]
