"""Storage on a real SQLite file: migrations, WAL, and restarts in the middle of things."""

from __future__ import annotations

from pathlib import Path

import aiosqlite
import pytest

from bot.app import build_app
from bot.settings import Settings
from flows.engine import Choice, Start, State, Text
from storage import repo
from storage.db import MIGRATIONS_DIR, Database, Work
from tests.helpers import NOW


async def test_migrations_are_applied_once_and_recorded(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "pat.sqlite3")
    async with db.conn.execute("SELECT name FROM schema_migrations") as cur:
        names = [row[0] async for row in cur]
    on_disk = sorted(p.name for p in MIGRATIONS_DIR.glob("*.sql"))
    assert names == on_disk and names[0] == "0001_init.sql"
    async with db.conn.execute("PRAGMA journal_mode") as cur:
        row = await cur.fetchone()
    assert row is not None and row[0] == "wal"
    await db.close()
    again = await Database.open(tmp_path / "pat.sqlite3")
    assert await again.migrate() == []
    await again.close()


async def test_state_round_trips_through_the_database(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "pat.sqlite3")
    state = State(
        step="training.region",
        turn=7,
        answers={"offer": "training", "c": ["a", "b"]},
        faq_read=["relapse"],
        started=True,
    )
    async with db.transaction() as conn:
        await repo.save_conversation(conn, "tg:1", state, NOW)
    assert await repo.load_conversation(db, "tg:1") == state
    assert await repo.load_conversation(db, "tg:2") is None
    await db.close()


async def test_a_failed_transaction_changes_nothing(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "pat.sqlite3")
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await repo.save_conversation(conn, "tg:1", State(), NOW)
            raise RuntimeError("crash mid-transaction")
    assert await repo.load_conversation(db, "tg:1") is None
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
        assert out[-1].text == "Où êtes-vous ?"


async def test_consent_is_saved_with_time_and_notice_version(settings: Settings) -> None:
    async with build_app(settings) as app:
        svc = app.service
        await svc.handle("tg:7", Start())
        await svc.handle("tg:7", Text("Autre chose / parler à une personne"))
        await svc.handle("tg:7", Text("Bonjour"))
        state = await svc.state_of("tg:7")
        assert state is not None
        await svc.handle("tg:7", Choice("_yes", state.turn))
        consents = await repo.list_consents(app.db, "tg:7")
        assert len(consents) == 1
        assert consents[0].notice_version == "2026-12-v2"
        assert consents[0].given_at.tzinfo is not None


async def test_refused_consent_stores_nothing_personal(settings: Settings) -> None:
    async with build_app(settings) as app:
        svc = app.service
        await svc.handle("tg:8", Start())
        await svc.handle("tg:8", Text("Autre chose / parler à une personne"))
        await svc.handle("tg:8", Text("Je m'appelle Secret Person"))
        await svc.handle("tg:8", Text("Je refuse"))
        assert await repo.list_consents(app.db, "tg:8") == []
        assert await repo.list_requests(app.db) == []
    async with (
        aiosqlite.connect(settings.db_path) as conn,
        conn.execute("SELECT state FROM conversations") as cur,
    ):
        rows = [r[0] async for r in cur]
    assert rows and not any("Secret Person" in r for r in rows)


async def test_group_commit_batches_writes_and_isolates_a_failing_one(tmp_path: Path) -> None:
    import asyncio

    db = await Database.open(tmp_path / "pat.sqlite3")
    now = NOW
    ok = [
        db.write(
            [
                repo.record_update_sql(n, now),
                repo.save_conversation_sql(f"tg:{n}", State(turn=n), now),
            ],
            guard_first=True,
        )
        for n in range(50)
    ]
    failing = db.write([("INSERT INTO no_such_table VALUES (1)", ())])
    replayed = db.write(
        [repo.record_update_sql(7, now), repo.save_conversation_sql("tg:7", State(turn=999), now)],
        guard_first=True,
    )
    results = await asyncio.gather(*ok, failing, replayed, return_exceptions=True)
    assert results[:50] == [True] * 50
    assert isinstance(results[50], Exception)  # only the bad item failed
    assert results[51] is False  # update 7 already recorded: its statements were skipped
    state = await repo.load_conversation(db, "tg:7")
    assert state is not None and state.turn == 7
    assert await repo.load_conversation(db, "tg:49") == State(turn=49)
    await db.close()


async def test_run_gives_each_function_its_own_savepoint(tmp_path: Path) -> None:
    import asyncio
    import sqlite3

    from storage.db import Rollback

    db = await Database.open(tmp_path / "pat.sqlite3")

    def save(key: str) -> Work:
        def work(conn: sqlite3.Connection) -> str:
            conn.execute(*repo.save_conversation_sql(key, State(), NOW))
            if key == "tg:undo":
                raise Rollback("undone")
            if key == "tg:fail":
                raise ValueError("boom")
            return key

        return work

    results = await asyncio.gather(
        db.run(save("tg:a")),
        db.run(save("tg:undo")),
        db.run(save("tg:fail")),
        db.run(save("tg:b")),
        return_exceptions=True,
    )
    assert results[0] == "tg:a" and results[3] == "tg:b"
    assert results[1] == "undone"
    assert isinstance(results[2], ValueError)
    rows = await db.conn.execute_fetchall("SELECT chat_key FROM conversations ORDER BY 1")
    assert [r[0] for r in rows] == ["tg:a", "tg:b"]  # the undone and the failed left nothing
    await db.close()


async def test_reads_on_the_shared_connection_see_every_commit(tmp_path: Path) -> None:
    """Writes go through the writer connection, most reads through aiosqlite's: a read queued
    between another task's reads must not run in a snapshot taken before the last commit."""
    import asyncio

    db = await Database.open(tmp_path / "pat.sqlite3")

    async def worker_reads(stop: asyncio.Event) -> None:  # as the delivery worker does
        while not stop.is_set():
            await repo.next_attempt_time(db)
            await repo.due_requests(db, NOW)
            await asyncio.sleep(0)

    stop = asyncio.Event()
    reader = asyncio.create_task(worker_reads(stop))
    seen = []
    try:
        for n in range(40):
            await db.write([repo.insert_consent_sql("tg:1", f"v{n}", NOW)])
            seen.append(len(await repo.list_consents(db, "tg:1")))
            assert await repo.get_request(db, "none") is None
    finally:
        stop.set()
        await reader
        await db.close()
    assert seen == list(range(1, 41))


async def test_the_log_is_checkpointed_off_the_event_loop(tmp_path: Path) -> None:
    """The writer connection never checkpoints (that waits for the disk); after enough writes
    aiosqlite's thread copies the log into the database file itself."""
    import shutil
    import sqlite3

    from storage.db import CHECKPOINT_EVERY

    db = await Database.open(tmp_path / "pat.sqlite3")
    assert db.writer.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    for n in range(CHECKPOINT_EVERY):
        await db.write([repo.save_conversation_sql(f"tg:{n}", State(turn=n), NOW)])
    assert db._checkpointer is not None
    await db._checkpointer
    # The database file alone, without its -wal, holds every committed row.
    shutil.copy(tmp_path / "pat.sqlite3", tmp_path / "copy.sqlite3")
    alone = sqlite3.connect(tmp_path / "copy.sqlite3")
    assert alone.execute("SELECT COUNT(*) FROM conversations").fetchone()[0] == CHECKPOINT_EVERY
    alone.close()
    await db.close()
