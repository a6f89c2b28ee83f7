"""Delivery through a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from pydantic import SecretStr

from bot.app import build_app
from bot.conversation.service import ConversationService
from bot.settings import Settings
from flows import texts
from storage import deliveries
from tests.helpers import CONTACT, other_request


class Sink:
    """Keeps every message the server accepts."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        out = []
        for env in self.envelopes:
            content = env.original_content or b""
            parsed = message_from_bytes(content, policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            out.append(parsed)
        return out


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def smtp_server(port: int, **options: Any) -> Iterator[Sink]:
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


def check_login(
    server: SMTPServer, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == b"pat-bot"
        and auth_data.password == b"correct horse"
    )
    return AuthResult(success=ok, handled=False)  # False: let aiosmtpd answer 235 or 535


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def smtp_settings(settings: Settings, port: int, **extra: Any) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_security": "none",
            "smtp_timeout": 5.0,
            "delivery_base_delay": 0.0,
            **extra,
        }
    )


async def request(
    service: ConversationService,
    chat: str,
    *,
    name: str = CONTACT["name"],
    organisation: str = "Passer",
    message: str = "Pouvez-vous m'appeler ?",
    role: str = CONTACT["role"],
) -> None:
    await other_request(
        service, chat, name=name, organisation=organisation, message=message, role=role
    )


async def test_normal_delivery_and_content(settings: Settings) -> None:
    port = free_port()
    with smtp_server(port) as sink:
        async with build_app(smtp_settings(settings, port), run_worker=False) as app:
            await request(app.service, "tg:1", organisation="ASBL Soleil")
            assert await app.outbox.run_once() == 1
            (record,) = await deliveries.list_requests(app.db)
    assert record.status == "delivered"
    (envelope,) = sink.envelopes
    assert envelope.mail_from == "noreply@smes.be"
    assert envelope.rcpt_tos == ["pat@smes.be"]
    (mail,) = sink.messages()
    name = CONTACT["name"]
    assert mail["Subject"] == f"[PAT][FR] Autre demande · ASBL Soleil · {name} · #{record.ref}"
    assert mail["Message-ID"] == f"<{record.ref}@smes.be>"
    assert mail["Reply-To"].addresses[0].addr_spec == CONTACT["email"]
    body = mail.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "Nouvelle demande : Autre demande" in text and "Pouvez-vous m'appeler ?" in text
    assert [a.get_filename() for a in mail.iter_attachments()] == [f"{record.ref}.json"]
    assert not settings.outbox_dir.exists()  # SMTP replaces the .eml folder


