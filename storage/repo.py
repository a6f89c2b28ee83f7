"""Every operation on the database, one ``async`` function each, returning pydantic models.

Reads go through ``Database.read`` (one trip to the reader); writes through
``Database.write``, which runs the function's SQL in the writer thread within the next group
commit (storage/db.py). ``save_turn`` stores everything one event of a conversation changed, in
one transaction: the new state, a consent, a finished request, an erasure.

About 400 lines, on purpose: every SQL statement the bot runs is in this file, so that what is
stored, read and erased can be reviewed in one place.
"""

from __future__ import annotations

import functools
import sqlite3
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from flows.engine import State
from storage.db import Database, Rollback
from storage.models import ConsentRecord, Delivery, RequestPayload, RequestRecord

# -- one event of a conversation -----------------------------------------------------------------


@dataclass
class NewRequest:
    payload: RequestPayload  # everything staff receive (the e-mail is composed from it)
    fingerprint: str  # who asked what: the same request sent twice is stored once


@dataclass
class Turn:
    """What one event changed for one person, stored atomically by ``save_turn``."""

    chat_key: str
    state: State
    now: datetime
    update_id: int | None = None  # Telegram's: a redelivered update changes nothing
    consents: list[tuple[str, datetime]] = field(default_factory=list)  # (notice, given at)
    requests: list[NewRequest] = field(default_factory=list)
    forget: bool = False


@dataclass
class Saved:
    """What ``save_turn`` did: per request, its reference and whether it was a duplicate of
    one sent in the last day (then the earlier reference); the references erased."""

    requests: list[tuple[str, bool]] = field(default_factory=list)
    forgotten: list[str] = field(default_factory=list)


class AlreadyApplied(Exception):
    """The update was applied before (Telegram redelivered it after a crash)."""


class ReferenceTaken(Exception):
    """The reference drawn for a request exists already: draw another."""


_SAME_REQUEST_WINDOW = timedelta(days=1)


async def save_turn(db: Database, turn: Turn) -> Saved:
    """Store one event's changes in one transaction; nothing of it when any part fails."""

    def work(conn: sqlite3.Connection) -> Saved:
        saved = Saved()
        now = turn.now.isoformat()
        if turn.update_id is not None and not _record_update(conn, turn.update_id, now):
            raise Rollback(None)
        if turn.forget:
            saved.forgotten = _forget_person(conn, turn.chat_key, now)
        for version, given_at in turn.consents:
            conn.execute(
                "INSERT INTO consents (chat_key, notice_version, given_at) VALUES (?, ?, ?)",
                (turn.chat_key, version, given_at.isoformat()),
            )
        for new in turn.requests:
            saved.requests.append(_insert_request(conn, turn.chat_key, new, turn.now))
        conn.execute(
            "INSERT INTO conversations (chat_key, state, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (chat_key) DO UPDATE SET state = excluded.state, "
            "updated_at = excluded.updated_at",
            (turn.chat_key, turn.state.model_dump_json(), now),
        )
        return saved

    saved = await db.write(work)
    if saved is None:
        raise AlreadyApplied
    return saved


def _record_update(conn: sqlite3.Connection, update_id: int, at: str) -> bool:
    cur = conn.execute(
        "INSERT OR IGNORE INTO processed_updates (update_id, processed_at) VALUES (?, ?)",
        (update_id, at),
    )
    return cur.rowcount == 1


def _insert_request(
    conn: sqlite3.Connection, chat_key: str, new: NewRequest, now: datetime
) -> tuple[str, bool]:
    same = conn.execute(
        "SELECT ref FROM requests WHERE fingerprint = ? AND created_at >= ? "
        "ORDER BY created_at DESC LIMIT 1",
        (new.fingerprint, (now - _SAME_REQUEST_WINDOW).isoformat()),
    ).fetchone()
    if same is not None:
        return str(same[0]), True
    payload = new.payload
    try:
        conn.execute(
            "INSERT INTO requests (ref, chat_key, offer, locale, created_at, status, payload, "
            "fingerprint) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
            (
                payload.ref,
                chat_key,
                payload.offer,
                payload.locale,
                payload.created_at.isoformat(),
                payload.model_dump_json(),
                new.fingerprint,
            ),
        )
    except sqlite3.IntegrityError as exc:  # about one in a million per day
        raise ReferenceTaken(payload.ref) from exc
    return payload.ref, False


