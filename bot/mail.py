"""The e-mail PAT staff receive for each request.

Always in French (staff read French; the person's language is stated so staff answer in it).
Plain-text and HTML bodies laid out for a quick read, ``Reply-To`` the person, a JSON attachment
with the same data for filing, and a ``Message-ID`` derived from the reference so that a resend
is recognisable. Every value a person typed is sanitised before it reaches a header and escaped
before it reaches HTML.

Built with ``email.mime`` and the ``compat32`` policy: the same standard library, about three
times cheaper per request than ``EmailMessage`` with the modern header registry, which mattered
because a request's e-mail is composed before its transaction commits (see bench/README.md).
"""

from __future__ import annotations

import html
import re
import secrets
import unicodedata
from email import charset as _charset
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.policy import Compat32
from email.utils import format_datetime, formataddr, parseaddr
from typing import Any

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


def _utf8(header: int, body: int) -> _charset.Charset:
    cs = _charset.Charset("utf-8")
    cs.header_encoding, cs.body_encoding = header, body
    return cs


class _Policy(Compat32):
    """compat32 with CRLF line ends, and plain short ASCII headers written as they are.

    Most headers of this message (content types, dates, references) are short ASCII lines;
    compat32 would still run each through the RFC 2047 ``Header`` folder.
    """

    def fold_binary(self, name: str, value: Any) -> bytes:
        if (
            isinstance(value, str)
            and value.isascii()
            and len(name) + len(value) + 2 <= 78
            and not _UNSAFE.search(value)
        ):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


_POLICY = _Policy(linesep="\r\n")
# Bodies in quoted-printable (readable in a raw .eml, lines of at most 76 bytes); the subject
# in base64 words, which split by length without measuring each character.
_UTF8 = _utf8(_charset.QP, _charset.QP)
_UTF8_HEADER = _utf8(_charset.BASE64, _charset.QP)


def _text(body: str, subtype: str) -> MIMENonMultipart:
    part = MIMENonMultipart("text", subtype, policy=_POLICY)
    part.set_payload(body, _UTF8)
    return part


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
    # Boundaries start with "=_", which neither quoted-printable nor base64 output can contain;
    # the generator would otherwise compile a regular expression per part to choose one.
    token = secrets.token_hex(8)
    msg = MIMEMultipart("mixed", boundary=f"=_pat_mixed_{token}", policy=_POLICY)
    # compat32 folds a Header into RFC 2047 words; typeshed only lists str here.
    msg["Subject"] = Header(subject(payload), _UTF8_HEADER)  # type: ignore[assignment]
    msg["From"] = mail_from
    msg["To"] = mail_to
    reply = reply_to(payload)
    if reply:
        msg["Reply-To"] = reply
    msg["Date"] = format_datetime(payload.created_at)
    msg["Message-ID"] = message_id(payload.ref, mail_from)
    msg["X-PAT-Reference"] = payload.ref
    msg["X-PAT-Offer"] = payload.offer
    msg["X-PAT-Language"] = payload.locale
    bodies = MIMEMultipart("alternative", boundary=f"=_pat_alt_{token}", policy=_POLICY)
    bodies.attach(_text(text_body(payload), "plain"))
    bodies.attach(_text(html_body(payload), "html"))
    msg.attach(bodies)
    data = MIMEApplication(
        payload.model_dump_json(indent=2).encode("utf-8"), "json", policy=_POLICY
    )
    data.add_header("Content-Disposition", "attachment", filename=f"{payload.ref}.json")
    msg.attach(data)
    return msg.as_bytes(policy=_POLICY)