async def test_arrived_at_pat_is_said_only_after_the_mail_server_took_it(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    told: list[tuple[str, str]] = []

    async def chat(key: str, text: str) -> None:
        told.append((key, text))

    port = free_port()
    with smtp_server(port) as sink, caplog.at_level("WARNING"):
        async with build_app(smtp_settings(settings, port), run_worker=False) as app:
            app.outbox.chats.connect("tg:", tell=chat)
            await request(app.service, "tg:1")
            assert await app.outbox.run_once() == 1
            (record,) = await deliveries.list_requests(app.db)
    assert len(sink.envelopes) == 1
    assert told == [("tg:1", texts.DELIVERED.format(ref=record.ref))]
    assert "no SMTP server" not in caplog.text  # the file-mode warning is for file mode only


async def test_file_mode_warns_at_start_up_and_says_registered_not_arrived(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    told: list[tuple[str, str]] = []

    async def chat(key: str, text: str) -> None:
        told.append((key, text))

    with caplog.at_level("WARNING"):
        async with build_app(settings, run_worker=False) as app:
            assert "no SMTP server (PAT_SMTP_HOST)" in caplog.text
            app.outbox.chats.connect("tg:", tell=chat)
            await request(app.service, "tg:1")
            assert await app.outbox.run_once() == 1
            (record,) = await deliveries.list_requests(app.db)
    assert told == [("tg:1", texts.FILED.format(ref=record.ref))]
    assert "arrivée chez l'équipe PAT" not in told[0][1]


async def test_server_down_when_confirmed_then_up_delivered_exactly_once(
    settings: Settings,
) -> None:
    port = free_port()  # nothing listens there yet
    async with build_app(smtp_settings(settings, port), run_worker=False) as app:
        await request(app.service, "tg:2")
        assert await app.outbox.run_once() == 0
        (record,) = await deliveries.list_requests(app.db)
        assert record.status == "pending" and "Connect" in (record.last_error or "")
        with smtp_server(port) as sink:
            await asyncio.sleep(0.01)  # the retry is due (base delay 0 in these settings)
            assert await app.outbox.run_once() == 1
            assert await app.outbox.run_once() == 0
            assert await app.outbox.run_once() == 0
        assert len(sink.envelopes) == 1


async def test_restart_with_pending_mail_delivers_it(settings: Settings) -> None:
    port = free_port()
    configured = smtp_settings(settings, port)
    async with build_app(configured, run_worker=False) as app:
        await request(app.service, "tg:3")
        await app.outbox.run_once()  # server down: stays pending
    with smtp_server(port) as sink:
        async with build_app(configured) as app:  # the worker starts with the app
            for _ in range(200):
                if sink.envelopes:
                    break
                await asyncio.sleep(0.02)
        assert len(sink.envelopes) == 1
    async with build_app(configured, run_worker=False) as app:
        (record,) = await deliveries.list_requests(app.db)
        assert record.status == "delivered"


async def test_authentication_over_starttls(
    settings: Settings, certificate: tuple[Path, Path]
) -> None:
    cert, key = certificate
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    port = free_port()
    with smtp_server(
        port, tls_context=tls, require_starttls=True, auth_required=True, authenticator=check_login
    ) as sink:
        good = smtp_settings(
            settings,
            port,
            smtp_security="starttls",
            smtp_ca_file=cert,
            smtp_username="pat-bot",
            smtp_password=SecretStr("correct horse"),
        )
        async with build_app(good, run_worker=False) as app:
            await request(app.service, "tg:4")
            assert await app.outbox.run_once() == 1
        assert len(sink.envelopes) == 1
        wrong = good.model_copy(
            update={"smtp_password": SecretStr("wrong"), "data_dir": settings.data_dir / "other"}
        )
        async with build_app(wrong, run_worker=False) as app:
            await request(app.service, "tg:5")
            assert await app.outbox.run_once() == 0
            (record,) = await deliveries.list_requests(app.db)
            assert record.status == "pending"
            assert "SMTPAuthenticationError" in (record.last_error or "")
            assert "correct horse" not in (record.last_error or "")
        assert len(sink.envelopes) == 1


async def test_implicit_tls(settings: Settings, certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    port = free_port()
    with smtp_server(port, ssl_context=tls) as sink:
        configured = smtp_settings(settings, port, smtp_security="tls", smtp_ca_file=cert)
        async with build_app(configured, run_worker=False) as app:
            await request(app.service, "tg:6")
            assert await app.outbox.run_once() == 1
    assert len(sink.envelopes) == 1


async def test_header_injection_attempts_in_every_text_field(settings: Settings) -> None:
    port = free_port()
    inject = "\r\nBcc: evil@example.com\r\nX-Injected: yes"
    with smtp_server(port) as sink:
        async with build_app(smtp_settings(settings, port), run_worker=False) as app:
            await request(
                app.service,
                "tg:7",
                name="Eve" + inject,
                organisation="ASBL" + inject,
                message="Bonjour" + inject,
                role="pirate" + inject,
            )
            assert await app.outbox.run_once() == 1
    (envelope,) = sink.envelopes
    assert envelope.rcpt_tos == ["pat@smes.be"]
    (mail,) = sink.messages()
    assert mail["Bcc"] is None and mail["X-Injected"] is None
    assert {k.lower() for k in mail} & {"bcc", "x-injected", "cc"} == set()
    for header in ("Subject", "Reply-To"):
        assert "\n" not in str(mail[header]) and "\r" not in str(mail[header])
    assert mail["Reply-To"].addresses[0].addr_spec == CONTACT["email"]
