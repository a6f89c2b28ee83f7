"""Storage of hand-offs (a person from PAT answering in the chat) and of the relay queue.

A hand-off row exists for each request whose person chose « Ici, dans ce chat »; it is *open*
once a staff member has taken it, until someone closes it or it expires. The relay queue holds
each message passed between the person and staff only until it is delivered, in order; then
the row is deleted. No text stays: only anonymous counters say how many went each way.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from storage.db import Database


@dataclass(frozen=True)
class HandOffRow:
    ref: str
    chat_key: str
    locale: str
    staff_key: str | None
    staff_name: str | None
    last_at: datetime
    introduced: bool
    reminded: bool
    closed_at: datetime | None

    @property
    def open(self) -> bool:
        return self.staff_key is not None and self.closed_at is None


@dataclass(frozen=True)
class Relayed:
    id: int
    to_key: str
    ref: str
    kind: str
    text: str
    from_key: str
    attempts: int
    next_attempt_at: datetime | None


_COLUMNS = "ref, chat_key, locale, staff_key, staff_name, last_at, introduced, reminded, closed_at"


def _row(r: Any) -> HandOffRow:
    return HandOffRow(
        r[0],
        r[1],
        r[2],
        r[3],
        r[4],
        datetime.fromisoformat(r[5]),
        bool(r[6]),
        bool(r[7]),
        datetime.fromisoformat(r[8]) if r[8] else None,
    )


async def offer(db: Database, ref: str, chat_key: str, locale: str, now: datetime) -> None:
    await db.write(
        lambda conn: conn.execute(
            "INSERT OR IGNORE INTO handoffs (ref, chat_key, locale, offered_at, last_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (ref, chat_key, locale, now.isoformat(), now.isoformat()),
        )
    )


async def get(db: Database, ref: str) -> HandOffRow | None:
    rows = await db.read(f"SELECT {_COLUMNS} FROM handoffs WHERE ref = ?", (ref,))
    return _row(rows[0]) if rows else None


async def open_for(db: Database, chat_key: str) -> HandOffRow | None:
    """The person's open hand-off (the latest, if ever several)."""
    rows = await db.read(
        f"SELECT {_COLUMNS} FROM handoffs WHERE chat_key = ? AND closed_at IS NULL "
        "AND staff_key IS NOT NULL ORDER BY opened_at DESC LIMIT 1",
        (chat_key,),
    )
    return _row(rows[0]) if rows else None


async def not_closed_for(db: Database, chat_key: str) -> list[HandOffRow]:
    rows = await db.read(
        f"SELECT {_COLUMNS} FROM handoffs WHERE chat_key = ? AND closed_at IS NULL", (chat_key,)
    )
    return [_row(r) for r in rows]


async def take(db: Database, ref: str, staff_key: str, staff_name: str, now: datetime) -> str:
    """Give the hand-off to this staff member: "taken" (now theirs), "theirs" (already),
    "other" (someone else has it), "closed" or "unknown". A person with several open ones
    writes to the one taken last (``open_for``)."""

    def work(conn: sqlite3.Connection) -> str:
        row = conn.execute(
            "SELECT chat_key, staff_key, closed_at FROM handoffs WHERE ref = ?", (ref,)
        ).fetchone()
        if row is None:
            return "unknown"
        _, holder, closed = row
        if closed:
            return "closed"
        if holder == staff_key:
            return "theirs"
        if holder is not None:
            return "other"
        conn.execute(
            "UPDATE handoffs SET staff_key = ?, staff_name = ?, opened_at = ?, last_at = ? "
            "WHERE ref = ?",
            (staff_key, staff_name, now.isoformat(), now.isoformat(), ref),
        )
        return "taken"

    return await db.write(work)


async def touch(db: Database, ref: str, now: datetime, flag: str | None = None) -> None:
    """A message went either way (and the person was ``introduced`` or ``reminded``)."""
    extra = {"introduced": ", introduced = 1", "reminded": ", reminded = 1"}.get(flag or "", "")
    await db.write(
        lambda conn: conn.execute(
            f"UPDATE handoffs SET last_at = ?{extra} WHERE ref = ?", (now.isoformat(), ref)
        )
    )


async def close(db: Database, ref: str, by: str, now: datetime) -> bool:
    """Close a hand-off; False when it was closed already."""

    closed = await db.changed(
        "UPDATE handoffs SET closed_at = ?, closed_by = ? WHERE ref = ? AND closed_at IS NULL",
        (now.isoformat(), by, ref),
    )
    return closed == 1


async def idle_since(db: Database, before: datetime) -> list[HandOffRow]:
    """Open or offered hand-offs without a message since ``before``."""
    rows = await db.read(
        f"SELECT {_COLUMNS} FROM handoffs WHERE closed_at IS NULL AND last_at < ?",
        (before.isoformat(),),
    )
    return [_row(r) for r in rows]


