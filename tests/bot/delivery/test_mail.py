"""The e-mail to PAT staff parses with Python's email package and carries every field."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

import html5lib
import pytest

from bot.delivery.mail import banner, compose, header_safe, subject
from storage.models import PayloadField, RequestPayload

WHEN = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)


def payload(**overrides: object) -> RequestPayload:
    fields = [
        PayloadField(
            key="organisation", label="Organisation", value="ASBL Soleil", raw="ASBL Soleil"
        ),
        PayloadField(key="sector", label="Secteur", value="Santé mentale", raw="mental_health"),
        PayloadField(key="region", label="Région", value="Bruxelles", raw="brussels"),
        PayloadField(
            key="stage", label="Où en est l'équipe", value="Nous découvrons l'idée", raw="exploring"
        ),
        PayloadField(
            key="concerns",
            label="Questions de l'équipe",
            value="Le risque de rechute, Sa place dans l'équipe",
            raw=["relapse", "place"],
        ),
        PayloadField(key="name", label="Nom", value="Zoë Müller", raw="Zoë Müller"),
        PayloadField(key="role", label="Fonction", value="coordinatrice", raw="coordinatrice"),
        PayloadField(key="email", label="E-mail", value="zoe@example.be", raw="zoe@example.be"),
        PayloadField(
            key="phone", label="Téléphone", value="+32 470 12 34 56", raw="+32 470 12 34 56"
        ),
    ]
    data: dict[str, object] = dict(
        ref="R-261122-AB3C",
        offer="accompaniment",
        offer_label="Accompagnement",
        created_at=WHEN,
        locale="fr",
        locale_label="français",
        fields=fields,
        faq_read=["relapse"],
        faq_read_labels=["Et s'il ou elle rechute ?"],
        consent_version="2026-11-v1",
        consent_at=WHEN,
        source="src_flyer2026",
    )
    data.update(overrides)
    return RequestPayload.model_validate(data)


def parse(raw: bytes) -> EmailMessage:
    parsed = message_from_bytes(raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_subject_sorts_well_and_names_offer_region_organisation_reference() -> None:
    assert subject(payload()) == (
        "[PAT][FR] Accompagnement · Bruxelles · ASBL Soleil · Zoë Müller · #R-261122-AB3C"
    )
    # The commune, when given, is more precise than the region; its postal code is in the body.
    assert subject(payload(locale="nl", commune="Liège (4000)", region_label="Wallonie")) == (
        "[PAT][NL] Accompagnement · Liège · ASBL Soleil · Zoë Müller · #R-261122-AB3C"
    )


def test_composed_mail_parses_and_carries_every_field() -> None:
    p = payload()
    mail = parse(compose(p, "Robot PAT <noreply@smes.be>", "pat@smes.be"))
    assert mail["To"] == "pat@smes.be"
    assert mail["Subject"] == subject(p)
    assert mail["Message-ID"] == "<R-261122-AB3C@smes.be>"
    assert mail["Reply-To"].addresses[0].addr_spec == "zoe@example.be"
    assert mail["Reply-To"].addresses[0].display_name == "Zoë Müller"
    text = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert text is not None and html is not None
    plain = text.get_content().replace("\r\n", "\n")
    markup = html.get_content()
    assert plain.startswith(
        ">> Répondre en français, par e-mail (répondre à ce message).\n\n"
        "Nouvelle demande : Accompagnement\nDe : Zoë Müller (coordinatrice,"
    )
    for f in p.fields:
        assert f"{f.label} : {f.value}" in plain
        assert f.value.replace("'", "&#x27;") in markup
    for expected in (
        "R-261122-AB3C",
        "français",
        "Et s'il ou elle rechute ?",
        "2026-11-v1",
        "22 novembre 2026 à 11:30",
        "src_flyer2026",
    ):
        assert expected in plain
    attachments = list(mail.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["R-261122-AB3C.json"]
    content = attachments[0].get_content()
    data = json.loads(content if isinstance(content, str) else content.decode())
    assert data["ref"] == "R-261122-AB3C"
    assert {f["key"] for f in data["fields"]} == {f.key for f in p.fields}
    assert data["fields"][4]["raw"] == ["relapse", "place"]


def test_typed_text_cannot_inject_headers_or_html() -> None:
    evil = "ASBL\r\nBcc: victim@example.com\n<script>alert(1)</script>"
    fields = [
        PayloadField(key="organisation", label="Organisation", value=evil, raw=evil),
        PayloadField(key="name", label="Nom", value="Eve\r\nX-Evil: 1", raw="Eve\r\nX-Evil: 1"),
        PayloadField(key="email", label="E-mail", value="eve@example.be", raw="eve@example.be"),
    ]
    raw = compose(payload(fields=fields), "noreply@smes.be", "pat@smes.be")
    mail = message_from_bytes(raw, policy=policy.default)
    assert mail["Bcc"] is None and mail["X-Evil"] is None
    assert "\n" not in str(mail["Subject"]) and "\r" not in str(mail["Subject"])
    html = mail.get_body(("html",))
    assert html is not None and "<script>" not in html.get_content()
    assert "&lt;script&gt;" in html.get_content()


def test_long_and_non_ascii_header_values_are_bounded_and_encoded() -> None:
    long_org = "Association des pair-aidant·e·s " * 10
    fields = [
        PayloadField(key="organisation", label="Organisation", value=long_org, raw=long_org.strip())
    ]
    raw = compose(payload(fields=fields), "noreply@smes.be", "pat@smes.be")
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert b"=?utf-8?" in raw.split(b"\r\n\r\n", 1)[0]  # RFC 2047 encoded words
    assert len(header_safe(long_org)) == 60
    parsed = message_from_bytes(raw, policy=policy.default)
    assert "pair-aidant·e·s" in str(parsed["Subject"])


def test_internationalised_addresses_never_break_the_reply_to_header() -> None:
    def reply_to(address: str) -> str | None:
        fields = [PayloadField(key="email", label="E-mail", value=address, raw=address)]
        mail = parse(compose(payload(fields=fields), "noreply@smes.be", "pat@smes.be"))
        header = mail["Reply-To"]
        return None if header is None else str(header.addresses[0].addr_spec)

    assert reply_to("zoe@exämple.be") == "zoe@xn--exmple-cua.be"
    # A non-ASCII local part needs SMTPUTF8: the address is then in the body only.
    fields = [PayloadField(key="email", label="E-mail", value="zoë@example.be", raw="zoë@x.be")]
    mail = parse(compose(payload(fields=fields), "noreply@smes.be", "pat@smes.be"))
    assert mail["Reply-To"] is None
    text = mail.get_body(("plain",))
    assert text is not None and "E-mail : zoë@example.be" in text.get_content()


def test_every_line_is_short_and_the_body_is_readable_when_opened_raw() -> None:
    raw = compose(payload(), "noreply@smes.be", "pat@smes.be")
    body = raw.split(b"\r\n\r\n", 1)[1]
    assert all(len(line) <= 78 for line in body.split(b"\r\n"))
    assert b"Content-Transfer-Encoding: quoted-printable" in raw
    assert b"Nouvelle demande : Accompagnement" in raw


def test_typed_text_cannot_forge_a_mime_boundary() -> None:
    forged = "x\n--=_pat_mixed_\n--=_pat_alt_\nContent-Type: text/html\n\n<b>forged</b>"
    fields = [PayloadField(key="organisation", label="Organisation", value=forged, raw=forged)]
    mail = parse(compose(payload(fields=fields), "noreply@smes.be", "pat@smes.be"))
    parts = [part.get_content_type() for part in mail.walk()]
    assert parts == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "application/json",
    ]
    text = mail.get_body(("plain",))
    assert text is not None and "--=_pat_alt_" in text.get_content()


def test_sender_names_are_encoded_and_no_bare_line_break_is_sent() -> None:
    odd = "ligne 1\rligne 2\r\nligne 3"
    fields = [PayloadField(key="message", label="Message", value=odd, raw=odd)]
    raw = compose(payload(fields=fields), "Robot PAT — Smes <noreply@smes.be>", "pat@smes.be")
    assert re.search(rb"\r(?!\n)|(?<!\r)\n", raw) is None  # SMTP wants CRLF, nothing else
    mail = parse(raw)
    sender = mail["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == ("Robot PAT — Smes", "noreply@smes.be")
    text = mail.get_body(("plain",))
    assert text is not None
    assert "Message : ligne 1\nligne 2\nligne 3" in text.get_content().replace("\r\n", "\n")


def html_errors(markup: str) -> list[str]:
    """Every parse error of the WHATWG HTML5 algorithm (html5lib), with its position."""
    parser = html5lib.HTMLParser(strict=False)
    parser.parse(markup)
    return [f"{pos}: {code} {data}" for pos, code, data in parser.errors]


def test_the_html_is_valid_html5_with_a_banner_and_links() -> None:
    fields = [
        *payload().fields,
        PayloadField(
            key="contact_pref", label="Contact préféré", value="Par téléphone", raw="phone"
        ),
    ]
    p = payload(fields=fields, locale="nl", locale_label="néerlandais")
    mail = parse(compose(p, "Robot PAT <noreply@smes.be>", "pat@smes.be"))
    html = mail.get_body(("html",))
    assert html is not None
    markup = html.get_content()
    assert html_errors(markup) == []
    # The check sees what the footer used to be (a table inside <p><small>):
    old = "<p><small><table><tr><td>x</td></tr></table></small></p>"
    assert html_errors(markup.replace("</body>", old + "</body>")) != []
    assert markup.startswith("<!DOCTYPE html>")
    banner_at = markup.index("Répondre en néerlandais, par téléphone (+32 470 12 34 56).")
    assert banner_at < markup.index("<h2")  # the first thing staff read
    assert '<a href="mailto:zoe@example.be">zoe@example.be</a>' in markup
    assert '<a href="tel:+32470123456">+32 470 12 34 56</a>' in markup
    text = mail.get_body(("plain",))
    assert text is not None
    assert text.get_content().startswith(">> Répondre en néerlandais, par téléphone (+32 470")


@pytest.mark.parametrize(
    ("pref", "said"),
    [
        ("email", "par e-mail (répondre à ce message)"),
        ("either", "par e-mail ou par téléphone (+32 470 12 34 56)"),
        (None, "par e-mail (répondre à ce message)"),
    ],
)
def test_the_banner_says_how_to_answer(pref: str | None, said: str) -> None:
    fields = list(payload().fields)
    if pref:
        fields.append(PayloadField(key="contact_pref", label="Contact", value=pref, raw=pref))
    assert banner(payload(fields=fields)) == f"Répondre en français, {said}."


def test_staff_see_who_wrote_in_the_subject_and_can_grep_it() -> None:
    raw = compose(payload(), "Robot PAT <noreply@smes.be>", "pat@smes.be")
    headers = raw.split(b"\r\n\r\n", 1)[0]
    # Only the words that need it are encoded: the tag, the offer and the reference stay plain.
    assert b"Subject: [PAT][FR] Accompagnement" in headers
    assert b"#R-261122-AB3C" in headers
    mail = parse(raw)
    assert "Zoë Müller" in str(mail["Subject"])
    assert str(mail["From"]) == "Robot PAT <noreply@smes.be>"
    assert mail["X-PAT-Offer"] == "accompaniment"


@pytest.mark.parametrize(
    "name",
    [
        "PAT Direction <direction@smes.be>",
        '"Smes" <x@smes.be>',
        "Direction PAT ＜direction＠smes.be＞",  # full-width look-alikes
        "Direction PAT",
    ],
)
def test_a_typed_name_never_stands_as_the_sender(name: str) -> None:
    """Found by a hostile tester: the name went into From's display name, so « "PAT Direction
    <x@smes.be> via Robot PAT" » was possible. From is the robot alone; in Reply-To the name
    keeps no < > @ " that would make it look like another address."""
    fields = [f for f in payload().fields if f.key != "name"]
    fields.append(PayloadField(key="name", label="Nom", value=name, raw=name))
    raw = compose(payload(fields=fields), "Robot PAT <noreply@smes.be>", "pat@smes.be")
    mail = parse(raw)
    (sender,) = mail["From"].addresses
    assert (sender.display_name, sender.addr_spec) == ("Robot PAT", "noreply@smes.be")
    (reply,) = mail["Reply-To"].addresses
    assert reply.addr_spec == "zoe@example.be"
    assert not set(reply.display_name) & set('<>@"＜＞＠'), reply.display_name
    assert "Direction" in reply.display_name or "Smes" in reply.display_name
    text = mail.get_body(("plain",))
    assert text is not None and f"Nom : {name}" in text.get_content()  # staff see it as typed


