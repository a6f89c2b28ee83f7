"""Belgian communes and postal codes: what a person types, read as a place and its region.

"4000", "Liège", "luik", "4020 Jupille" and "Liege" all give Liège (4000), in the Walloon
Region. The data (``places_be.csv``, sources named in its header) holds every postal code of
Brussels and Wallonia with its localities, and the communes of Flanders by name; a Flemish postal
code is read from bpost's numbering alone. The region uses the ids of the flows' "Région"
question (``brussels``, ``wallonia``, ``elsewhere``), so a known commune answers it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Literal, get_args

from rapidfuzz import fuzz, process

Region = Literal["brussels", "wallonia", "elsewhere"]
DATA = "places_be.csv"
# A typed name this close to a known one (0-100) is taken for it: one slip in a ten-letter name.
_TYPO_SCORE = 90


@dataclass(frozen=True)
class Place:
    name: str
    postal_code: str | None
    region: Region

    def shown(self) -> str:
        """As the summary and staff show it: ``Liège (4000)``."""
        if self.name and self.postal_code:
            return f"{self.name} ({self.postal_code})"
        return self.name or self.postal_code or ""


def region_of_code(code: int) -> Region | None:
    """bpost's numbering: 1000-1299 Brussels, 1300-1499 and 4000-7999 Wallonia, the rest
    of 1000-9999 Flanders."""
    if 1000 <= code <= 1299:
        return "brussels"
    if 1300 <= code <= 1499 or 4000 <= code <= 7999:
        return "wallonia"
    if 1500 <= code <= 3999 or 8000 <= code <= 9999:
        return "elsewhere"
    return None


def _key(text: str) -> str:
    """Accents, case, hyphens, apostrophes do not count: "Braine-l'Alleud" = "braine l alleud"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


@dataclass(frozen=True)
class _Table:
    by_code: dict[str, Place]
    by_name: dict[str, Place]


@cache
def _table() -> _Table:
    by_code: dict[str, Place] = {}
    by_name: dict[str, Place] = {}
    text = files("flows").joinpath(DATA).read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        code, name, others = line.split(";")
        names = [name, *filter(None, others.split("|"))]
        if code == "-":  # a commune of Flanders, by name only
            place = Place(name, None, "elsewhere")
        else:
            region = region_of_code(int(code))
            if region is None:
                raise ValueError(f"{DATA}: {code} is not a Belgian postal code")
            place = Place(name, code, region)
            by_code[code] = place
        for each in names:
            # The first line that names a place wins: the lowest postal code, Brussels and
            # Wallonia before the communes of Flanders.
            by_name.setdefault(_key(each), place)
    return _Table(by_code, by_name)


def find(text: str) -> Place | None:
    """The place a person means, or None when it is not a Belgian commune or postal code."""
    table = _table()
    codes = re.findall(r"(?<!\d)\d{4}(?!\d)", text)
    if len(codes) == 1:
        code = codes[0]
        if code in table.by_code:
            return table.by_code[code]
        region = region_of_code(int(code))
        # Flemish codes are read from the numbering; an unknown Brussels or Walloon code (an
        # institution's, or none at all) is not a place.
        return Place("", code, region) if region == "elsewhere" else None
    if codes:
        return None
    key = _key(text)
    if not key:
        return None
    if key in table.by_name:
        return table.by_name[key]
    match = process.extractOne(key, table.by_name.keys(), scorer=fuzz.ratio)
    if match is not None and match[1] >= _TYPO_SCORE:
        return table.by_name[match[0]]
    return None


def region_of(answers: Mapping[str, object]) -> Region | None:
    """The region of a request: as answered, else from its commune; None when neither."""
    asked = answers.get("region")
    for region in get_args(Region):  # the ids of the flows' "Région" question
        if asked == region:
            return region  # type: ignore[no-any-return]
    commune = answers.get("commune")
    place = find(commune) if isinstance(commune, str) and commune else None
    return place.region if place is not None else None