async def purge_closed(db: Database, before: datetime) -> None:
    """Closed hand-offs older than ``before`` go (retention), also from the log."""
    cur = await db.write(
        lambda conn: conn.execute(
            "DELETE FROM handoffs WHERE closed_at IS NOT NULL AND closed_at < ?",
            (before.isoformat(),),
        )
    )
    if cur.rowcount:
        await empty_log(db)


async def purge_unclaimed(db: Database, before: datetime) -> int:
    """Messages still waiting for a person (a web page never opened again) of a hand-off
    closed before ``before`` go (retention): a text waits for its reader, not for ever."""
    cur = await db.write(
        lambda conn: conn.execute(
            "DELETE FROM relay WHERE to_key IN (SELECT chat_key FROM handoffs) AND ref IN "
            "(SELECT ref FROM handoffs WHERE closed_at IS NOT NULL AND closed_at < ?)",
            (before.isoformat(),),
        )
    )
    if cur.rowcount:
        await empty_log(db)
    return int(cur.rowcount)


# -- the relay queue ------------------------------------------------------------------------------


async def enqueue(db: Database, messages: Sequence[tuple[str, str, str, str, str]]) -> None:
    """Queue (to_key, ref, kind, text, from_key) messages, delivered in this order."""
    await db.write(
        lambda conn: conn.executemany(
            "INSERT INTO relay (to_key, ref, kind, text, from_key) VALUES (?, ?, ?, ?, ?)",
            messages,
        )
    )


async def waiting(db: Database, prefixes: Sequence[str]) -> list[Relayed]:
    """Queued messages for chats whose key starts with one of ``prefixes``, in order."""
    if not prefixes:
        return []
    where = " OR ".join("substr(to_key, 1, ?) = ?" for _ in prefixes)
    params: list[object] = []
    for prefix in prefixes:
        params += [len(prefix), prefix]
    return await _relayed(db, where, tuple(params))


async def waiting_to(db: Database, chat_key: str) -> list[Relayed]:
    """Queued messages for exactly this chat, in order."""
    return await _relayed(db, "to_key = ?", (chat_key,))


async def still_queued(db: Database, relay_id: int) -> bool:
    """Whether this message still waits (another way to the chat may have delivered it)."""
    return bool(await db.read("SELECT 1 FROM relay WHERE id = ?", (relay_id,)))


async def _relayed(db: Database, where: str, params: tuple[object, ...]) -> list[Relayed]:
    rows = await db.read(
        "SELECT id, to_key, ref, kind, text, from_key, attempts, next_attempt_at FROM relay "
        f"WHERE {where} ORDER BY id",
        params,
    )
    return [
        Relayed(
            r[0], r[1], r[2], r[3], r[4], r[5], r[6], datetime.fromisoformat(r[7]) if r[7] else None
        )
        for r in rows
    ]


async def delivered(db: Database, relay_id: int) -> None:
    """A relayed message reached its chat: its text is deleted, also from the log."""
    await db.write(lambda conn: conn.execute("DELETE FROM relay WHERE id = ?", (relay_id,)))
    await empty_log(db)


async def empty_log(db: Database) -> None:
    """Empty the write-ahead log now if no other process reads an older state; else leave it
    to the erasure finisher (storage/erasure.py), without waiting here."""
    if not await db.checkpoint(patience=0):
        now = datetime.now(UTC).isoformat()
        await db.write(lambda conn: conn.execute("INSERT INTO erasures (since) VALUES (?)", (now,)))


async def retry_at(db: Database, relay_id: int, when: datetime) -> None:
    await db.write(
        lambda conn: conn.execute(
            "UPDATE relay SET attempts = attempts + 1, next_attempt_at = ? WHERE id = ?",
            (when.isoformat(), relay_id),
        )
    )


def forget_chat_in(conn: sqlite3.Connection, chat_key: str, refs: Sequence[str]) -> list[str]:
    """/forget (inside its transaction, storage/erasure.py): erase the person's hand-offs and
    every queued message to them or about them; returns the hand-offs that were open."""
    open_refs = [
        r[0]
        for r in conn.execute(
            "SELECT ref FROM handoffs WHERE chat_key = ? AND closed_at IS NULL", (chat_key,)
        )
    ]
    conn.execute("DELETE FROM relay WHERE to_key = ? OR from_key = ?", (chat_key, chat_key))
    conn.executemany("DELETE FROM relay WHERE ref = ?", [(r,) for r in {*refs, *open_refs}])
    conn.execute("DELETE FROM handoffs WHERE chat_key = ?", (chat_key,))
    return open_refs
