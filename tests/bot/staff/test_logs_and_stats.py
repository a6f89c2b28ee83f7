"""No personal data in logs at DEBUG; anonymous statistics for staff only."""

from __future__ import annotations

import asyncio
import io
import logging
import sys
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from bot.app import build_app
from bot.cli import main
from bot.logs import CutAtShutdown, RedactingFilter, configure_logging
from bot.settings import Settings
from flows.engine import Start, Text
from tests.bot.channels.test_telegram import press, running
from tests.bot.delivery.test_smtp import free_port, smtp_server
from tests.botapi import FakeBotAPI, Telegram

PEOPLE = [
    ("Gwendoline Vanderelst", "gwendoline.v@example.be", "0471 23 45 67", "ASBL Lumière"),
    ("Pieter-Jan Oosterlinck", "pj.oosterlinck@voorbeeld.be", "+32 2 555 12 34", "VZW Brug"),
]


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    out = io.StringIO()
    handler = configure_logging("DEBUG", out)
    # aiosmtpd is the test's mail server, not part of the bot: it logs what it receives.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    root = logging.getLogger()
    try:
        yield out
    finally:
        root.removeHandler(handler)
        root.setLevel(logging.WARNING)


async def test_full_conversations_at_debug_log_nothing_personal(
    settings: Settings, debug_log: io.StringIO
) -> None:
    api = FakeBotAPI()
    await api.start()
    port = free_port()
    configured = settings.model_copy(
        update={
            "telegram_token": SecretStr("123:TOKEN-SECRET"),
            "telegram_api_url": api.base_url,
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_security": "none",
            "delivery_base_delay": 0.0,
        }
    )
    try:
        with smtp_server(port) as sink:
            # Terminal-style conversation through the service.
            async with build_app(configured, run_worker=False) as app:
                name, email, phone, org = PEOPLE[0]
                await app.service.handle("terminal", Start())
                for answer in [
                    "Accompagner mon organisation",
                    "Commencer ma demande",
                    org,
                    "Santé mentale",
                    "Bruxelles",
                    "Nous découvrons l'idée",
                    "10 à 25",
                    "Pas encore",
                    "C'est tout",
                    f"Contact {email} ou {phone}",
                    "J'accepte",
                    name,
                    "directrice",
                    "pas-un-email",
                    email,
                    phone,
                    "Par e-mail",
                    "Envoyer",
                ]:
                    await app.service.handle("terminal", Text(answer))
                await app.outbox.run_once()
            # Telegram conversation through the real Application.
            async with running(configured, api) as bot:
                name, email, phone, org = PEOPLE[1]
                pj = Telegram(user_id=3333)
                pj.user["language_code"] = "nl"
                await bot.send(pj.message("/start"))
                sent = await bot.send(pj.message("Iets anders / met iemand praten"))
                for answer in [
                    f"Bel me op {phone}",
                    "Ik ga akkoord",
                    name,
                    org,
                    "teamcoach",
                    email,
                    phone,
                ]:
                    sent = await bot.send(pj.message(answer))
                sent = await press(bot, pj, sent[-1], "Per telefoon")
                await press(bot, pj, sent[-1], "Versturen")
                await bot.built.outbox.run_once()
            assert len(sink.envelopes) == 2
    finally:
        await api.stop()
    logged = debug_log.getvalue()
    assert "request" in logged and "delivered" in logged  # the log did capture the run
    for name, email, phone, org in PEOPLE:
        for secret in (name, email, phone, phone.replace(" ", ""), org, name.split()[-1]):
            assert secret not in logged, secret
    assert "TOKEN-SECRET" not in logged


def test_the_filter_masks_emails_and_phones() -> None:
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "from %s at %s", ("a.b@example.be", "0470 12 34 56"), None
    )
    RedactingFilter().filter(record)
    assert record.getMessage() == "from [email] at [phone]"


def test_a_request_cut_at_shutdown_is_one_line_and_other_errors_keep_their_traceback() -> None:
    def record(exc: BaseException) -> logging.LogRecord:
        try:
            raise exc
        except BaseException:
            info = sys.exc_info()
        return logging.LogRecord(
            "uvicorn.error", logging.ERROR, __file__, 1, "Exception in ASGI application\n", (), info
        )

    cut = record(asyncio.CancelledError("Task cancelled, timeout graceful shutdown exceeded"))
    assert CutAtShutdown().filter(cut)
    shown = logging.Formatter("%(levelname)s %(message)s").format(cut)
    assert shown == (
        "WARNING a web connection still open at shutdown was cut off "
        "(Task cancelled, timeout graceful shutdown exceeded)"
    )
    bug = record(KeyError("x"))
    assert CutAtShutdown().filter(bug)
    assert "Traceback" in logging.Formatter().format(bug)


def test_stats_command_in_the_terminal(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    async def some_activity() -> None:
        async with build_app(settings, run_worker=False) as app:
            svc = app.service
            await svc.handle("tg:1", Start("src_flyer2026"))
            await svc.handle("tg:1", Text("et si il rechute ?"))
            await svc.handle("tg:2", Start())
            await svc.handle("tg:2", Text("je veux mourir"))
            await svc.handle("tg:3", Text("je n'en peux plus"))
            await svc.handle("tg:3", Text("oui"))
            await svc.handle("tg:2", Text("Menu"))
            for answer in [
                "Une formation",
                "Une équipe",
                "5",
                "Wallonie",
                "Les bases",
                "J'accepte",
                "Léon Stats",
                "Passer",
                "chef",
                "leon@example.be",
                "Passer",
                "Envoyer",
            ]:
                await svc.handle("tg:2", Text(answer))

    asyncio.run(some_activity())
    monkeypatch.setenv("PAT_DATA_DIR", str(settings.data_dir))
    assert main(["stats", "--days", "7"]) == 0
    out = capsys.readouterr().out
    assert "Conversations commencées : 2" in out
    assert "Demandes faites : 1" in out and "Par offre : Formation 1" in out
    assert "Par région : Wallonie 1" in out and "Par langue : français 1" in out
    assert "Questions lues : Et s'il ou elle rechute ? 1" in out
    assert "Venues par un lien : src_flyer2026 1" in out
    assert (
        "Détresse : lignes d'aide montrées d'emblée 1 · "
        "question « êtes-vous en danger ? » posée 1, dont « oui » 1"
    ) in out
    # Each question by its label, in the order of the flow; never a step id.
    funnel = out[out.index("  Formation\n") :].splitlines()[1:6]
    assert [row.split(None, 1) for row in funnel] == [
        ["1", "Profil"],
        ["0", "Pour qui"],
        ["1", "Nombre de personnes"],
        ["1", "Région"],
        ["1", "Attentes"],
    ]
    assert "group_size" not in out and "training." not in out
    assert "Léon" not in out and "leon@" not in out


@pytest.mark.parametrize(
    "kept",
    [
        "delivery of R-261201-7KQ3 failed",
        "next try at 2026-12-01T07:06:12.345678+00:00",
        "took 12345678 µs",
        "user 123456789 wrote",
    ],
)
def test_the_filter_keeps_references_times_and_ids(kept: str) -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, kept, (), None)
    RedactingFilter().filter(record)
    assert record.getMessage() == kept


@pytest.mark.parametrize(
    "phone", ["0470 12 34 56", "+32 470 12 34 56", "0032470123456", "02/123.45.67", "0470-123456"]
)
def test_the_filter_masks_phones_in_every_usual_form(phone: str) -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "call %s now", (phone,), None)
    RedactingFilter().filter(record)
    assert record.getMessage() == "call [phone] now"
