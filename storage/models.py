"""Pydantic models that storage returns and the mail composer reads."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

RequestStatus = Literal["pending", "delivered", "failed"]


class PayloadField(BaseModel):
    """One answer, labelled in French for staff, with the raw value for filing."""

    key: str
    label: str
    value: str
    raw: str | list[str]


PAYLOAD_SCHEMA_VERSION = 2  # 2: channel, Telegram username, commune and region


class RequestPayload(BaseModel):
    """Everything PAT staff receive about one request (also the JSON attachment)."""

    # Version 1 (before December 2026) had no schema_version and none of the fields marked 2.
    schema_version: int = 1
    ref: str
    offer: str
    offer_label: str
    created_at: datetime
    locale: str
    locale_label: str
    fields: list[PayloadField]
    faq_read: list[str] = Field(default_factory=list)
    faq_read_labels: list[str] = Field(default_factory=list)
    consent_version: str
    consent_at: datetime
    source: str | None = None
    channel: str | None = None  # 2: telegram, terminal or web
    telegram_username: str | None = None  # 2: when the person has one (told at consent)
    commune: str | None = None  # 2: "Liège (4000)", when given
    region: str | None = None  # 2: brussels, wallonia or elsewhere, asked or from the commune
    region_label: str | None = None  # 2: Bruxelles, Wallonie, Flandre, Ailleurs

    def value(self, key: str) -> str | None:
        for f in self.fields:
            if f.key == key and isinstance(f.raw, str) and f.raw:
                return f.raw
        return None

    def label_of(self, key: str) -> str | None:
        for f in self.fields:
            if f.key == key and f.raw:
                return f.value
        return None


class RequestRecord(BaseModel):
    """A stored request and its delivery status."""

    ref: str
    chat_key: str
    offer: str
    locale: str
    created_at: datetime
    status: RequestStatus
    attempts: int
    last_error: str | None
    delivered_at: datetime | None
    next_attempt_at: datetime | None = None
    lease_until: datetime | None = None  # a process is sending it until then
    person_told: RequestStatus | None = None
    anonymised_at: datetime | None = None
    payload: RequestPayload | None  # None once anonymised


class Delivery(BaseModel):
    """What the delivery worker needs to know about a request (no personal data, no e-mail)."""

    ref: str
    chat_key: str
    locale: str
    status: RequestStatus
    attempts: int


class ConsentRecord(BaseModel):
    chat_key: str
    notice_version: str
    given_at: datetime
