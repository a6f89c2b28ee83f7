"""How a request reaches PAT by e-mail: ``EmailDelivery`` composes it (bot/delivery/mail.py)
and hands the bytes to a transport, SMTP (aiosmtplib) or ``.eml`` files in a folder.

``make_transport`` in bot/app.py chooses: SMTP when ``PAT_SMTP_HOST`` is set, else files in
``PAT_DATA_DIR/outbox/`` (someone must read that folder).
"""

from __future__ import annotations

import asyncio
import os
import ssl
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import ClassVar, Literal, Protocol

import aiosmtplib

from bot.delivery.mail import compose
from storage.models import RequestPayload

Security = Literal["none", "starttls", "tls"]


class Transport(Protocol):
    """Delivers one composed message; raises on failure."""

    async def send(self, ref: str, message: bytes) -> None: ...


class FileTransport:
    """Writes ``<ref>.eml`` files into a folder (atomic rename: never half a file)."""

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

    async def forget(self, ref: str) -> None:
        """Remove the copy kept in the folder, and a half-written one (erasure, retention)."""
        for path in (self.folder / f"{ref}.eml", self.folder / f".{ref}.eml.tmp"):
            await asyncio.to_thread(path.unlink, missing_ok=True)


class SmtpTransport:
    """Sends through an SMTP server with aiosmtplib."""

    DEFAULT_PORTS: ClassVar[Mapping[Security, int]] = {"none": 25, "starttls": 587, "tls": 465}

    def __init__(
        self,
        host: str,
        *,
        mail_from: str,
        mail_to: str,
        port: int | None = None,
        security: Security = "starttls",
        username: str | None = None,
        password: str | None = None,
        timeout: float = 20.0,
        ca_file: Path | None = None,
    ) -> None:
        self.host = host
        self.port = port or self.DEFAULT_PORTS[security]
        self.security = security
        self.username = username
        self.password = password
        self.timeout = timeout
        self.sender = parseaddr(mail_from)[1]
        self.recipient = parseaddr(mail_to)[1] or mail_to
        self.tls_context = (
            ssl.create_default_context(cafile=str(ca_file)) if ca_file is not None else None
        )

    async def send(self, ref: str, message: bytes) -> None:
        await aiosmtplib.send(
            message,
            sender=self.sender,
            recipients=[self.recipient],
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.security == "tls",
            start_tls=self.security == "starttls",
            tls_context=self.tls_context,
            timeout=self.timeout,
        )


class EmailDelivery:
    """The ``Deliverer`` PAT uses (bot/delivery/base.py): every request as an e-mail."""

    def __init__(self, transport: Transport, mail_from: str, mail_to: str) -> None:
        self.transport = transport
        self.mail_from = mail_from
        self.mail_to = mail_to
        self.filed = isinstance(transport, FileTransport)

    async def deliver(self, payload: RequestPayload) -> None:
        # On the event loop, about 5 ms of the email package once per request (the outbox
        # paces a backlog). Not in a thread: pure Python there holds the interpreter lock
        # against the loop, and the answers' p99 doubled while e-mails were being composed
        # (bench/README.md, eighth session).
        message = compose(payload, self.mail_from, self.mail_to)
        await self.transport.send(payload.ref, message)

    async def deliver_digest(self, week: str, message: bytes) -> None:
        await self.transport.send(f"digest-{week}", message)

    async def forget(self, ref: str) -> None:
        if isinstance(self.transport, FileTransport):
            await self.transport.forget(ref)

    async def ask_to_delete(self, ref: str, text: str) -> None:
        if self.filed:
            return  # PAT's copy is the .eml in the folder: forget() removes it
        title, _, body = text.partition("\n")
        msg = EmailMessage(policy=SMTP)
        msg["Subject"] = title
        msg["From"] = self.mail_from
        msg["To"] = self.mail_to
        msg["Date"] = format_datetime(datetime.now(UTC))
        msg["Message-ID"] = make_msgid("erase", self.mail_from.rpartition("@")[2] or None)
        msg["X-PAT-Reference"] = ref
        msg.set_content(body.strip())
        await self.transport.send(f"erase-{ref}", msg.as_bytes())
