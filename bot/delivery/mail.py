"""The e-mail PAT staff receive for each request.

Always in French (staff read French; the person's language is stated so staff answer in it).
Sent ``From`` the robot (``PAT_MAIL_FROM``) alone, never in the person's name, which could pass
for someone else's. Plain-text and HTML bodies laid out for a quick read, ``Reply-To`` the
person, a JSON attachment with the same data for filing, and a ``Message-ID`` derived from the
reference so that a resend is recognisable. Every value a person typed is sanitised before it
reaches a header and escaped before it reaches HTML.

Built with the standard library's ``EmailMessage`` (text, HTML alternative, JSON attachment),
whose tested encoders handle every character a person may type.
"""

from __future__ import annotations

import html
import re
import unicodedata
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr

from bot.channels.registry import named
from bot.conversation.i18n import BRUSSELS, long_date
from storage.models import RequestPayload

CONTACT_KEYS = ("name", "organisation", "role", "email", "phone", "contact_pref")
_HEADER_PART_MAX = 60
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
_ADDRESS_LIKE = re.compile(r'[<>@"]')


def header_safe(value: str, limit: int = _HEADER_PART_MAX) -> str:
    """One line, no control characters, folded spaces, at most ``limit`` characters."""
    value = unicodedata.normalize("NFC", value)
    value = " ".join(_UNSAFE.sub(" ", value).split())
    if len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return value


def _place(payload: RequestPayload) -> str | None:
    """The commune without its postal code, or the region."""
    if payload.commune:
        return re.sub(r" \(\d{4}\)$", "", payload.commune) or payload.commune
    return payload.region_label or payload.label_of("region")  # version 1: the field only


def subject(payload: RequestPayload) -> str:
    """``[PAT][NL] Accompagnement · Liège · Le Méridien · Anne Lemaire · #R-…``: a mailbox
    sorted by subject groups offers, then places. Only the words that need it are encoded."""
    parts = [payload.offer_label, _place(payload), payload.value("organisation")]
    parts.append(payload.value("name"))
    shown = [header_safe(p) for p in parts if p]
    return f"[PAT][{payload.locale.upper()}] " + " · ".join([*shown, f"#{payload.ref}"])


def display_name(name: str) -> str:
    """A typed name as a header's display name that cannot pass for an address: without
    ``< > @ "`` (and their full-width forms, folded by NFKC), one line, 80 characters."""
    plain = _ADDRESS_LIKE.sub(" ", unicodedata.normalize("NFKC", name))
    return header_safe(plain, 80)


def _when(payload: RequestPayload, which: str) -> str:
    value = (payload.created_at if which == "created" else payload.consent_at).astimezone(BRUSSELS)
    return f"{long_date(value.date(), 'fr')} à {value:%H:%M}"


def _who(payload: RequestPayload) -> str:
    name = payload.value("name") or "(sans nom)"
    extra = [v for v in (payload.value("role"), payload.value("organisation")) if v]
    return f"{name} ({', '.join(extra)})" if extra else name


def _preferred(payload: RequestPayload) -> str:
    """How to answer: by e-mail unless the person gave a phone number and preferred it."""
    phone = payload.value("phone")
    choice = payload.value("contact_pref")
    if phone and choice == "phone":
        return f"par téléphone ({phone})"
    if phone and choice == "either":
        return f"par e-mail ou par téléphone ({phone})"
    if choice == "chat":  # bot/staff/handoff.py: the card in PAT's staff chat has the button
        return "dans le chat (bouton « Répondre dans le chat » de la carte envoyée à l'équipe)"
    return "par e-mail (répondre à ce message)"


def banner(payload: RequestPayload) -> str:
    """The first thing staff read: the language to answer in and the way to answer."""
    return f"Répondre en {payload.locale_label}, {_preferred(payload)}."


def _sections(payload: RequestPayload) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    what = [(f.label, f.value) for f in payload.fields if f.key not in CONTACT_KEYS]
    if payload.region_label and not any(f.key == "region" for f in payload.fields):
        what.append(("Région", payload.region_label))  # from the commune
    contact = [(f.label, f.value) for f in payload.fields if f.key in CONTACT_KEYS]
    return what, contact


