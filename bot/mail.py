"""The e-mail PAT staff receive for each request.

Always in French (staff read French; the person's language is stated so staff answer in it).
Plain-text and HTML bodies laid out for a quick read, ``Reply-To`` the person, a JSON attachment
with the same data for filing, and a ``Message-ID`` derived from the reference so that a resend
is recognisable. Every value a person typed is sanitised before it reaches a header and escaped
before it reaches HTML.

The MIME skeleton (mixed: alternative text and HTML, then the JSON) is written here, with the
standard library's encoders for everything a person typed: RFC 2047 words for headers, quoted-
printable and base64 for bodies, ``formataddr`` for addresses. The ``email`` package's
generator did the same at ten times the cost, and a request's e-mail is composed before its
transaction commits (bench/README.md). Every test parses the result back with that package.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import secrets
import unicodedata
from email.charset import BASE64, Charset
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr

from bot.i18n import BRUSSELS, long_date
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
    value = (payload.created_at if which == "created" else payload.consent_at).astimezone(BRUSSELS)
    return f"{long_date(value.date(), 'fr')} à {value:%H:%M}"


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


_CRLF = "\r\n"
_SUBJECT_CHARSET = Charset("utf-8")
_SUBJECT_CHARSET.header_encoding = BASE64  # encoded words split by length, not per character


def _header(name: str, value: str) -> str:
    """One header line: ASCII folded at spaces if long, anything else as RFC 2047 words."""
    value = _UNSAFE.sub(" ", value)
    if value.isascii() and len(name) + len(value) + 2 <= 78:
        return f"{name}: {value}"
    charset = "us-ascii" if value.isascii() else _SUBJECT_CHARSET
    return f"{name}: {Header(value, charset, header_name=name).encode(linesep=_CRLF)}"


def _address(name: str, value: str) -> str:
    """An address header: only the display name is ever encoded, never the address."""
    display, address = parseaddr(value)
    return f"{name}: {formataddr((display, address), charset='utf-8')}"


def _quoted_printable(text: str) -> str:
    """UTF-8 quoted-printable with CRLF line ends: readable in a raw .eml, lines ≤ 76 bytes."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    encoded = binascii.b2a_qp(text.encode("utf-8"), istext=True).decode("ascii")
    return encoded.replace("\n", _CRLF)


def _base64(data: bytes) -> str:
    return base64.encodebytes(data).decode("ascii").replace("\n", _CRLF)


def reply_to(payload: RequestPayload) -> str | None:
    """``Name <address>`` for replying, or None when the address cannot go in a header.

    An internationalised domain is written in its ASCII (IDNA) form; a local part with
    non-ASCII letters needs SMTPUTF8, which PAT's mail server may not offer, so the address
    then appears in the body only.
    """
    address = payload.value("email")
    if not address:
        return None
    local, _, domain = address.rpartition("@")
    if not local.isascii() or _UNSAFE.search(address):
        return None
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    name = header_safe(payload.value("name") or "", 80)
    return formataddr((name, f"{local}@{domain}"), charset="utf-8")


def compose(payload: RequestPayload, mail_from: str, mail_to: str) -> bytes:
    """The complete e-mail for one request, as the bytes an SMTP server receives."""
    # Boundaries start with "=_", which neither quoted-printable nor base64 output can contain.
    token = secrets.token_hex(8)
    mixed, alternative = f"=_pat_mixed_{token}", f"=_pat_alt_{token}"
    headers = [
        "MIME-Version: 1.0",
        f'Content-Type: multipart/mixed; boundary="{mixed}"',
        _header("Subject", subject(payload)),
        _address("From", mail_from),
        _address("To", mail_to),
    ]
    reply = reply_to(payload)
    if reply:
        headers.append(f"Reply-To: {reply}")
    headers += [
        f"Date: {format_datetime(payload.created_at)}",
        _header("Message-ID", message_id(payload.ref, mail_from)),
        f"X-PAT-Reference: {payload.ref}",
        _header("X-PAT-Offer", payload.offer),
        _header("X-PAT-Language", payload.locale),
    ]
    text = 'Content-Type: text/{}; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable'
    data = payload.model_dump_json(indent=2).encode("utf-8")
    lines = [
        *headers,
        "",
        f"--{mixed}",
        f'Content-Type: multipart/alternative; boundary="{alternative}"',
        "",
        f"--{alternative}",
        text.format("plain"),
        "",
        _quoted_printable(text_body(payload)),
        f"--{alternative}",
        text.format("html"),
        "",
        _quoted_printable(html_body(payload)),
        f"--{alternative}--",
        "",
        f"--{mixed}",
        "Content-Type: application/json",
        "Content-Transfer-Encoding: base64",
        f'Content-Disposition: attachment; filename="{payload.ref}.json"',
        "",
        _base64(data),
        f"--{mixed}--",
        "",
    ]
    return _CRLF.join(lines).encode("ascii")
