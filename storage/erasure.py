"""Erasure and retention: what ``/forget`` deletes, and what time anonymises.

What ``/forget`` erases of a conversation, its consents, its requests and its hand-offs, and
what retention anonymises, reviewable in one place (docs/privacy.md). Each erasure also writes,
in the same transaction, rows of the ``erasures`` table: what must still go outside the tables
(a request's ``.eml`` copy, the old page images in the write-ahead log). The outbox finishes
them (bot/delivery/outbox.py ``finish_erasures``) and deletes the rows only then, so a crash
between the commit and the last file is finished at the next start.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flows.engine import State
from storage.counters import add_in
from storage.db import Database
from storage.handoffs import forget_chat_in
from storage.inbox import forget_in as forget_inbox_in

_ANONYMISE = (
    "UPDATE requests SET payload = '{}', last_error = NULL, chat_key = '', "
    "fingerprint = NULL, anonymised_at = ? WHERE "
)


@dataclass
class Forgotten:
    refs: list[str] = field(default_factory=list)  # the person's requests
    in_flight: list[str] = field(default_factory=list)  # ... being sent at that moment
    handoffs: list[str] = field(default_factory=list)  # hand-offs that were still open


def forget_person(conn: sqlite3.Connection, chat_key: str, at: str) -> Forgotten:
    """Conversation, consents, hand-offs and messages waiting for their turn deleted; requests
    not yet delivered deleted (they will never be sent); delivered ones keep only anonymous
    facts; what remains to be erased outside the tables recorded. A request another process
    is sending right now is recorded with its sender, who finishes its erasure when the send
    ends (bot/delivery/outbox.py)."""
    rows = conn.execute(
        "SELECT ref, status, lease_owner, lease_until FROM requests WHERE chat_key = ?",
        (chat_key,),
    ).fetchall()
    gone = Forgotten(refs=[r[0] for r in rows])
    sending = {r[0]: (r[2], r[3]) for r in rows if r[1] == "pending" and r[2] and r[3] > at}
    gone.in_flight = sorted(sending)
    conn.execute("DELETE FROM conversations WHERE chat_key = ?", (chat_key,))
    conn.execute("DELETE FROM consents WHERE chat_key = ?", (chat_key,))
    forget_inbox_in(conn, chat_key)  # messages of theirs still waiting for their turn
    conn.execute("DELETE FROM requests WHERE chat_key = ? AND status != 'delivered'", (chat_key,))
    conn.execute(_ANONYMISE + "chat_key = ?", (at, chat_key))
    gone.handoffs = forget_chat_in(conn, chat_key, gone.refs)
    later = [(ref, at, *sending.get(ref, (None, None))) for ref in gone.refs] or [
        ("", at, None, None)
    ]
    conn.executemany(
        "INSERT INTO erasures (ref, since, sender, sender_until) VALUES (?, ?, ?, ?)", later
    )
    return gone


@dataclass(frozen=True)
class Erasure:
    id: int
    ref: str
    sender: str | None
    sender_until: str | None
    notify: bool


async def unfinished(db: Database) -> list[Erasure]:
    rows = await db.read("SELECT id, ref, sender, sender_until, notify FROM erasures ORDER BY id")
    return [Erasure(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows]


async def sender_done(db: Database, ref: str, sender: str, reached_pat: bool) -> bool:
    """The process that was sending ``ref`` when it was erased has finished sending: the rest
    of the erasure is the finisher's (and PAT is asked to delete their copy when it may have
    reached them). False when no erasure was waiting for this sender."""

    handed = await db.changed(
        "UPDATE erasures SET sender = NULL, sender_until = NULL, notify = ? "
        "WHERE ref = ? AND sender = ?",
        (int(reached_pat), ref, sender),
    )
    return handed > 0


async def sender_gone(db: Database, erasure_id: int) -> None:
    """The sender died mid-send: the request may have reached PAT."""
    await db.write(
        lambda conn: conn.execute(
            "UPDATE erasures SET sender = NULL, sender_until = NULL, notify = 1 WHERE id = ?",
            (erasure_id,),
        )
    )


async def finished(db: Database, ids: Sequence[int]) -> bool:
    """The erasures ``ids`` are done outside the tables: empty the write-ahead log (erased
    pages stay readable in it until then), then forget them. False, with nothing forgotten,
    while another process reads an older state and holds the log back."""
    if not await db.checkpoint():
        return False
    await db.write(
        lambda conn: conn.executemany("DELETE FROM erasures WHERE id = ?", [(i,) for i in ids])
    )
    return True


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
        add_in(conn, Counter((day, "stopped", step) for step in stopped))
        if refs or stopped:  # the .eml copies and the log: finished by the outbox
            later = [(ref, now.isoformat()) for ref in refs] or [("", now.isoformat())]
            conn.executemany("INSERT INTO erasures (ref, since) VALUES (?, ?)", later)
        return refs, stopped

    return await db.write(work)
