"""The languages come from one place (flows/locales.py); each has all its data."""

from __future__ import annotations

import subprocess
from pathlib import Path

from bot.conversation.i18n import Catalogs
from bot.settings import Settings
from flows.language import LEXICON_DIR, language
from flows.loader import FlowSet
from flows.locales import LOCALES, REFERENCE

ROOT = Path(__file__).resolve().parent.parent


def test_every_language_has_its_data(flows: FlowSet) -> None:
    assert REFERENCE == "fr" and LOCALES[0] == REFERENCE
    for code in LOCALES:
        assert (LEXICON_DIR / f"{code}.yml").exists(), code
        assert language(code).name and language(code).data["distress"], code
        assert (ROOT / "locales" / code / "LC_MESSAGES" / "messages.po").exists(), code
        for intent, matching in flows.intents().items():
            assert matching.examples.get(code), (intent, code)
    assert set(Catalogs(ROOT / "locales")._translators) == set(LOCALES)


def test_nothing_else_lists_the_languages() -> None:
    """Adding a language is flows/locales.py and its data, not a hunt through the code."""
    listed = subprocess.run(
        [
            "grep",
            "-rnE",
            r"\(\"fr\", \"nl\", \"en\"\)|\[\"fr\", \"nl\", \"en\"\]|fr nl en",
            "bot",
            "flows",
            "storage",
            "Makefile",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    assert {line.split(":")[0] for line in listed.splitlines()} == {"flows/locales.py"}
    assert Settings.model_fields["default_locale"].annotation is not None


def test_texts_that_name_a_button_name_it_as_the_menu_shows_it() -> None:
    """« Choisissez 🆘 Besoin d'aide maintenant ? » must be the label the person sees, in
    every language (a translation of one and not the other would send them looking)."""
    from flows import texts

    catalogs = Catalogs(ROOT / "locales")
    for code in LOCALES:
        t = catalogs.get(code)
        entry = t.gettext(texts.HELP_NOW_ENTRY)
        assert entry != texts.HELP_NOW_ENTRY or code == REFERENCE, code
        assert entry in t.gettext(texts.NOT_UNDERSTOOD), code
