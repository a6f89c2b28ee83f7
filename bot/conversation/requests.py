"""A finished request as staff receive it: its reference, its fields labelled in French, and
the fingerprint that stores the same request sent twice only once.

The conversation service builds it when a person confirms; storage keeps it
(storage/conversations.py), the outbox sends it (bot/delivery/), composed as an e-mail by
bot/delivery/mail.py.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from datetime import datetime

from babel import Locale

from bot.channels.registry import channel_of
from bot.conversation.i18n import Translator
from flows import places
from flows.engine import Field, Submit
from storage.conversations import NewRequest
from storage.models import PAYLOAD_SCHEMA_VERSION, PayloadField, RequestPayload

_REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read aloud


def draw_ref(now: datetime) -> str:
    """A new reference, « R-261206-K7QM »: the day, and four characters easy to read aloud."""
    return f"R-{now:%y%m%d}-" + "".join(secrets.choice(_REF_ALPHABET) for _ in range(4))


def new_request(
    chat_key: str,
    submit: Submit,
    ref: str,
    now: datetime,
    fr: Translator,
    topic_labels: Mapping[str, str],
    username: str | None,
) -> NewRequest:
    """The request to store: what staff receive, and who asked what (the fingerprint)."""
    payload = request_payload(
        submit,
        ref,
        now,
        fr,
        topic_labels,
        channel=channel_of(chat_key).name or None,
        telegram_username=username,
    )
    who_what = json.dumps([chat_key, submit.offer, dict(submit.answers)], sort_keys=True)
    return NewRequest(payload, hashlib.sha256(who_what.encode("utf-8")).hexdigest())


# The region as staff read it; a commune of Flanders says where it is rather than "Ailleurs".
_REGION_FROM_COMMUNE = {"brussels": "Bruxelles", "wallonia": "Wallonie", "elsewhere": "Flandre"}


def request_payload(
    submit: Submit,
    ref: str,
    now: datetime,
    fr: Translator,
    topic_labels: Mapping[str, str],
    *,
    channel: str | None = None,
    telegram_username: str | None = None,
) -> RequestPayload:
    """Everything staff receive about one request, labelled in French."""
    fields = [_payload_field(f, fr) for f in submit.fields]
    commune = next((f.raw for f in fields if f.key == "commune" and isinstance(f.raw, str)), "")
    asked = next(
        (f for f in fields if f.key == "region" and isinstance(f.raw, str) and f.raw), None
    )
    region: str | None = places.region_of(submit.answers)
    region_label: str | None
    if asked is not None:
        region_label = asked.value
    else:
        region_label = _REGION_FROM_COMMUNE[region] if region else None
    return RequestPayload(
        schema_version=PAYLOAD_SCHEMA_VERSION,
        ref=ref,
        offer=submit.offer,
        offer_label=fr.render(submit.offer_title),
        created_at=now,
        locale=submit.locale,
        locale_label=Locale.parse(submit.locale).get_display_name("fr") or submit.locale,
        fields=fields,
        faq_read=list(submit.faq_read),
        faq_read_labels=[topic_labels.get(t, t) for t in submit.faq_read],
        consent_version=submit.consent_version,
        consent_at=submit.consent_at,
        source=submit.source,
        channel=channel,
        telegram_username=telegram_username,
        commune=commune or None,
        region=region,
        region_label=region_label,
    )


def _payload_field(f: Field, fr: Translator) -> PayloadField:
    """One answer as staff read it: its label and value in French, and the raw answer."""
    value = f.value
    if isinstance(value, tuple):
        shown = ", ".join(fr.render(v) for v in value)
    elif isinstance(value, str):
        shown = value
    else:
        shown = fr.render(value)
    raw = list(f.raw) if isinstance(f.raw, tuple) else f.raw
    return PayloadField(key=f.key, label=fr.render(f.label), value=shown, raw=raw)
