"""The anonymous daily counters (day, kind, key -> count) behind ``/stats`` and the digest."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import datetime

from storage.db import Database


def add_in(conn: sqlite3.Connection, counts: Mapping[tuple[str, str, str], int]) -> None:
    conn.executemany(
        "INSERT INTO counters (day, kind, key, count) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (day, kind, key) DO UPDATE SET count = count + excluded.count",
        [(day, kind, key, n) for (day, kind, key), n in counts.items()],
    )


async def add(db: Database, counts: Mapping[tuple[str, str, str], int]) -> None:
    """Add (day, kind, key) -> n to the anonymous daily counters."""
    await db.write(lambda conn: add_in(conn, counts))


async def since(db: Database, start: datetime) -> dict[str, dict[str, int]]:
    """Counters since ``start``, summed: kind -> key -> count."""
    rows = await db.read(
        "SELECT kind, key, SUM(count) FROM counters WHERE day >= ? GROUP BY kind, key",
        (start.date().isoformat(),),
    )
    out: dict[str, dict[str, int]] = {}
    for kind, key, total in rows:
        out.setdefault(kind, {})[key] = int(total)
    return out
