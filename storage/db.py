"""The SQLite database: one connection for the bot's reads and writes, never waiting on the
event loop, and numbered migrations.

Every statement the bot runs is a short one on a key (a conversation, a request), and in WAL
mode with ``synchronous=NORMAL`` a commit only appends to the log, without waiting for the
disk: it takes microseconds, so it runs on the event loop's own thread, with no hop to another
thread (bench/README.md measured what such hops cost under load: each statement of a worker
thread waits for the interpreter lock while the loop is busy). What could make it wait never
happens on the loop:

- another process holding the write lock (a ``pat-bot`` command): the connection's busy
  timeout is 0, so SQLite answers "busy" at once, and ``read``/``write`` try again a little
  later with ``asyncio.sleep``: the other conversations go on meanwhile;
- copying the log into the database file (a checkpoint, the one step that waits for the
  disk): never done by this connection, but in aiosqlite's thread (``checkpoint``);
- opening the file and applying migrations: in a worker thread, before the bot serves.

Each ``write(work)`` runs ``work(connection)`` in its own transaction (``BEGIN IMMEDIATE`` …
``COMMIT``): all of it or nothing. Migrations are plain SQL files in ``storage/migrations``
named ``0001_name.sql``, applied in order and recorded by name in ``schema_migrations``; the
list of applied ones is read inside the write transaction, so processes starting together
apply each one once.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

T = TypeVar("T")
Work = Callable[[sqlite3.Connection], Any]

# secure_delete: deleted content is overwritten with zeros, so erased data cannot be read
# back from free pages of the file (see checkpoint() for the log).
_PRAGMAS = ("synchronous=NORMAL", "foreign_keys=ON", "secure_delete=ON")
ERASURE_PATIENCE = 5.0  # seconds an erasure waits for readers of an older state (checkpoint)
PATIENCE = 60.0  # seconds a read or write waits for another process's lock before failing
CHECKPOINT_EVERY = 1000  # writes between two checkpoints (SQLite's own default, in pages)
_MIGRATION_BUSY_MS = 30_000  # at start-up, in a worker thread: processes starting together


# What the rest of the bot catches: SQLite's own errors, named for what they are to it (no
# module outside storage/ imports sqlite3). StorageDamaged: not a database, read-only, full.
StorageError = sqlite3.Error
StorageDamaged = sqlite3.DatabaseError


class Rollback(Exception):
    """Raised inside a write: undo its changes and return ``value`` to its caller."""

    def __init__(self, value: Any) -> None:
        super().__init__(value)
        self.value = value


class DatabaseBusy(Exception):
    """Another process kept the database locked for longer than ``PATIENCE``."""


def _busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _connect(path: Path, max_pages: int | None = None) -> sqlite3.Connection:
    """Open the file in WAL mode and apply the migrations (in a worker thread)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        if max_pages is not None:  # a cap on the file's size: "database or disk is full"
            conn.execute(f"PRAGMA max_page_count={int(max_pages)}").fetchall()
        conn.execute(f"PRAGMA busy_timeout={_MIGRATION_BUSY_MS}")
        conn.execute("PRAGMA journal_mode=WAL").fetchall()
        for pragma in _PRAGMAS:
            conn.execute(f"PRAGMA {pragma}")
        _migrate(conn)
        # Serving: never wait for a lock, never checkpoint on the event loop.
        conn.execute("PRAGMA busy_timeout=0")
        conn.execute("PRAGMA wal_autocheckpoint=0")
        conn.row_factory = sqlite3.Row
    except BaseException:
        conn.close()
        raise
    return conn


def _migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply the migrations not yet recorded, each in its own write transaction."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    applied = []
    for sql_file in sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql")):
        conn.execute("BEGIN IMMEDIATE")
        try:
            done = conn.execute(
                "SELECT 1 FROM schema_migrations WHERE name = ?", (sql_file.name,)
            ).fetchone()
            if done is None:
                for statement in _statements(sql_file.read_text(encoding="utf-8")):
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                    (sql_file.name, datetime.now(UTC).isoformat()),
                )
                applied.append(sql_file.name)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return applied


