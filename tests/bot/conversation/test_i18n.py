"""Every text goes through gettext; the catalogs stay in step with code and flows."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot.conversation.i18n import CatalogError, Catalogs
from flows.babel_extract import extract_texts
from flows.engine import Msg
from flows.loader import FLOWS_DIR, FlowSet
from tests.helpers import REPO_ROOT

LOCALES = REPO_ROOT / "locales"


def read(path: Path) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh)


def ids(catalog: Catalog) -> set[str]:
    return {str(m.id) for m in catalog if m.id}


def test_pot_is_up_to_date_with_code_and_flows(tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run(
        [str(pybabel), "extract", "-F", "babel.cfg", "-k", "N_", "-o", str(fresh), "."],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
    )
    missing = ids(read(fresh)) - ids(read(LOCALES / "messages.pot"))
    stale = ids(read(LOCALES / "messages.pot")) - ids(read(fresh))
    assert not missing, f"run `make i18n`: new texts not in the catalogs: {sorted(missing)[:5]}"
    assert not stale, f"run `make i18n`: texts no longer used: {sorted(stale)[:5]}"


def test_extractor_finds_exactly_the_texts_the_loader_uses(flows: FlowSet) -> None:
    extracted: set[str] = set()
    for path in FLOWS_DIR.glob("*.yml"):
        extracted.update(extract_texts(path.read_text(encoding="utf-8")))
    assert extracted == flows.msgids()


def test_french_catalog_covers_the_template() -> None:
    assert ids(read(LOCALES / "fr" / "LC_MESSAGES" / "messages.po")) == ids(
        read(LOCALES / "messages.pot")
    )


def test_render_fills_placeholders_and_nested_messages() -> None:
    fr = Catalogs(LOCALES).get("fr")
    assert fr.render(Msg("Ref {ref}"), {"ref": "R-1"}) == "Ref R-1"
    assert fr.render(Msg("{a} et {b}", {"a": Msg("Oui"), "b": 1200})) == "Oui et 1\u202f200"
    assert fr.render(Msg("{unknown} reste")) == "{unknown} reste"
    assert Catalogs(LOCALES).get("xx").locale == "fr"  # unknown locale falls back to French


TRANSLATED = ("nl", "en")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_message_is_translated_and_reviewed(locale: str) -> None:
    catalog = read(LOCALES / locale / "LC_MESSAGES" / "messages.po")
    assert ids(catalog) == ids(read(LOCALES / "messages.pot"))
    untranslated = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [], f"{locale}: untranslated {untranslated[:3]}"
    assert fuzzy == [], f"{locale}: French changed, translation to review: {fuzzy[:3]}"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_placeholders_are_identical_in_every_translation(locale: str) -> None:
    catalog = read(LOCALES / locale / "LC_MESSAGES" / "messages.po")
    for message in catalog:
        if message.id:
            assert sorted(PLACEHOLDER.findall(str(message.id))) == sorted(
                PLACEHOLDER.findall(str(message.string))
            ), message.id


def test_a_changed_french_text_falls_back_to_french_until_reviewed(tmp_path: Path) -> None:
    """A fuzzy entry (French changed since the translation) is not shown."""
    folder = tmp_path / "nl" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Bonjour"\nmsgstr "Hallo"\n\n'
        '#, fuzzy\nmsgid "Au revoir !"\nmsgstr "Tot ziens"\n',
        encoding="utf-8",
    )
    (tmp_path / "en").symlink_to(LOCALES / "en")
    nl = Catalogs(tmp_path).get("nl")
    assert nl.gettext("Bonjour") == "Hallo"
    assert nl.gettext("Au revoir !") == "Au revoir !"


def test_dates_and_numbers_follow_the_locale() -> None:
    when = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)
    catalogs = Catalogs(LOCALES)
    assert catalogs.get("fr").long_date(when) == "22 novembre 2026"
    assert catalogs.get("nl").long_date(when) == "22 november 2026"
    assert catalogs.get("en").long_date(when) == "22 November 2026"  # British order
    assert catalogs.get("nl").render(Msg("{n}", {"n": 2000})) == "2.000"
    assert catalogs.get("en").render(Msg("{n}", {"n": 2000})) == "2,000"


def test_a_missing_or_empty_catalog_is_an_error_not_french(tmp_path: Path) -> None:
    for lang in ("nl", "en"):
        folder = tmp_path / lang / "LC_MESSAGES"
        folder.mkdir(parents=True)
        shutil.copy(LOCALES / lang / "LC_MESSAGES" / "messages.po", folder)
    Catalogs(tmp_path)  # both there: fine
    (tmp_path / "en" / "LC_MESSAGES" / "messages.po").unlink()
    with pytest.raises(CatalogError, match="the en catalog is missing"):
        Catalogs(tmp_path)
    (tmp_path / "en" / "LC_MESSAGES" / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Bonjour"\nmsgstr ""\n',
        encoding="utf-8",
    )
    with pytest.raises(CatalogError, match="the en catalog translates nothing"):
        Catalogs(tmp_path)


def test_without_a_folder_the_installed_catalogs_are_used() -> None:
    assert Catalogs().get("nl").gettext("Accueil") != "Accueil"
