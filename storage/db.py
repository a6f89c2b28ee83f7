"""The SQLite database: opening it, applying migrations, running transactions.

Migrations are plain SQL files in ``storage/migrations`` named ``0001_name.sql``, applied in
order at start-up and recorded by name in ``schema_migrations`` (the Datasette way).

Two connections to the same file (WAL mode):

- ``conn``, an aiosqlite connection (its own thread): migrations, reports, the delivery
  worker's reads, rare multi-step work (erasure, retention) through ``transaction()``, and the
  write-ahead log checkpoints, the only place where SQLite waits for the disk (``fsync``);
- ``writer``, a plain sqlite3 connection used on the event loop's thread for the everyday
  writes (``write()`` / ``run()``, group commit: every pending write in one transaction, each
  under its own savepoint) and the point reads of every update (``fetch()``). With WAL and
  ``synchronous=NORMAL`` a commit only appends to the log (no ``fsync``): a batch takes
  microseconds. Run in aiosqlite's thread, the same batch waited for the interpreter lock
  (GIL) while the event loop was busy, 10 ms at p99 under load (bench/README.md).

A lock keeps group commits, ``transaction()`` and ``checkpoint()`` from interleaving.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

Statement = tuple[str, Sequence[Any]]


class Rollback(Exception):
    """Raised inside a ``Database.run`` function: undo its changes and return ``value``."""

    def __init__(self, value: Any) -> None:
        super().__init__(value)
        self.value = value


Work = Callable[[sqlite3.Connection], Any]


CHECKPOINT_EVERY = 1000  # committed writes between two passive checkpoints (~ SQLite's default)


@dataclass
class _Write:
    work: Work
    future: asyncio.Future[Any]


def _commit_batch(conn: sqlite3.Connection, works: list[Work]) -> list[Any]:
    """Every function in one transaction, each under its own savepoint so that a failing (or
    rolled back) one is undone alone."""
    results: list[Any] = []
    conn.execute("BEGIN IMMEDIATE")
    try:
        for n, work in enumerate(works):
            conn.execute(f"SAVEPOINT w{n}")
            try:
                results.append(work(conn))
            except Exception as exc:
                conn.execute(f"ROLLBACK TO w{n}")
                results.append(exc)
            conn.execute(f"RELEASE w{n}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return results


def statements_work(statements: list[Statement], guard_first: bool = False) -> Work:
    """A work function running ``statements`` in order; with ``guard_first``, one whose first
    statement changes no row raises ``Rollback(False)`` (e.g. an update already recorded)."""

    def work(conn: sqlite3.Connection) -> bool:
        for k, (sql, params) in enumerate(statements):
            if conn.execute(sql, params).rowcount == 0 and k == 0 and guard_first:
                raise Rollback(False)
        return True

    return work


# Set on both connections. secure_delete: deleted content is overwritten with zeros, so erased
# data cannot be read back from free pages of the file (see checkpoint() for the log).
_PRAGMAS = ("synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=5000", "secure_delete=ON")


def _connect_writer(path: Path) -> sqlite3.Connection:
    writer = sqlite3.connect(path, isolation_level=None)
    # Checkpoints run in aiosqlite's thread (_checkpoint_soon), never on the loop.
    for pragma in (*_PRAGMAS, "wal_autocheckpoint=0"):
        writer.execute(f"PRAGMA {pragma}")
    return writer


class Database:
    """The two connections (see the module docstring), with migrations applied."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self.writer = _connect_writer(path)
        self._write_lock = asyncio.Lock()
        self._pending: list[_Write] = []
        self._flusher: asyncio.Task[None] | None = None
        self._since_checkpoint = 0
        self._checkpointer: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, path: Path) -> Database:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        await conn.execute_fetchall("PRAGMA journal_mode=WAL")
        for pragma in _PRAGMAS:
            await conn.execute(f"PRAGMA {pragma}")
        db = cls(conn, path)
        await db.migrate()
        return db

    async def close(self) -> None:
        if self._flusher is not None:
            await self._flusher
        if self._checkpointer is not None:
            await self._checkpointer
        self.writer.close()
        await self.conn.close()

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """A short read (a few rows by key) on the event loop's thread, seeing every write
        committed so far. Longer reads go through ``conn``."""
        return self.writer.execute(sql, params).fetchall()

    async def write(self, statements: list[Statement], *, guard_first: bool = False) -> bool:
        """Commit ``statements`` atomically, grouped with the other writes waiting now.

        With ``guard_first``, an item whose first statement changes no row (e.g. an update id
        already recorded) is skipped and False returned.
        """
        result: bool = await self.run(statements_work(statements, guard_first))
        return result

    async def run(self, work: Work) -> Any:
        """Run ``work(connection)`` in the database thread, inside the next group commit.

        Group commit: while one batch is being committed, new work queues up and goes
        together in the next transaction, in one trip to the database thread. Each function
        runs under its own savepoint: if it raises, its changes are undone and the exception
        reaches its caller alone; ``Rollback(value)`` undoes them and returns ``value``. The
        caller resumes only once the transaction is committed. ``work`` must not block or
        touch the event loop: plain SQL on the sqlite3 connection.
        """
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending.append(_Write(work, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._write_pending())
        return await future

    async def _write_pending(self) -> None:
        while self._pending:
            async with self._write_lock:
                # Taken after the lock: work queued while waiting for it joins this batch.
                batch, self._pending = self._pending, []
                try:
                    results = _commit_batch(self.writer, [w.work for w in batch])
                except Exception as exc:
                    results = [exc] * len(batch)
            self._since_checkpoint += len(batch)
            if self._since_checkpoint >= CHECKPOINT_EVERY:
                self._checkpoint_soon()
            for w, result in zip(batch, results, strict=True):
                if w.future.done():
                    continue
                if isinstance(result, Rollback):
                    w.future.set_result(result.value)
                elif isinstance(result, Exception):
                    w.future.set_exception(result)
                else:
                    w.future.set_result(result)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE … COMMIT, rolled back if the block raises."""
        async with self._write_lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")

    def _checkpoint_soon(self) -> None:
        """Copy the log into the database file in aiosqlite's thread, without blocking writers
        (the writer connection never checkpoints: that would wait for the disk on the loop)."""
        if self._checkpointer is not None and not self._checkpointer.done():
            return
        self._since_checkpoint = 0

        async def passive() -> None:
            await self.conn.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")

        self._checkpointer = asyncio.create_task(passive())

    async def checkpoint(self) -> None:
        """Copy the write-ahead log into the database and empty it: after an erasure, no old
        page image stays behind in the -wal file."""
        async with self._write_lock:
            # Read the result row: a statement left unfinished would block later savepoints.
            await self.conn.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)")

    async def migrate(self) -> list[str]:
        """Apply migrations not yet recorded; return the names applied now."""
        await self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        rows = await self.conn.execute_fetchall("SELECT name FROM schema_migrations")
        done = {row[0] for row in rows}
        applied: list[str] = []
        for sql_file in sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql")):
            if sql_file.name in done:
                continue
            script = sql_file.read_text(encoding="utf-8")
            async with self._write_lock:
                # executescript commits first; the migration and its record go in one script.
                now = datetime.now(UTC).isoformat()
                name = sql_file.name.replace("'", "''")
                await self.conn.executescript(
                    f"BEGIN IMMEDIATE;\n{script}\n"
                    "INSERT INTO schema_migrations (name, applied_at) "
                    f"VALUES ('{name}', '{now}');\n"
                    "COMMIT;"
                )
            applied.append(sql_file.name)
        return applied