async def record_update(db: Database, update_id: int, at: datetime) -> bool:
    """Record an update that changes no conversation; False when it was seen before."""
    return await db.write(lambda conn: _record_update(conn, update_id, at.isoformat()))


# -- conversations -------------------------------------------------------------------------------


async def load_conversation(db: Database, chat_key: str) -> State | None:
    rows = await db.read("SELECT state FROM conversations WHERE chat_key = ?", (chat_key,))
    return State.model_validate_json(rows[0][0]) if rows else None


async def requests_since(db: Database, chat_key: str, since: datetime) -> int:
    rows = await db.read(
        "SELECT COUNT(*) FROM requests WHERE chat_key = ? AND created_at >= ?",
        (chat_key, since.isoformat()),
    )
    return int(rows[0][0])


async def list_consents(db: Database, chat_key: str) -> list[ConsentRecord]:
    rows = await db.read(
        "SELECT chat_key, notice_version, given_at FROM consents WHERE chat_key = ? ORDER BY id",
        (chat_key,),
    )
    return [ConsentRecord(chat_key=r[0], notice_version=r[1], given_at=r[2]) for r in rows]


async def tell_group_once(db: Database, chat_id: int, at: datetime) -> bool:
    """True the first time a group chat is seen (the bot then explains itself once)."""

    def work(conn: sqlite3.Connection) -> bool:
        cur = conn.execute(
            "INSERT OR IGNORE INTO group_chats (chat_id, told_at) VALUES (?, ?)",
            (chat_id, at.isoformat()),
        )
        return cur.rowcount == 1

    return await db.write(work)


async def forget_updates_before(db: Database, before: datetime) -> None:
    await db.write(
        lambda conn: conn.execute(
            "DELETE FROM processed_updates WHERE processed_at < ?", (before.isoformat(),)
        )
    )


# -- privacy: erasure and retention --------------------------------------------------------------

_ANONYMISE = (
    "UPDATE requests SET payload = '{}', last_error = NULL, chat_key = '', "
    "fingerprint = NULL, anonymised_at = ? WHERE "
)


def _forget_person(conn: sqlite3.Connection, chat_key: str, at: str) -> list[str]:
    """Conversation and consents deleted; requests not yet delivered deleted (they will never
    be sent); delivered ones keep only anonymous facts. Returns the references."""
    refs = [r[0] for r in conn.execute("SELECT ref FROM requests WHERE chat_key = ?", (chat_key,))]
    conn.execute("DELETE FROM conversations WHERE chat_key = ?", (chat_key,))
    conn.execute("DELETE FROM consents WHERE chat_key = ?", (chat_key,))
    conn.execute("DELETE FROM requests WHERE chat_key = ? AND status != 'delivered'", (chat_key,))
    conn.execute(_ANONYMISE + "chat_key = ?", (at, chat_key))
    return refs


async def purge(
    db: Database, now: datetime, retention_days: int, abandoned_days: int
) -> tuple[list[str], list[str]]:
    """Retention: anonymise delivered requests older than ``retention_days`` and delete
    consents of that age; delete conversations untouched for ``abandoned_days``, counting the
    step where each stopped. Returns (anonymised references, steps where people stopped)."""
    old = (now - timedelta(days=retention_days)).isoformat()
    idle = (now - timedelta(days=abandoned_days)).isoformat()

    def work(conn: sqlite3.Connection) -> tuple[list[str], list[str]]:
        where = "status = 'delivered' AND anonymised_at IS NULL AND delivered_at < ?"
        refs = [r[0] for r in conn.execute(f"SELECT ref FROM requests WHERE {where}", (old,))]
        conn.execute(_ANONYMISE + where, (now.isoformat(), old))
        conn.execute("DELETE FROM consents WHERE given_at < ?", (old,))
        rows = conn.execute("SELECT state FROM conversations WHERE updated_at < ?", (idle,))
        stopped = [State.model_validate_json(r[0]).step for r in rows]
        conn.execute("DELETE FROM conversations WHERE updated_at < ?", (idle,))
        day = now.date().isoformat()
        _add_counts(conn, Counter((day, "stopped", step) for step in stopped))
        return refs, stopped

    return await db.write(work)


