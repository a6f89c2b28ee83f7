"""Small repository functions over the database; each returns pydantic models.

Reads on ``db.conn`` outside a transaction use ``execute_fetchall``: the statement runs to its
end in one trip to aiosqlite's thread. A cursor read in several trips would hold a read
snapshot open on the shared connection, and another task's read queued in between would not
see what the writer connection committed meanwhile.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from flows.engine import State
from storage.db import Database, Statement
from storage.models import ConsentRecord, Delivery, RequestPayload, RequestRecord


async def load_conversation(db: Database, chat_key: str) -> State | None:
    rows = db.fetch("SELECT state FROM conversations WHERE chat_key = ?", (chat_key,))
    return next((State.model_validate_json(row[0]) for row in rows), None)


def save_conversation_sql(chat_key: str, state: State, now: datetime) -> Statement:
    return (
        "INSERT INTO conversations (chat_key, state, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (chat_key) DO UPDATE SET state = excluded.state, "
        "updated_at = excluded.updated_at",
        (chat_key, state.model_dump_json(), now.isoformat()),
    )


async def save_conversation(
    conn: aiosqlite.Connection, chat_key: str, state: State, now: datetime
) -> None:
    await conn.execute(*save_conversation_sql(chat_key, state, now))


def ref_exists(conn: sqlite3.Connection, ref: str) -> bool:
    return conn.execute("SELECT 1 FROM requests WHERE ref = ?", (ref,)).fetchone() is not None


def insert_request_sql(
    chat_key: str, payload: RequestPayload, message: bytes, fingerprint: str | None = None
) -> Statement:
    return (
        "INSERT INTO requests (ref, chat_key, offer, locale, created_at, status, payload, "
        "message, fingerprint) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
        (
            payload.ref,
            chat_key,
            payload.offer,
            payload.locale,
            payload.created_at.isoformat(),
            payload.model_dump_json(),
            message,
            fingerprint,
        ),
    )


def same_request_since(conn: sqlite3.Connection, fingerprint: str, since: datetime) -> str | None:
    """The reference of an identical request sent since ``since``, if any."""
    row = conn.execute(
        "SELECT ref FROM requests WHERE fingerprint = ? AND created_at >= ? "
        "ORDER BY created_at DESC LIMIT 1",
        (fingerprint, since.isoformat()),
    ).fetchone()
    return None if row is None else str(row[0])


async def requests_since(db: Database, chat_key: str, since: datetime) -> int:
    rows = db.fetch(
        "SELECT COUNT(*) FROM requests WHERE chat_key = ? AND created_at >= ?",
        (chat_key, since.isoformat()),
    )
    return int(rows[0][0]) if rows else 0


def insert_consent_sql(chat_key: str, version: str, given_at: datetime) -> Statement:
    return (
        "INSERT INTO consents (chat_key, notice_version, given_at) VALUES (?, ?, ?)",
        (chat_key, version, given_at.isoformat()),
    )


async def insert_consent(
    conn: aiosqlite.Connection, chat_key: str, version: str, given_at: datetime
) -> None:
    await conn.execute(*insert_consent_sql(chat_key, version, given_at))


def _request(row: aiosqlite.Row) -> RequestRecord:
    return RequestRecord(
        ref=row["ref"],
        chat_key=row["chat_key"],
        offer=row["offer"],
        locale=row["locale"],
        created_at=row["created_at"],
        status=row["status"],
        attempts=row["attempts"],
        last_error=row["last_error"],
        delivered_at=row["delivered_at"],
        next_attempt_at=row["next_attempt_at"],
        person_told=row["person_told"],
        anonymised_at=row["anonymised_at"],
        payload=(
            None if row["anonymised_at"] else RequestPayload.model_validate_json(row["payload"])
        ),
        message=row["message"],
    )


async def get_request(db: Database, ref: str) -> RequestRecord | None:
    rows = await db.conn.execute_fetchall("SELECT * FROM requests WHERE ref = ?", (ref,))
    return next((_request(row) for row in rows), None)


async def list_requests(db: Database, status: str | None = None) -> list[RequestRecord]:
    sql = "SELECT * FROM requests"
    params: tuple[str, ...] = ()
    if status is not None:
        sql += " WHERE status = ?"
        params = (status,)
    rows = await db.conn.execute_fetchall(sql + " ORDER BY created_at, ref", params)
    return [_request(row) for row in rows]


async def count_requests(db: Database, status: str | None = None) -> int:
    sql = "SELECT COUNT(*) FROM requests"
    params: tuple[str, ...] = ()
    if status is not None:
        sql, params = sql + " WHERE status = ?", (status,)
    rows = await db.conn.execute_fetchall(sql, params)
    return int(next(iter(rows))[0])


_DELIVERY = "SELECT ref, chat_key, locale, status, attempts FROM requests "


def _delivery(row: Any) -> Delivery:
    return Delivery(ref=row[0], chat_key=row[1], locale=row[2], status=row[3], attempts=row[4])


async def due_requests(db: Database, now: datetime) -> list[Delivery]:
    """Pending requests whose next attempt is due and that no process holds a lease on."""
    rows = await db.conn.execute_fetchall(
        _DELIVERY + "WHERE status = 'pending' "
        "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) "
        "AND (lease_until IS NULL OR lease_until <= ?) ORDER BY created_at, ref",
        (now.isoformat(), now.isoformat()),
    )
    return [_delivery(row) for row in rows]


async def message_of(db: Database, ref: str) -> bytes | None:
    rows = list(
        await db.conn.execute_fetchall("SELECT message FROM requests WHERE ref = ?", (ref,))
    )
    return bytes(rows[0][0]) if rows else None


async def next_attempt_time(db: Database) -> datetime | None:
    rows = list(
        await db.conn.execute_fetchall(
            "SELECT MIN(COALESCE(next_attempt_at, created_at)) FROM requests "
            "WHERE status = 'pending'"
        )
    )
    return None if not rows or rows[0][0] is None else datetime.fromisoformat(rows[0][0])


async def claim(db: Database, ref: str, now: datetime, until: datetime) -> bool:
    """Take the lease on a pending request; False when another process holds it."""
    return await db.write(
        [
            (
                "UPDATE requests SET lease_until = ? WHERE ref = ? AND status = 'pending' "
                "AND (lease_until IS NULL OR lease_until <= ?)",
                (until.isoformat(), ref, now.isoformat()),
            )
        ],
        guard_first=True,
    )


async def mark_delivered(db: Database, ref: str, at: datetime) -> None:
    await db.write(
        [
            (
                "UPDATE requests SET status = 'delivered', delivered_at = ?, lease_until = NULL, "
                "next_attempt_at = NULL, attempts = attempts + 1 WHERE ref = ?",
                (at.isoformat(), ref),
            )
        ]
    )


async def mark_attempt_failed(
    db: Database, ref: str, error: str, next_attempt_at: datetime | None
) -> None:
    """Record a failed attempt: retry at ``next_attempt_at``, or give up when it is None."""
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE requests SET attempts = attempts + 1, last_error = ?, lease_until = NULL, "
            "next_attempt_at = ?, status = ? WHERE ref = ?",
            (
                error[:500],
                next_attempt_at.isoformat() if next_attempt_at else None,
                "pending" if next_attempt_at else "failed",
                ref,
            ),
        )


async def reset_for_retry(db: Database, ref: str | None = None) -> list[str]:
    """Make failed (or waiting) requests due now, with a fresh count of attempts."""
    where = "status IN ('pending', 'failed')" + (" AND ref = ?" if ref else "")
    async with db.transaction() as conn:
        async with conn.execute(
            f"SELECT ref FROM requests WHERE {where}", (ref,) if ref else ()
        ) as cur:
            refs = [row[0] async for row in cur]
        await conn.execute(
            "UPDATE requests SET status = 'pending', attempts = 0, next_attempt_at = NULL, "
            f"lease_until = NULL, person_told = NULL WHERE {where}",
            (ref,) if ref else (),
        )
    return refs


async def untold_requests(db: Database) -> list[Delivery]:
    """Delivered or failed requests whose person has not been told yet."""
    rows = await db.conn.execute_fetchall(
        # Only the partial index's rows (migration 0006), not every delivered request.
        "SELECT ref, chat_key, locale, status, attempts FROM requests INDEXED BY requests_untold "
        "WHERE status IN ('delivered', 'failed') AND person_told IS NOT status "
        "ORDER BY created_at, ref"
    )
    return [_delivery(row) for row in rows]


async def mark_told(db: Database, ref: str, what: str) -> None:
    await db.write([("UPDATE requests SET person_told = ? WHERE ref = ?", (what, ref))])


async def list_consents(db: Database, chat_key: str) -> list[ConsentRecord]:
    rows = await db.conn.execute_fetchall(
        "SELECT chat_key, notice_version, given_at FROM consents WHERE chat_key = ? ORDER BY id",
        (chat_key,),
    )
    return [ConsentRecord(chat_key=r[0], notice_version=r[1], given_at=r[2]) for r in rows]


def record_update_sql(update_id: int, at: datetime) -> Statement:
    return (
        "INSERT OR IGNORE INTO processed_updates (update_id, processed_at) VALUES (?, ?)",
        (update_id, at.isoformat()),
    )


async def record_update(conn: aiosqlite.Connection, update_id: int, at: datetime) -> bool:
    """Record an update id; False when it was already there."""
    cur = await conn.execute(*record_update_sql(update_id, at))
    return cur.rowcount == 1


async def forget_updates_before(db: Database, before: datetime) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "DELETE FROM processed_updates WHERE processed_at < ?", (before.isoformat(),)
        )


async def tell_group_once(db: Database, chat_id: int, at: datetime) -> bool:
    """True the first time a group chat is seen (the bot then explains itself once)."""
    async with db.transaction() as conn:
        cur = await conn.execute(
            "INSERT OR IGNORE INTO group_chats (chat_id, told_at) VALUES (?, ?)",
            (chat_id, at.isoformat()),
        )
        return cur.rowcount == 1


_ANONYMISE = (
    "UPDATE requests SET payload = '{}', message = X'', last_error = NULL, chat_key = '', "
    "fingerprint = NULL, "
    "anonymised_at = ? WHERE "
)


async def forget_person(conn: aiosqlite.Connection, chat_key: str, at: datetime) -> list[str]:
    """Erase what the bot holds about one person; returns the references of their requests.

    Conversation and consent records are deleted; requests not yet delivered are deleted (they
    will never be sent); delivered ones keep only anonymous facts (reference, offer, dates)."""
    async with conn.execute("SELECT ref FROM requests WHERE chat_key = ?", (chat_key,)) as cur:
        refs = [row[0] async for row in cur]
    await conn.execute("DELETE FROM conversations WHERE chat_key = ?", (chat_key,))
    await conn.execute("DELETE FROM consents WHERE chat_key = ?", (chat_key,))
    await conn.execute(
        "DELETE FROM requests WHERE chat_key = ? AND status != 'delivered'", (chat_key,)
    )
    await conn.execute(_ANONYMISE + "chat_key = ?", (at.isoformat(), chat_key))
    return refs


async def purge(
    db: Database, now: datetime, retention_days: int, abandoned_days: int
) -> tuple[list[str], list[str]]:
    """Apply retention: anonymise delivered requests older than ``retention_days`` and delete
    consents of that age; delete conversations untouched for ``abandoned_days``, counting the
    step where each stopped. Returns (anonymised references, steps where people stopped)."""
    old = (now - timedelta(days=retention_days)).isoformat()
    idle = (now - timedelta(days=abandoned_days)).isoformat()
    async with db.transaction() as conn:
        async with conn.execute(
            "SELECT ref FROM requests WHERE status = 'delivered' AND anonymised_at IS NULL "
            "AND delivered_at < ?",
            (old,),
        ) as cur:
            refs = [row[0] async for row in cur]
        await conn.execute(
            _ANONYMISE + "status = 'delivered' AND anonymised_at IS NULL AND delivered_at < ?",
            (now.isoformat(), old),
        )
        await conn.execute("DELETE FROM consents WHERE given_at < ?", (old,))
        async with conn.execute(
            "SELECT state FROM conversations WHERE updated_at < ?", (idle,)
        ) as cur:
            stopped = [State.model_validate_json(row[0]).step async for row in cur]
        await conn.execute("DELETE FROM conversations WHERE updated_at < ?", (idle,))
        for step in stopped:
            await count(conn, now, "stopped", step)
    return refs, stopped


async def add_counts(db: Database, counts: Mapping[tuple[str, str, str], int]) -> None:
    """Add many (day, kind, key) -> n to the anonymous counters, in the next group commit."""
    rows = [(day, kind, key, n) for (day, kind, key), n in counts.items()]

    def work(conn: sqlite3.Connection) -> None:
        conn.executemany(
            "INSERT INTO counters (day, kind, key, count) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (day, kind, key) DO UPDATE SET count = count + excluded.count",
            rows,
        )

    await db.run(work)


async def count(
    conn: aiosqlite.Connection, at: datetime, kind: str, key: str = "", n: int = 1
) -> None:
    """Add to an anonymous daily counter."""
    await conn.execute(
        "INSERT INTO counters (day, kind, key, count) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (day, kind, key) DO UPDATE SET count = count + excluded.count",
        (at.date().isoformat(), kind, key, n),
    )


async def counters(db: Database, since: datetime) -> dict[str, dict[str, int]]:
    """Counters since a date, summed: kind -> key -> count."""
    out: dict[str, dict[str, int]] = {}
    rows = await db.conn.execute_fetchall(
        "SELECT kind, key, SUM(count) FROM counters WHERE day >= ? GROUP BY kind, key",
        (since.date().isoformat(),),
    )
    for kind, key, total in rows:
        out.setdefault(kind, {})[key] = int(total)
    return out
