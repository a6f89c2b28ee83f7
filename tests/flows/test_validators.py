"""Named validators: what they accept, how they normalise, what they refuse."""

from __future__ import annotations

import pytest

from flows.validators import VALIDATORS, clean_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("marie@example.be", "marie@example.be"),
        ("  Marie.Dupont@EXAMPLE.be ", "Marie.Dupont@example.be"),
        ("élodie@exemple.be", "élodie@exemple.be"),
        ("marie", None),
        ("marie@", None),
        ("@example.be", None),
        ("marie@example", None),
        ("marie@@example.be", None),
        ("marie@example.be\nBcc: x@y.z", None),
        ("a" * 250 + "@example.be", None),
    ],
)
def test_email(text: str, expected: str | None) -> None:
    assert VALIDATORS["email"](text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0470 12 34 56", "+32 470 12 34 56"),
        ("0470/12.34.56", "+32 470 12 34 56"),
        ("+32 2 511 11 11", "+32 2 511 11 11"),
        ("02 511 11 11", "+32 2 511 11 11"),
        ("+33 6 12 34 56 78", "+33 6 12 34 56 78"),
        ("0470 12 34 5", None),
        ("123", None),
        ("téléphone", None),
        ("0470 ab cd ef", None),  # letters are a typo, not keypad digits
        ("0470 12 34 5O", None),  # the letter O for a zero
        ("", None),
    ],
)
def test_phone(text: str, expected: str | None) -> None:
    assert VALIDATORS["phone"](text) == expected


def test_name_and_text_bounds() -> None:
    assert VALIDATORS["name"]("  Marie   Dupont ") == "Marie Dupont"
    assert VALIDATORS["name"]("12345") is None
    assert VALIDATORS["name"]("x" * 101) is None
    assert VALIDATORS["short_text"]("Une\nligne") == "Une ligne"
    assert VALIDATORS["short_text"]("x" * 201) is None
    assert VALIDATORS["long_text"]("Plusieurs\nlignes") == "Plusieurs\nlignes"
    assert VALIDATORS["long_text"]("...") is None
    assert VALIDATORS["long_text"]("x" * 2001) is None
    assert VALIDATORS["count"]("12") == "12"
    assert VALIDATORS["count"]("0") is None
    assert VALIDATORS["count"]("douze") is None
    assert VALIDATORS["count"]("²") is None  # found by the property tests: used to crash
    assert VALIDATORS["count"]("١٢") is None


def test_control_characters_are_removed() -> None:
    assert clean_text("a\x00b\x1bc\r\nd") == "abc\nd"


def test_bidirectional_controls_are_removed_from_names_and_organisations() -> None:
    # U+202E would make "Marie\u202eredlof" display as "Mariefolder" reversed in a mailbox.
    assert VALIDATORS["name"]("Marie\u202eeporuE\u202c Dupont") == "MarieeporuE Dupont"
    assert VALIDATORS["short_text"]("\u2066ASBL\u2069 Soleil\u202a") == "ASBL Soleil"
    assert (
        clean_text("".join(chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])) == ""
    )
