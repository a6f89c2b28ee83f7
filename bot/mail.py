"""The e-mail PAT staff receive for each request.

Always in French (staff read French; the person's language is stated so staff answer in it).
Plain-text and HTML bodies laid out for a quick read, ``Reply-To`` the person, a JSON attachment
with the same data for filing, and a ``Message-ID`` derived from the reference so that a resend
is recognisable. Every value a person typed is sanitised before it reaches a header and escaped
before it reaches HTML.
"""

from __future__ import annotations

import html
import re
import unicodedata
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr

from babel.dates import format_datetime as babel_datetime

from bot.i18n import BRUSSELS
from storage.models import RequestPayload

CONTACT_KEYS = ("name", "organisation", "role", "email", "phone", "contact_pref")
_HEADER_PART_MAX = 60
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def header_safe(value: str, limit: int = _HEADER_PART_MAX) -> str:
    """One line, no control characters, folded spaces, at most ``limit`` characters."""
    value = unicodedata.normalize("NFC", value)
    value = " ".join(_UNSAFE.sub(" ", value).split())
    if len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return value


def subject(payload: RequestPayload) -> str:
    parts = [payload.offer_label, payload.label_of("region"), payload.value("organisation")]
    shown = [header_safe(p) for p in parts if p]
    return "[PAT] " + " · ".join([*shown, f"#{payload.ref}"])


def _when(payload: RequestPayload, which: str) -> str:
    value = payload.created_at if which == "created" else payload.consent_at
    return str(babel_datetime(value, "d MMMM y 'à' HH:mm", tzinfo=BRUSSELS, locale="fr"))


def _who(payload: RequestPayload) -> str:
    name = payload.value("name") or "(sans nom)"
    extra = [v for v in (payload.value("role"), payload.value("organisation")) if v]
    return f"{name} ({', '.join(extra)})" if extra else name


def _sections(payload: RequestPayload) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    what = [(f.label, f.value) for f in payload.fields if f.key not in CONTACT_KEYS]
    contact = [(f.label, f.value) for f in payload.fields if f.key in CONTACT_KEYS]
    return what, contact


def _footer(payload: RequestPayload) -> list[tuple[str, str]]:
    rows = [
        ("Langue de la personne", f"{payload.locale_label} : répondre en {payload.locale_label}"),
        ("Questions lues avant", ", ".join(payload.faq_read_labels) or "aucune"),
        (
            "Consentement",
            f"donné le {_when(payload, 'consent')} (notice {payload.consent_version})",
        ),
        ("Reçue le", _when(payload, "created")),
    ]
    if payload.source:
        rows.append(("Source", payload.source))
    return rows


def text_body(payload: RequestPayload) -> str:
    what, contact = _sections(payload)
    lines = [
        f"Nouvelle demande : {payload.offer_label}",
        f"De : {_who(payload)}",
        f"Référence : {payload.ref}",
        "",
        "— La demande —",
        *(f"{label} : {value}" for label, value in what),
        "",
        "— Contact —",
        *(f"{label} : {value}" for label, value in contact),
        "",
        *(f"{label} : {value}" for label, value in _footer(payload)),
        "",
        "Répondre à ce message écrit directement à la personne.",
    ]
    return "\n".join(lines) + "\n"


def _rows(rows: list[tuple[str, str]]) -> str:
    cell = 'style="padding:2px 12px 2px 0;vertical-align:top;color:#555"'
    return "".join(
        f"<tr><td {cell}>{html.escape(label)}</td>"
        f'<td style="padding:2px 0">{html.escape(value).replace(chr(10), "<br>")}</td></tr>'
        for label, value in rows
    )


def html_body(payload: RequestPayload) -> str:
    what, contact = _sections(payload)
    e = html.escape
    return (
        '<!DOCTYPE html><html lang="fr"><body style="font-family:sans-serif;font-size:15px">'
        f'<h2 style="margin:0 0 4px">{e(payload.offer_label)}</h2>'
        f'<p style="margin:0 0 12px"><strong>{e(_who(payload))}</strong>'
        f" · référence <code>{e(payload.ref)}</code></p>"
        '<h3 style="margin:12px 0 4px">La demande</h3>'
        f"<table>{_rows(what)}</table>"
        '<h3 style="margin:12px 0 4px">Contact</h3>'
        f"<table>{_rows(contact)}</table>"
        f'<p style="color:#555"><small><table>{_rows(_footer(payload))}</table></small></p>'
        "<p><small>Répondre à ce message écrit directement à la personne.</small></p>"
        "</body></html>"
    )


def message_id(ref: str, mail_from: str) -> str:
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "pat-bot.invalid"
    return f"<{ref}@{header_safe(domain, 200)}>"


def compose(payload: RequestPayload, mail_from: str, mail_to: str) -> EmailMessage:
    """The complete e-mail for one request."""
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = subject(payload)
    msg["From"] = mail_from
    msg["To"] = mail_to
    email = payload.value("email")
    if email:
        username, _, domain = email.rpartition("@")
        name = header_safe(payload.value("name") or "", 80)
        msg["Reply-To"] = Address(display_name=name, username=username, domain=domain)
    msg["Date"] = format_datetime(payload.created_at)
    msg["Message-ID"] = message_id(payload.ref, mail_from)
    msg["X-PAT-Reference"] = payload.ref
    msg["X-PAT-Offer"] = payload.offer
    msg["X-PAT-Language"] = payload.locale
    msg.set_content(text_body(payload))
    msg.add_alternative(html_body(payload), subtype="html")
    msg.add_attachment(
        payload.model_dump_json(indent=2).encode("utf-8"),
        maintype="application",
        subtype="json",
        filename=f"{payload.ref}.json",
    )
    return msg
