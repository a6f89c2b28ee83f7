"""Staff tools speak the staff's language (PAT_STAFF_LOCALE, French by default): the help of
pat-bot, its messages, the stats (questions by their label, never step ids) and the alerts."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import build_app
from bot.cli import main
from bot.delivery.outbox import Outbox
from bot.delivery.transports import EmailDelivery
from bot.settings import Settings
from bot.staff.stats import report
from flows.engine import Start, Text
from storage import deliveries, erasure
from tests.bot.delivery.test_outbox import BrokenTransport
from tests.helpers import accompaniment_request, other_request

BIN = Path(sys.executable).parent / "pat-bot"


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in __import__("os").environ.items() if not k.startswith("PAT_")}
    clean.update({f"PAT_{k.upper()}": v for k, v in env.items()})
    return subprocess.run(
        [str(BIN), *args], env=clean, capture_output=True, text=True, timeout=60, check=False
    )


def test_the_help_is_in_french_by_default_and_in_the_staff_language() -> None:
    fr = run("-h")
    assert fr.returncode == 0
    assert fr.stdout.startswith("utilisation : pat-bot")
    assert "commandes:" in fr.stdout and "afficher cette aide" in fr.stdout
    assert "export" in fr.stdout and "digest" in fr.stdout
    assert "show this help" not in fr.stdout and "positional arguments" not in fr.stdout
    nl = run("outbox", "-h", staff_locale="nl")
    assert nl.stdout.startswith("gebruik: pat-bot outbox")
    assert "alle nog niet verstuurde aanvragen opnieuw versturen" in nl.stdout
    en = run("export", "-h", staff_locale="en")
    assert "add name, e-mail, phone and Telegram: these are personal data" in " ".join(
        en.stdout.split()
    )


def test_a_wrong_command_is_one_translated_line() -> None:
    done = run("outbox", "frob")
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith("pat-bot outbox : je ne comprends pas cette commande (")
    assert line.endswith("Voir « pat-bot outbox -h ».")


def test_a_wrong_staff_locale_is_refused_like_any_setting(tmp_path: Path) -> None:
    done = run("stats", staff_locale="de", data_dir=str(tmp_path))
    assert done.returncode == 2
    assert "PAT_STAFF_LOCALE" in done.stderr and "one of fr, nl, en" in done.stderr
    assert run("-h", staff_locale="de").stdout.startswith("utilisation : ")  # help still shows


def test_outbox_messages_in_dutch(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PAT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("PAT_STAFF_LOCALE", "nl")
    assert main(["outbox"]) == 0
    assert capsys.readouterr().out == "Alle aanvragen zijn naar het team verstuurd.\n"
    assert main(["outbox", "retry"]) == 2
    assert capsys.readouterr().err.startswith("Welke? pat-bot outbox retry R-…")


async def test_stats_name_where_people_stopped_and_leave_other_requests_out_of_regions(
    settings: Settings,
) -> None:
    async with build_app(settings, run_worker=False) as app:
        svc = app.service
        for chat in ("tg:1", "tg:2"):  # two people stop at the same question
            await svc.handle(chat, Start())
            for answer in ["Accompagner mon organisation", "Commencer ma demande", "ASBL Test"]:
                await svc.handle(chat, Text(answer))
        await other_request(svc, "tg:3")
        await svc.flush_counts()
        later = datetime.now(UTC) + timedelta(days=settings.abandoned_days + 1)
        await erasure.purge(app.db, later, settings.retention_days, settings.abandoned_days)
        out = await report(app.db, app.flows, app.outbox.staff, 30)
    assert "Conversations laissées en route, à la question : Accompagnement · Secteur 2" in out
    assert "Par offre : Autre demande 1" in out
    assert "Par région : aucune" in out  # an "other" request has no region: not "(non précisé)"
    assert "accompaniment.sector" not in out and "(non précisé)" not in out


async def test_a_commune_counts_in_its_region(settings: Settings) -> None:
    async with build_app(settings, run_worker=False) as app:
        svc = app.service
        await accompaniment_request(svc, "tg:1")
        assert await deliveries.count_requests(app.db) == 1
        await svc.flush_counts()
        out = await report(app.db, app.flows, app.outbox.staff, 30)
    assert "Par région : Wallonie 1" in out, out


async def test_the_staff_alert_is_in_the_staff_language(settings: Settings) -> None:
    alerts: list[str] = []

    async def alert(text: str) -> None:
        alerts.append(text)

    nl_settings = settings.model_copy(update={"staff_locale": "nl"})
    async with build_app(nl_settings, run_worker=False) as app:
        await other_request(app.service, "tg:3")
        outbox = Outbox(
            app.db,
            EmailDelivery(BrokenTransport(), settings.mail_from, settings.mail_to),
            app.catalogs,
            max_attempts=1,
            staff_voice=app.outbox.staff,
        )
        outbox.staff_alert = alert
        await outbox.run_once()
        (record,) = await deliveries.list_requests(app.db)
    assert alerts == [
        f"[PAT-robot] Aanvraag {record.ref} kon na 1 pogingen niet naar het team verstuurd "
        f"worden (ConnectionRefusedError). „pat-bot outbox retry {record.ref}” verstuurt ze "
        "opnieuw."
    ]


@pytest.mark.parametrize(
    ("value", "day"), [("monday", 1), ("Lundi", 1), ("dimanche", 7), ("3", 3), ("", None)]
)
def test_digest_weekday_in_words_or_numbers(
    value: str, day: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAT_DIGEST_WEEKDAY", value)
    assert Settings(_env_file=None).digest_weekday == day


def test_a_wrong_digest_weekday_is_one_line(tmp_path: Path) -> None:
    done = run("stats", digest_weekday="someday", data_dir=str(tmp_path))
    assert done.returncode == 2 and "PAT_DIGEST_WEEKDAY" in done.stderr
    assert "monday to sunday, lundi to dimanche, or 1 (Monday) to 7" in done.stderr


def test_wrong_days_and_an_unwritable_graph_folder_are_one_line(tmp_path: Path) -> None:
    done = run("stats", "--days", "-3", data_dir=str(tmp_path))
    assert done.returncode == 2 and "invalid days value: '-3'" in done.stderr
    assert "Traceback" not in done.stderr
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    done = run("graph", "--out", str(blocker / "g"))
    assert done.returncode == 1
    assert done.stderr.startswith(f"pat-bot : impossible d'écrire dans {blocker / 'g'} (")
    assert len(done.stderr.splitlines()) == 1


def test_a_misspelt_weekday_says_so(tmp_path: Path) -> None:
    done = run("stats", digest_weekday="lundy", data_dir=str(tmp_path))
    assert done.returncode == 2 and "is refused: not a day of the week." in done.stderr