def _footer(payload: RequestPayload) -> list[tuple[str, str]]:
    channel = named(payload.channel).mail_label if payload.channel else "inconnu"
    if payload.telegram_username:
        channel += f" (@{payload.telegram_username})"
    rows = [
        ("Canal", channel),
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
        f">> {banner(payload)}",
        "",
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


_LABEL_CELL = 'style="padding:2px 12px 2px 0;vertical-align:top;color:#555"'


def _cell(key: str, value: str) -> str:
    """A value, escaped, with e-mail addresses and phone numbers as links."""
    shown = html.escape(value).replace("\n", "<br>")
    if key == "email" and "@" in value:
        return f'<a href="mailto:{html.escape(value, quote=True)}">{shown}</a>'
    number = re.sub(r"[^\d+]", "", value)
    if key == "phone" and re.search(r"\d", number):  # not « (pas de réponse) »
        return f'<a href="tel:{number}">{shown}</a>'
    return shown


def _table(rows: list[tuple[str, str, str]], style: str = "") -> str:
    body = "".join(
        f"<tr><td {_LABEL_CELL}>{html.escape(label)}</td>"
        f'<td style="padding:2px 0">{_cell(key, value)}</td></tr>'
        for key, label, value in rows
    )
    return f'<table style="border-collapse:collapse{style}">{body}</table>'


def html_body(payload: RequestPayload) -> str:
    """Valid HTML5 (checked by the tests with an HTML5 parser), laid out for a quick read."""
    e = html.escape
    what = [("", label, value) for label, value in _sections(payload)[0]]
    contact = [(f.key, f.label, f.value) for f in payload.fields if f.key in CONTACT_KEYS]
    footer = [("", label, value) for label, value in _footer(payload)]
    return (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
        f"<title>{e(subject(payload))}</title></head>"
        '<body style="font-family:sans-serif;font-size:15px;color:#222">'
        '<p style="margin:0 0 14px;padding:8px 12px;background:#fff4d6;'
        f'border-left:4px solid #d9a400"><strong>{e(banner(payload))}</strong></p>'
        f'<h2 style="margin:0 0 4px">{e(payload.offer_label)}</h2>'
        f'<p style="margin:0 0 12px"><strong>{e(_who(payload))}</strong>'
        f" · référence <code>{e(payload.ref)}</code></p>"
        '<h3 style="margin:12px 0 4px">La demande</h3>'
        f"{_table(what)}"
        '<h3 style="margin:12px 0 4px">Contact</h3>'
        f"{_table(contact)}"
        f'<div style="margin-top:16px;font-size:13px;color:#555">{_table(footer)}'
        "<p>Répondre à ce message écrit directement à la personne.</p></div>"
        "</body></html>"
    )


def message_id(ref: str, mail_from: str) -> str:
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "pat-bot.invalid"
    return f"<{ref}@{header_safe(domain, 200)}>"


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
    name = display_name(payload.value("name") or "")
    return str(Address(display_name=name, addr_spec=f"{local}@{domain}"))


def compose(payload: RequestPayload, mail_from: str, mail_to: str) -> bytes:
    """The complete e-mail for one request, as the bytes an SMTP server receives."""
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = subject(payload)
    # The robot alone: a name a person typed never stands where mail clients show the sender
    # (it is in the Subject, the body and the Reply-To).
    msg["From"] = mail_from
    msg["To"] = mail_to
    reply = reply_to(payload)
    if reply:
        msg["Reply-To"] = reply
    msg["Date"] = format_datetime(payload.created_at)
    msg["Message-ID"] = message_id(payload.ref, mail_from)
    msg["X-PAT-Reference"] = payload.ref
    msg["X-PAT-Offer"] = header_safe(payload.offer)
    msg["X-PAT-Language"] = header_safe(payload.locale)
    if payload.region:
        msg["X-PAT-Region"] = header_safe(payload.region)
    msg.set_content(text_body(payload), cte="quoted-printable")
    msg.add_alternative(html_body(payload), subtype="html", cte="quoted-printable")
    msg.add_attachment(
        payload.model_dump_json(indent=2).encode("utf-8"),
        maintype="application",
        subtype="json",
        filename=f"{payload.ref}.json",
    )
    return msg.as_bytes()