# -- anonymous counters --------------------------------------------------------------------------


def _add_counts(conn: sqlite3.Connection, counts: Mapping[tuple[str, str, str], int]) -> None:
    conn.executemany(
        "INSERT INTO counters (day, kind, key, count) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (day, kind, key) DO UPDATE SET count = count + excluded.count",
        [(day, kind, key, n) for (day, kind, key), n in counts.items()],
    )


async def add_counts(db: Database, counts: Mapping[tuple[str, str, str], int]) -> None:
    """Add (day, kind, key) -> n to the anonymous daily counters."""
    await db.write(lambda conn: _add_counts(conn, counts))


async def counters(db: Database, since: datetime) -> dict[str, dict[str, int]]:
    """Counters since a date, summed: kind -> key -> count."""
    rows = await db.read(
        "SELECT kind, key, SUM(count) FROM counters WHERE day >= ? GROUP BY kind, key",
        (since.date().isoformat(),),
    )
    out: dict[str, dict[str, int]] = {}
    for kind, key, total in rows:
        out.setdefault(kind, {})[key] = int(total)
    return out


# -- requests and their delivery -----------------------------------------------------------------


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


async def due_requests(db: Database, now: datetime) -> list[Delivery]:
    """Pending requests whose next attempt is due and that no process holds a lease on."""
    rows = await db.read(
        _DELIVERY + "WHERE status = 'pending' "
        "AND (next_attempt_at IS NULL OR next_attempt_at <= ?) "
        "AND (lease_until IS NULL OR lease_until <= ?) ORDER BY created_at, ref",
        (now.isoformat(), now.isoformat()),
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

    def work(conn: sqlite3.Connection) -> bool:
        cur = conn.execute(
            "UPDATE requests SET lease_until = ?, lease_owner = ? WHERE ref = ? "
            "AND status = 'pending' AND (lease_until IS NULL OR lease_until <= ?)",
            (until.isoformat(), owner, ref, now.isoformat()),
        )
        return cur.rowcount == 1

    return await db.write(work)


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


async def mark_delivered(db: Database, ref: str, at: datetime) -> None:
    await db.write(
        lambda conn: conn.execute(
            "UPDATE requests SET status = 'delivered', delivered_at = ?, lease_until = NULL, "
            "lease_owner = NULL, next_attempt_at = NULL, attempts = attempts + 1 WHERE ref = ?",
            (at.isoformat(), ref),
        )
    )


async def mark_attempt_failed(
    db: Database, ref: str, error: str, next_attempt_at: datetime | None
) -> None:
    """Record a failed attempt: retry at ``next_attempt_at``, or give up when it is None."""
    await db.write(
        lambda conn: conn.execute(
            "UPDATE requests SET attempts = attempts + 1, last_error = ?, lease_until = NULL, "
            "lease_owner = NULL, next_attempt_at = ?, status = ? WHERE ref = ?",
            (
                error[:500],
                next_attempt_at.isoformat() if next_attempt_at else None,
                "pending" if next_attempt_at else "failed",
                ref,
            ),
        )
    )


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


# -- the weekly digest (bot/staff/digest.py) -----------------------------------------------------


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
    def work(conn: sqlite3.Connection) -> bool:
        cur = conn.execute(
            "UPDATE digests SET lease_until = ?, lease_owner = ? WHERE week = ? "
            "AND sent_at IS NULL AND (lease_until IS NULL OR lease_until <= ?)",
            (until.isoformat(), owner, week, now.isoformat()),
        )
        return cur.rowcount == 1

    return await db.write(work)


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
