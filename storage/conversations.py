"""One event of a conversation stored at once, and what is read of conversations.

``save_turn`` stores everything one event changed, in one transaction: the new state, a
consent, a finished request, an erasure (storage/erasure.py). Writes go through
``Database.write`` (one transaction each), reads through ``Database.read`` (storage/db.py).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flows.engine import State
from storage.db import Database, Rollback
from storage.erasure import Forgotten, forget_person
from storage.models import ConsentRecord, RequestPayload


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
    one sent in the last day (then the earlier reference); what was erased."""

    requests: list[tuple[str, bool]] = field(default_factory=list)
    forgotten: Forgotten | None = None


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
            saved.forgotten = forget_person(conn, turn.chat_key, now)
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
    return saved  # an erasure is finished outside the transaction (storage/erasure.py)


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