def _statements(script: str) -> list[str]:
    """The statements of a migration script, complete ones only."""
    out, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            out.append(current.strip())
            current = ""
    return [s for s in out if s.strip(" ;\n")]


def _transaction(conn: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    conn.execute("BEGIN IMMEDIATE")  # "busy" at once when another process writes
    try:
        result = work(conn)
    except Rollback as undo:
        conn.execute("ROLLBACK")
        return undo.value  # type: ignore[no-any-return]
    except BaseException:
        if conn.in_transaction:  # SQLite has already rolled back after some errors
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result


class Database:
    """The bot's connection and the checkpointing one (see the module docstring)."""

    def __init__(self, path: Path, conn: sqlite3.Connection, logger: aiosqlite.Connection):
        self.path = path
        self._conn = conn
        self._log = logger  # aiosqlite: copies the log into the file, in its own thread
        self._since_checkpoint = 0
        self._checkpointer: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, path: Path, max_pages: int | None = None) -> Database:
        """Open (or create) the file and apply migrations; on any failure, close what was
        opened and raise (a process must never hang on a half-open database)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = await asyncio.to_thread(_connect, path, max_pages)
        try:
            logger = await aiosqlite.connect(path, isolation_level=None)
        except BaseException:
            conn.close()
            raise
        return cls(path, conn, logger)

    async def close(self) -> None:
        if self._checkpointer is not None:
            await self._checkpointer
        await self._log.close()
        self._conn.close()

    async def read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Rows of one query."""
        return await self._patiently(lambda: self._conn.execute(sql, params).fetchall())

    async def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work(connection)`` in one transaction: all of it, or nothing and its
        exception raised here. ``Rollback(value)`` undoes it and returns ``value``. ``work``
        is plain SQL on the connection: no I/O, no await."""
        result = await self._patiently(lambda: _transaction(self._conn, work))
        self._since_checkpoint += 1
        if self._since_checkpoint >= CHECKPOINT_EVERY:
            self._checkpoint_soon()
        return result

    async def changed(self, sql: str, params: Sequence[Any] = ()) -> int:
        """One statement in its own transaction; how many rows it changed (a lease held or
        not, a row already gone)."""
        return await self.write(lambda conn: conn.execute(sql, params).rowcount)

    async def _patiently(self, attempt: Callable[[], T]) -> T:
        """``attempt()`` at once; while another process holds the lock, again a little later
        (the event loop goes on meanwhile), for up to ``PATIENCE`` seconds."""
        delay, waited = 0.005, 0.0
        while True:
            try:
                return attempt()
            except sqlite3.OperationalError as exc:
                if not _busy(exc):
                    raise
            if waited >= PATIENCE:
                raise DatabaseBusy(f"the database stayed locked for {PATIENCE:.0f} s")
            await asyncio.sleep(delay)
            waited += delay
            delay = min(delay * 2, 0.25)

    def _checkpoint_soon(self) -> None:
        """Copy the log into the database file, in aiosqlite's thread, without blocking
        writers (PASSIVE)."""
        if self._checkpointer is not None and not self._checkpointer.done():
            return
        self._since_checkpoint = 0

        async def passive() -> None:
            try:
                await self._log.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error as exc:  # tried again after the next thousand writes
                log.warning("checkpoint failed: %s", type(exc).__name__)

        self._checkpointer = asyncio.create_task(passive())

    async def checkpoint(self, patience: float = ERASURE_PATIENCE) -> bool:
        """Copy the write-ahead log into the database and empty it: after an erasure, no old
        page image stays behind in the -wal file or the database file (secure_delete).
        False when another process still reads an older state after ``patience`` seconds
        (an sqlite3 shell, a backup tool): what was erased may then still be read in the
        files, until a later checkpoint succeeds."""
        if self._checkpointer is not None:
            await self._checkpointer
        await self._log.execute_fetchall(f"PRAGMA busy_timeout={int(patience * 1000)}")
        rows = list(await self._log.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)"))
        return bool(rows) and rows[0][0] == 0
