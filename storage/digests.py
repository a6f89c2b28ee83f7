"""The weekly digest to staff (bot/staff/digest.py): stored once per week, sent once."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Literal

from storage.db import Database


async def add_digest(db: Database, week: str, now: datetime, message: bytes) -> bool:
    """Store the digest of ``week`` unless it already exists; True when this call made it."""

    def work(conn: sqlite3.Connection) -> bool:
        cur = conn.execute(
            "INSERT OR IGNORE INTO digests (week, created_at, message) VALUES (?, ?, ?)",
            (week, now.isoformat(), message),
        )
        return cur.rowcount == 1

    return await db.write(work)


async def digest_state(db: Database, week: str) -> Literal["none", "waiting", "sent"]:
    """Whether the digest of ``week`` was made, and sent."""
    rows = await db.read("SELECT sent_at FROM digests WHERE week = ?", (week,))
    if not rows:
        return "none"
    return "sent" if rows[0][0] else "waiting"


async def due_digests(db: Database, now: datetime) -> list[tuple[str, bytes, int]]:
    """Digests not sent yet, due now and not being sent by another process: (week, message,
    attempts so far)."""
    rows = await db.read(
        "SELECT week, message, attempts FROM digests WHERE sent_at IS NULL "
        "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) "
        "AND (lease_until IS NULL OR lease_until <= ?) ORDER BY week",
        (now.isoformat(), now.isoformat()),
    )
    return [(row[0], bytes(row[1]), int(row[2])) for row in rows]


async def claim_digest(db: Database, week: str, now: datetime, until: datetime, owner: str) -> bool:
    taken = await db.changed(
        "UPDATE digests SET lease_until = ?, lease_owner = ? WHERE week = ? "
        "AND sent_at IS NULL AND (lease_until IS NULL OR lease_until <= ?)",
        (until.isoformat(), owner, week, now.isoformat()),
    )
    return taken == 1


async def renew_digest(db: Database, week: str, owner: str, until: datetime) -> bool:
    """Extend the lease while sending; False when ``owner`` no longer holds it."""

    renewed = await db.changed(
        "UPDATE digests SET lease_until = ? WHERE week = ? AND lease_owner = ?",
        (until.isoformat(), week, owner),
    )
    return renewed == 1


async def mark_digest(
    db: Database,
    week: str,
    sent_at: datetime | None,
    error: str = "",
    retry_at: datetime | None = None,
) -> None:
    """Record an attempt: sent at ``sent_at``, or failed with ``error`` (retry at ``retry_at``)."""
    await db.write(
        lambda conn: conn.execute(
            "UPDATE digests SET attempts = attempts + 1, sent_at = ?, last_error = ?, "
            "next_attempt_at = ?, lease_until = NULL, lease_owner = NULL WHERE week = ?",
            (
                sent_at.isoformat() if sent_at else None,
                error[:500] or None,
                retry_at.isoformat() if retry_at else None,
                week,
            ),
        )
    )
