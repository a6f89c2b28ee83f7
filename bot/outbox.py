"""Delivery of stored requests to PAT staff.

A request is committed in SQLite (status ``pending``, with its composed e-mail) before anyone is
told it was received; delivery happens afterwards and is retried at start-up for anything still
pending. The transport is injectable: here, the embedded default writes each message as an
``.eml`` file into ``PAT_DATA_DIR/outbox/`` (atomic rename, so a crash never leaves half a file,
and the same reference always lands in the same file, so a retry never makes a duplicate).
"""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from storage import repo
from storage.db import Database

log = logging.getLogger(__name__)


class Transport(Protocol):
    """Delivers one composed message; raises on failure."""

    async def send(self, ref: str, message: bytes) -> None: ...


class FileTransport:
    """Writes ``<ref>.eml`` files into a folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _write(self, ref: str, message: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        final = self.folder / f"{ref}.eml"
        tmp = self.folder / f".{ref}.eml.tmp"
        with tmp.open("wb") as fh:
            fh.write(message)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(final)

    async def send(self, ref: str, message: bytes) -> None:
        await asyncio.to_thread(self._write, ref, message)


class Outbox:
    """Delivers pending requests through a transport and records the outcome."""

    def __init__(self, db: Database, transport: Transport) -> None:
        self.db = db
        self.transport = transport

    async def deliver(self, ref: str) -> bool:
        """Try once to deliver one request; True when it is delivered."""
        record = await repo.get_request(self.db, ref)
        if record is None or record.status == "delivered":
            return record is not None
        try:
            await self.transport.send(ref, record.message)
        except Exception as exc:  # any transport failure keeps the request pending
            await repo.mark_attempt_failed(self.db, ref, f"{type(exc).__name__}: {exc}")
            log.warning("delivery of %s failed (%s); it stays pending", ref, type(exc).__name__)
            return False
        await repo.mark_delivered(self.db, ref, datetime.now(UTC))
        log.info("request %s delivered", ref)
        return True

    async def deliver_pending(self) -> int:
        """Deliver everything still pending (after a crash or a failed attempt)."""
        delivered = 0
        for record in await repo.list_requests(self.db, "pending"):
            delivered += await self.deliver(record.ref)
        return delivered
