"""Belgian communes and postal codes: read as people type them, with their region."""

from __future__ import annotations

import pytest

from flows.places import DATA, find, region_of_code
from flows.validators import VALIDATORS, derived_answers
from tests.helpers import REPO_ROOT


@pytest.mark.parametrize(
    ("typed", "shown", "region"),
    [
        ("4000", "Liège (4000)", "wallonia"),
        ("Liège", "Liège (4000)", "wallonia"),
        ("liege", "Liège (4000)", "wallonia"),
        ("Luik", "Liège (4000)", "wallonia"),  # the Dutch name
        ("4020 Jupille", "Liège (4020)", "wallonia"),  # the code decides
        ("Jupille-sur-Meuse", "Liège (4020)", "wallonia"),  # a locality of a commune
        ("Shaerbeek", "Schaerbeek (1030)", "brussels"),  # one slip
        ("Sint-Joost-ten-Node", "Saint-Josse-ten-Noode (1210)", "brussels"),
        ("braine l alleud", "Braine-l'Alleud (1420)", "wallonia"),
        ("Sankt Vith", "Saint-Vith (4780)", "wallonia"),  # the German name
        ("1348", "Louvain-la-Neuve (1348)", "wallonia"),  # Walloon Brabant
        ("Gent", "Gent", "elsewhere"),
        ("Gand", "Gent", "elsewhere"),  # the French name of a Flemish commune
        ("9000", "9000", "elsewhere"),  # a Flemish postal code, from the numbering
        ("Saint-Nicolas", "Saint-Nicolas (4420)", "wallonia"),  # not Sint-Niklaas
    ],
)
def test_a_typed_commune_is_found_with_its_region(typed: str, shown: str, region: str) -> None:
    place = find(typed)
    assert place is not None
    assert (place.shown(), place.region) == (shown, region)


@pytest.mark.parametrize("typed", ["Paris", "75001", "1005", "0000", "", "1000 4000", "LLN?"])
def test_what_is_not_a_belgian_commune_is_refused(typed: str) -> None:
    assert find(typed) is None
    assert VALIDATORS["commune"](typed) is None


def test_postal_code_ranges_follow_bpost() -> None:
    assert [region_of_code(c) for c in (1000, 1299, 1300, 1499, 1500, 3999, 4000, 7999, 8000)] == [
        "brussels",
        "brussels",
        "wallonia",
        "wallonia",
        "elsewhere",
        "elsewhere",
        "wallonia",
        "wallonia",
        "elsewhere",
    ]
    assert region_of_code(999) is None and region_of_code(10000) is None


def test_the_data_names_its_sources_and_covers_every_commune_of_brussels() -> None:
    text = (REPO_ROOT / "flows" / DATA).read_text(encoding="utf-8")
    assert "bpost" in text and "Statbel" in text
    brussels = [line for line in text.splitlines() if line[:2] in ("10", "11", "12")]
    assert len(brussels) == 22  # 19 communes, and Laeken, Neder-Over-Heembeek, Haren
    flanders = [line for line in text.splitlines() if line.startswith("-;")]
    assert len(flanders) == 300


def test_a_commune_answers_the_region_question_and_skipping_it_forgets_the_answer() -> None:
    assert derived_answers("commune", "Namur (5000)") == {"region": "wallonia"}
    assert derived_answers("commune", "") == {"region": None}
    assert derived_answers("email", "a@b.be") == {}
