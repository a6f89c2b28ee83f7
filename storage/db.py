"""The SQLite database: opening it, applying migrations, running transactions.

Migrations are plain SQL files in ``storage/migrations`` named ``0001_name.sql``, applied in
order at start-up and recorded by name in ``schema_migrations`` (the Datasette way). One
connection is shared by the whole process; writes go through ``transaction()``, which
serialises them with a lock so that coroutines never interleave inside one transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class Database:
    """One aiosqlite connection with migrations applied and WAL journaling."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path) -> Database:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA busy_timeout=5000")
        # Deleted content is overwritten with zeros, so erased data cannot be read back from
        # free pages of the file (see checkpoint() for the write-ahead log).
        await conn.execute("PRAGMA secure_delete=ON")
        db = cls(conn, path)
        await db.migrate()
        return db

    async def close(self) -> None:
        await self.conn.close()

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

    async def checkpoint(self) -> None:
        """Copy the write-ahead log into the database and empty it: after an erasure, no old
        page image stays behind in the -wal file."""
        async with self._write_lock:
            await self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def migrate(self) -> list[str]:
        """Apply migrations not yet recorded; return the names applied now."""
        await self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        async with self.conn.execute("SELECT name FROM schema_migrations") as cur:
            done = {row[0] async for row in cur}
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