def test_channel_username_commune_and_schema_version_reach_mail_and_json() -> None:
    p = payload(
        schema_version=2,
        channel="telegram",
        telegram_username="zoe_m",
        commune="Liège (4000)",
        region="wallonia",
        region_label="Wallonie",
        fields=[f for f in payload().fields if f.key != "region"],
    )
    mail = parse(compose(p, "Robot PAT <noreply@smes.be>", "pat@smes.be"))
    text = mail.get_body(("plain",))
    assert text is not None
    plain = text.get_content()
    assert "Canal : Telegram (@zoe_m)" in plain
    assert "Région : Wallonie" in plain  # from the commune
    assert mail["X-PAT-Region"] == "wallonia"
    (attachment,) = mail.iter_attachments()
    content = attachment.get_content()
    data = json.loads(content if isinstance(content, str) else content.decode())
    assert data["schema_version"] == 2
    assert (data["channel"], data["telegram_username"]) == ("telegram", "zoe_m")
    assert (data["commune"], data["region"]) == ("Liège (4000)", "wallonia")


def test_a_stored_version_1_payload_still_composes() -> None:
    old = payload().model_dump(mode="json")
    for key in ("schema_version", "channel", "telegram_username", "commune", "region"):
        old.pop(key, None)
    p = RequestPayload.model_validate(old)
    assert p.schema_version == 1
    assert "Bruxelles" in subject(p)  # the region field, as before
    assert b"Canal : inconnu" in compose(p, "noreply@smes.be", "pat@smes.be")


def test_a_phone_not_given_is_not_a_link() -> None:
    """Seen on the rendered "other" e-mail: « (pas de réponse) » was a tel: link."""
    fields = [
        f if f.key != "phone" else f.model_copy(update={"value": "(pas de réponse)", "raw": ""})
        for f in payload().fields
    ]
    mail = parse(compose(payload(fields=fields), "Robot PAT <noreply@smes.be>", "pat@smes.be"))
    html = mail.get_body(("html",))
    assert html is not None
    markup = html.get_content()
    assert "(pas de réponse)" in markup and 'href="tel:' not in markup
