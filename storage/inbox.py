"""The inbox of messages a webhook brought (WhatsApp): kept from Meta's 200 to their turn.

Meta sends a message once, and never again after our 200: so the webhook stores the messages
of a call (``put``, one transaction) and only then answers. The channel's worker takes each
person's messages in order (``next_of``), counts a try before handling one (``begin``: a message
that keeps failing, or kills the process, is dropped after a few) and deletes it once its turn
is committed and answered (``done``). Rows left by a crash are found at start-up (``waiting``).
A message handled twice (a crash after its turn, before ``done``) changes nothing: its turn is
recorded under the message's id (storage/conversations.py, ``processed_updates``).

The rows are personal data: ``forget_person`` (storage/erasure.py) deletes a person's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from storage.db import Database


@dataclass(frozen=True)
class Waiting:
    """One message waiting for its turn (``kind``: text, choice or other)."""

    id: int
    chat_key: str
    message_id: str
    sent_at: int
    kind: str
    text: str
    tries: int


_COLUMNS = "id, chat_key, message_id, sent_at, kind, text, tries"


async def put(db: Database, messages: Sequence[Waiting], at: datetime) -> list[str]:
    """Store a webhook call's messages (their ``id`` is ignored), all or none; the chat keys
    that have new messages, in order of arrival. A message already waiting is stored once."""

    def work(conn: sqlite3.Connection) -> list[str]:
        keys: list[str] = []
        for m in messages:
            conn.execute(
                "INSERT OR IGNORE INTO inbox (chat_key, message_id, sent_at, kind, text, "
                "received_at) VALUES (?, ?, ?, ?, ?, ?)",
                (m.chat_key, m.message_id, m.sent_at, m.kind, m.text, at.isoformat()),
            )
            if m.chat_key not in keys:
                keys.append(m.chat_key)
        return keys

    return await db.write(work)


async def waiting(db: Database) -> list[str]:
    """The chat keys with messages waiting, the oldest first (at start-up)."""
    rows = await db.read("SELECT chat_key, MIN(id) AS first FROM inbox GROUP BY chat_key")
    return [r[0] for r in sorted(rows, key=lambda r: r[1])]


async def next_of(db: Database, chat_key: str) -> Waiting | None:
    rows = await db.read(
        f"SELECT {_COLUMNS} FROM inbox WHERE chat_key = ? ORDER BY id LIMIT 1", (chat_key,)
    )
    return Waiting(*rows[0]) if rows else None


async def begin(db: Database, row_id: int) -> None:
    """One more try of this message counted, before it is handled."""
    await db.changed("UPDATE inbox SET tries = tries + 1 WHERE id = ?", (row_id,))


async def done(db: Database, row_id: int) -> None:
    """The message was handled (or dropped): gone (secure_delete wipes its page)."""
    await db.changed("DELETE FROM inbox WHERE id = ?", (row_id,))


def forget_in(conn: sqlite3.Connection, chat_key: str) -> None:
    """A person's waiting messages, deleted with the rest of them (inside their erasure)."""
    conn.execute("DELETE FROM inbox WHERE chat_key = ?", (chat_key,))
