"""Named validators for free-text input steps.

A validator takes what the person typed and returns the value to store (normalised) or None when
the text is not acceptable; the step's ``retry`` text then explains what is expected. They are
pure and offline: e-mail syntax only (no DNS), phone numbers parsed with Belgium as the default
region.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from flows import places

Validator = Callable[[str], str | None]

MAX_INPUT_CHARS = 2000
# Control characters (new lines kept) and the bidirectional controls that can make a name
# display as something else in staff's mailbox (U+202A-U+202E, U+2066-U+2069).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str) -> str:
    """Normalise Unicode, drop control characters (keeping new lines) and outer spaces."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text.strip()


def _bounded(max_len: int, min_len: int = 1) -> Validator:
    def check(text: str) -> str | None:
        value = clean_text(text)
        if not (min_len <= len(value) <= max_len):
            return None
        if not any(ch.isalnum() for ch in value):
            return None
        return value

    return check


def one_line(max_len: int) -> Validator:
    """A single line (names, roles): new lines become spaces, spaces are folded."""
    inner = _bounded(max_len)

    def check(text: str) -> str | None:
        value = inner(text)
        return None if value is None else " ".join(value.split())

    return check


def person_name(text: str) -> str | None:
    """A name: at least one letter, no digits-only answers, at most 100 characters."""
    value = one_line(100)(text)
    if value is None or not any(ch.isalpha() for ch in value):
        return None
    return value


def email(text: str) -> str | None:
    """An e-mail address, syntax checked and normalised (domain lower-cased)."""
    value = clean_text(text)
    if len(value) > 254 or not value:
        return None
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return None
    return str(result.normalized)


def phone(text: str) -> str | None:
    """A phone number, Belgian by default, returned in international format (+32 …)."""
    value = clean_text(text)
    # phonenumbers reads letters as keypad digits ("0470 ab cd ef"): a typo, not a number.
    if not value or len(value) > 40 or any(ch.isalpha() for ch in value):
        return None
    try:
        number = phonenumbers.parse(value, "BE")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))


def count(text: str) -> str | None:
    """A number of people, from 1 to 1,000."""
    value = clean_text(text)
    # isdigit() also accepts "²" or "٣", which int() refuses or reads unexpectedly.
    if not (value.isascii() and value.isdecimal()):
        return None
    n = int(value)
    return str(n) if 1 <= n <= 1000 else None


def commune(text: str) -> str | None:
    """A Belgian commune or postal code, shown as ``Liège (4000)``."""
    value = clean_text(text)
    if not value or len(value) > 100:
        return None
    place = places.find(value)
    return place.shown() if place is not None else None


def derived_answers(validator: str, value: str) -> dict[str, str | None]:
    """Answers that follow from another one: a commune gives its region (None: no longer known,
    the question will be asked)."""
    if validator != "commune":
        return {}
    place = places.find(value) if value else None
    return {"region": place.region if place is not None else None}


VALIDATORS: dict[str, Validator] = {
    "name": person_name,
    "short_text": one_line(200),
    "long_text": _bounded(MAX_INPUT_CHARS),
    "email": email,
    "phone": phone,
    "count": count,
    "commune": commune,
}
