"""pat-bot export: one row per request still held, for a spreadsheet; contact details only
with --with-contact, which warns that the file holds personal data."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import build_app
from bot.cli import main
from bot.settings import Settings
from storage import deliveries, erasure
from tests.helpers import CONTACT, accompaniment_request, other_request


async def _two_requests(settings: Settings) -> list[str]:
    async with build_app(settings, run_worker=False) as app:
        await accompaniment_request(
            app.service, "tg:1", organisation='=HYPERLINK("http://x")', commune="Liège"
        )
        await other_request(app.service, "tg:2")
        return [r.ref for r in await deliveries.list_requests(app.db)]


async def _age(settings: Settings, ref: str, deliver_and_purge: bool = False) -> None:
    """Make a request 40 days old; deliver all, then anonymise what retention says."""
    async with build_app(settings, run_worker=False) as app:
        old = (datetime.now(UTC) - timedelta(days=40)).isoformat()
        await app.db.write(
            lambda conn: conn.execute(
                "UPDATE requests SET created_at = ? WHERE ref = ?", (old, ref)
            )
        )
        if deliver_and_purge:
            await app.outbox.run_once()
            later = datetime.now(UTC) + timedelta(days=settings.retention_days + 1)
            await erasure.purge(app.db, later, settings.retention_days, settings.abandoned_days)


def _export(
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *args: str,
) -> tuple[str, str]:
    monkeypatch.setenv("PAT_DATA_DIR", str(settings.data_dir))
    capsys.readouterr()
    assert main(["export", *args]) == 0
    captured = capsys.readouterr()
    return captured.out, captured.err


def test_export_csv_without_contact(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = asyncio.run(_two_requests(settings))
    out, err = _export(settings, monkeypatch, capsys)
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == [
        "référence",
        "date",
        "offre",
        "langue",
        "région",
        "commune",
        "organisation",
        "canal",
        "état",
    ]
    assert [r[0] for r in rows[1:]] == [first, second]
    acc, other = rows[1], rows[2]
    assert acc[2:8] == [
        "Accompagnement",
        "français",
        "Wallonie",
        "Liège (4000)",
        '\'=HYPERLINK("http://x")',
        "telegram",
    ]
    assert acc[8] == "en attente"
    assert other[2] == "Autre demande" and other[4] == "" and other[5] == ""
    for secret in (CONTACT["name"], CONTACT["email"], "Ana Lima", "ana@example.be"):
        assert secret not in out
    assert "données personnelles" not in err


def test_export_with_contact_warns_and_json_has_fixed_keys(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(_two_requests(settings))
    out, err = _export(settings, monkeypatch, capsys, "--format", "json", "--with-contact")
    assert err.strip().endswith(
        "Attention : ce fichier contient des données personnelles (nom, e-mail, téléphone). "
        "Gardez-le dans un endroit protégé et effacez-le quand vous n'en avez plus besoin."
    )
    rows = json.loads(out)
    assert list(rows[0]) == [
        "ref",
        "date",
        "offer",
        "language",
        "region",
        "commune",
        "organisation",
        "channel",
        "status",
        "name",
        "email",
        "phone",
        "telegram",
    ]
    assert rows[0]["name"] == "Ana Lima" and rows[0]["email"] == "ana@example.be"
    assert rows[1]["name"] == CONTACT["name"]


def test_export_in_dutch_and_only_what_is_held_in_the_period(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = asyncio.run(_two_requests(settings))
    asyncio.run(_age(settings, first, deliver_and_purge=True))
    monkeypatch.setenv("PAT_STAFF_LOCALE", "nl")
    out, _ = _export(settings, monkeypatch, capsys, "--days", "60")
    assert (
        out.splitlines()[0]
        == "referentie,datum,aanbod,taal,regio,gemeente,organisatie,kanaal,status"
    )
    assert out.count("\n") == 1  # anonymised requests are no longer held: header only
    assert first not in out and second not in out


def test_export_of_the_last_days_only(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = asyncio.run(_two_requests(settings))
    asyncio.run(_age(settings, first))
    out, _ = _export(settings, monkeypatch, capsys, "--days", "30")
    assert first not in out and second in out
    out, _ = _export(settings, monkeypatch, capsys, "--days", "60")
    assert first in out and second in out
