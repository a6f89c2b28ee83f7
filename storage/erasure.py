"""Erasure and retention: what ``/forget`` deletes, and what time anonymises.

What ``/forget`` erases of a conversation, its consents and its requests, and what retention
anonymises, reviewable in one place (docs/privacy.md); a hand-off's own messages are erased in
storage/handoffs.py.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import datetime, timedelta

from flows.engine import State
from storage.counters import add_in
from storage.db import Database

_ANONYMISE = (
    "UPDATE requests SET payload = '{}', last_error = NULL, chat_key = '', "
    "fingerprint = NULL, anonymised_at = ? WHERE "
)


def forget_person(conn: sqlite3.Connection, chat_key: str, at: str) -> list[str]:
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
        add_in(conn, Counter((day, "stopped", step) for step in stopped))
        return refs, stopped

    refs, stopped = await db.write(work)
    if refs or stopped:
        await db.checkpoint()  # no old page image of what was erased stays in the log
    return refs, stopped
