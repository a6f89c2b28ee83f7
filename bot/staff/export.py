"""``pat-bot export``: the requests still held, one row each, for a spreadsheet.

A request is held until it is anonymised (``PAT_RETENTION_DAYS`` after delivery): the rows are
the requests of the last N days that still have their answers. Without ``--with-contact`` a row
holds nothing that names a person (reference, date, offer, language, place, organisation,
status); with it, name, e-mail, phone and Telegram username are added, and a warning on stderr
says that the file now holds personal data. CSV headers and values are in the staff's language;
JSON keys are fixed (for programs), values the same as in the CSV.
"""

from __future__ import annotations

import csv
import json
import sys
from datetime import UTC, datetime, timedelta
from typing import TextIO

from bot.app import build_app
from bot.conversation.i18n import BRUSSELS, Translator
from bot.settings import Settings
from bot.staff import texts as staff
from bot.staff.texts import language_name
from flows.texts import N_
from storage import deliveries
from storage.models import RequestRecord

# (JSON key, French column title). Contact columns come last, and only on request.
COLUMNS = (
    ("ref", staff.COL_REF),
    ("date", N_("date")),
    ("offer", N_("offre")),
    ("language", N_("langue")),
    ("region", N_("région")),
    ("commune", N_("commune")),
    ("organisation", N_("organisation")),
    ("channel", N_("canal")),
    ("status", staff.COL_STATUS),
)
CONTACT_COLUMNS = (
    ("name", N_("nom")),
    ("email", N_("e-mail")),
    ("phone", N_("téléphone")),
    ("telegram", N_("Telegram")),
)
PERSONAL_DATA_WARNING = N_(
    "Attention : ce fichier contient des données personnelles (nom, e-mail, téléphone). "
    "Gardez-le dans un endroit protégé et effacez-le quand vous n'en avez plus besoin."
)


def row_of(record: RequestRecord, t: Translator, with_contact: bool) -> dict[str, str] | None:
    """One request as a row, or None once anonymised (its answers are gone)."""
    payload = record.payload
    if payload is None:
        return None
    row = {
        "ref": record.ref,
        "date": record.created_at.astimezone(BRUSSELS).strftime("%Y-%m-%d %H:%M"),
        "offer": t.gettext(payload.offer_label),
        "language": language_name(record.locale, t),
        "region": t.gettext(payload.region_label) if payload.region_label else "",
        "commune": payload.commune or "",
        "organisation": payload.value("organisation") or "",
        "channel": payload.channel or "",
        "status": t.gettext(staff.STATUSES.get(record.status, record.status)),
    }
    if with_contact:
        row |= {
            "name": payload.value("name") or "",
            "email": payload.value("email") or "",
            "phone": payload.value("phone") or "",
            "telegram": f"@{payload.telegram_username}" if payload.telegram_username else "",
        }
    return row


def write(rows: list[dict[str, str]], fmt: str, out: TextIO, t: Translator, contact: bool) -> None:
    columns = COLUMNS + (CONTACT_COLUMNS if contact else ())
    if fmt == "json":
        json.dump(rows, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    writer = csv.writer(out)
    writer.writerow(t.gettext(title) for _, title in columns)
    for row in rows:
        # A cell starting with = + - @ is a formula to a spreadsheet: shown as text instead.
        writer.writerow(_as_text(row[key]) for key, _ in columns)


def _as_text(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


async def export_command(
    settings: Settings, days: int, fmt: str, with_contact: bool, t: Translator
) -> int:
    since = datetime.now(UTC) - timedelta(days=days)
    async with build_app(settings, run_worker=False) as app:
        records = [r for r in await deliveries.list_requests(app.db) if r.created_at >= since]
    rows = [row for r in records if (row := row_of(r, t, with_contact)) is not None]
    if with_contact:
        print(t.gettext(PERSONAL_DATA_WARNING), file=sys.stderr)
    write(rows, fmt, sys.stdout, t, with_contact)
    return 0
