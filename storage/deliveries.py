"""Requests and their delivery: reading them, leases, attempts, and telling the person.

The outbox (bot/delivery/outbox.py) is the only writer of a request's delivery state: it
claims a lease, delivers, then marks the request delivered or failed.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import Any

from storage.db import Database
from storage.models import Delivery, RequestPayload, RequestRecord


def _request(row: Any) -> RequestRecord:
    anonymised = row["anonymised_at"]
    return RequestRecord(
        **{k: row[k] for k in RequestRecord.model_fields if k != "payload"},
        payload=None if anonymised else RequestPayload.model_validate_json(row["payload"]),
    )


async def get_request(db: Database, ref: str) -> RequestRecord | None:
    rows = await db.read("SELECT * FROM requests WHERE ref = ?", (ref,))
    return _request(rows[0]) if rows else None


async def list_requests(db: Database, status: str | None = None) -> list[RequestRecord]:
    where, params = ("WHERE status = ?", (status,)) if status else ("", ())
    rows = await db.read(f"SELECT * FROM requests {where} ORDER BY created_at, ref", params)
    return [_request(row) for row in rows]


async def count_requests(db: Database, status: str | None = None) -> int:
    where, params = ("WHERE status = ?", (status,)) if status else ("", ())
    rows = await db.read(f"SELECT COUNT(*) FROM requests {where}", params)
    return int(rows[0][0])


_DELIVERY = "SELECT ref, chat_key, locale, status, attempts FROM requests "


def _delivery(row: Any) -> Delivery:
    return Delivery(ref=row[0], chat_key=row[1], locale=row[2], status=row[3], attempts=row[4])


async def due_requests(db: Database, now: datetime, limit: int = -1) -> list[Delivery]:
    """Pending requests whose next attempt is due and that no process holds a lease on, the
    oldest first (at most ``limit``; -1: all)."""
    rows = await db.read(
        _DELIVERY + "WHERE status = 'pending' "
        "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) "
        "AND (lease_until IS NULL OR lease_until <= ?) ORDER BY created_at, ref LIMIT ?",
        (now.isoformat(), now.isoformat(), limit),
    )
    return [_delivery(row) for row in rows]


async def payload_of(db: Database, ref: str) -> RequestPayload | None:
    """What a request holds for staff; None once erased or anonymised."""
    rows = await db.read(
        "SELECT payload FROM requests WHERE ref = ? AND anonymised_at IS NULL", (ref,)
    )
    return RequestPayload.model_validate_json(rows[0][0]) if rows else None


async def next_attempt_time(db: Database) -> datetime | None:
    """When a pending request next becomes due: its next attempt, or the end of a lease
    another process holds on it, whichever is later."""
    rows = await db.read(
        "SELECT MIN(MAX(COALESCE(next_attempt_at, created_at), COALESCE(lease_until, ''))) "
        "FROM requests WHERE status = 'pending'"
    )
    return datetime.fromisoformat(rows[0][0]) if rows and rows[0][0] else None


async def claim(db: Database, ref: str, now: datetime, until: datetime, owner: str) -> bool:
    """Take the lease on a pending request; False when another process holds it."""

    taken = await db.changed(
        "UPDATE requests SET lease_until = ?, lease_owner = ? WHERE ref = ? "
        "AND status = 'pending' AND (lease_until IS NULL OR lease_until <= ?)",
        (until.isoformat(), owner, ref, now.isoformat()),
    )
    return taken == 1


def _executemany(sql: str, rows: list[tuple[str, str]], conn: sqlite3.Connection) -> None:
    conn.executemany(sql, rows)


async def release_dead_leases(db: Database, now: datetime, alive: Callable[[str], bool]) -> int:
    """Take back the running leases whose owner ``alive`` says is gone (a process killed
    mid-send), so that their requests are due now; returns how many."""
    released = 0
    for table, key, waiting in (
        ("requests", "ref", "status = 'pending'"),
        ("digests", "week", "sent_at IS NULL"),
    ):
        rows = await db.read(
            f"SELECT {key}, lease_owner FROM {table} WHERE {waiting} "
            "AND lease_until > ? AND lease_owner IS NOT NULL",
            (now.isoformat(),),
        )
        dead = [(name, owner) for name, owner in rows if not alive(owner)]
        if dead:
            sql = (
                f"UPDATE {table} SET lease_until = NULL, lease_owner = NULL "
                f"WHERE {key} = ? AND lease_owner = ?"
            )
            await db.write(functools.partial(_executemany, sql, dead))
        released += len(dead)
    return released


async def renew(db: Database, ref: str, owner: str, until: datetime) -> bool:
    """Extend the lease while sending (and the erasure waiting for this sender, if the person
    erased the request meanwhile: storage/erasure.py); False when neither is held."""

    def work(conn: sqlite3.Connection) -> bool:
        cur = conn.execute(
            "UPDATE requests SET lease_until = ? WHERE ref = ? AND lease_owner = ?",
            (until.isoformat(), ref, owner),
        )
        held = cur.rowcount == 1
        cur = conn.execute(
            "UPDATE erasures SET sender_until = ? WHERE ref = ? AND sender = ?",
            (until.isoformat(), ref, owner),
        )
        return held or cur.rowcount > 0

    return await db.write(work)


async def mark_delivered(db: Database, ref: str, at: datetime, owner: str) -> bool:
    """Delivered, if ``owner`` still holds the lease; False when it does not (the request
    was erased meanwhile, or taken by another process)."""

    marked = await db.changed(
        "UPDATE requests SET status = 'delivered', delivered_at = ?, lease_until = NULL, "
        "lease_owner = NULL, next_attempt_at = NULL, attempts = attempts + 1 "
        "WHERE ref = ? AND lease_owner = ?",
        (at.isoformat(), ref, owner),
    )
    return marked == 1


async def mark_attempt_failed(
    db: Database, ref: str, error: str, next_attempt_at: datetime | None, owner: str
) -> bool:
    """Record a failed attempt: retry at ``next_attempt_at``, or give up when it is None.
    False when ``owner`` no longer holds the lease (nothing recorded)."""

    marked = await db.changed(
        "UPDATE requests SET attempts = attempts + 1, last_error = ?, lease_until = NULL, "
        "lease_owner = NULL, next_attempt_at = ?, status = ? WHERE ref = ? AND lease_owner = ?",
        (
            error[:500],
            next_attempt_at.isoformat() if next_attempt_at else None,
            "pending" if next_attempt_at else "failed",
            ref,
            owner,
        ),
    )
    return marked == 1


async def reset_for_retry(db: Database, now: datetime, ref: str | None = None) -> list[str]:
    """Make failed (or waiting) requests due now, with a fresh count of attempts. A request
    another process is sending right now (its lease still runs) is left to it."""
    where = "status IN ('pending', 'failed') AND (lease_until IS NULL OR lease_until <= ?)" + (
        " AND ref = ?" if ref else ""
    )
    params = (now.isoformat(), ref) if ref else (now.isoformat(),)

    def work(conn: sqlite3.Connection) -> list[str]:
        refs = [r[0] for r in conn.execute(f"SELECT ref FROM requests WHERE {where}", params)]
        conn.execute(
            "UPDATE requests SET status = 'pending', attempts = 0, next_attempt_at = NULL, "
            f"person_told = NULL WHERE {where}",
            params,
        )
        return refs

    return await db.write(work)


async def untold_requests(db: Database) -> list[Delivery]:
    """Delivered or failed requests whose person has not been told yet."""
    rows = await db.read(
        # Only the partial index's rows (migration 0006), not every delivered request.
        _DELIVERY + "INDEXED BY requests_untold "
        "WHERE status IN ('delivered', 'failed') AND person_told IS NOT status "
        "ORDER BY created_at, ref"
    )
    return [_delivery(row) for row in rows]


async def mark_told(db: Database, ref: str, what: str) -> None:
    await db.write(
        lambda conn: conn.execute("UPDATE requests SET person_told = ? WHERE ref = ?", (what, ref))
    )


async def last_request_of(db: Database, chat_key: str) -> RequestRecord | None:
    """The newest request of a chat (the web page shows its reference after a reload); None
    when it has none, or none left (erased, or anonymised: no chat key any more)."""
    rows = await db.read(
        "SELECT * FROM requests WHERE chat_key = ? ORDER BY created_at DESC, ref DESC LIMIT 1",
        (chat_key,),
    )
    return _request(rows[0]) if rows else None
