"""Every answer PAT can stand behind: facts as the sources give them, sources on every
message, texts that fit a phone screen, and the language rules of each catalog."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.conversation.i18n import Catalogs
from flows import sources, texts
from flows.loader import FlowError, FlowSet, load_flows
from flows.locales import LOCALES
from flows.schema import MessageStep
from tests.helpers import Walk

ROOT = Path(__file__).resolve().parents[3]
SHARED = ROOT.parent / "shared"
BIN = Path(sys.executable).parent / "pat-bot"


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs(ROOT / "locales")


def answer(flows: FlowSet, qid: str) -> str:
    """Every text of a message step and of the messages that follow it without waiting."""
    out: list[str] = []
    step = flows.step(qid)
    while isinstance(step, MessageStep):
        out += step.texts
        flow = qid.split(".")[0]
        nxt = step.next
        assert isinstance(nxt, str)
        qid = nxt if "." in nxt else f"{flow}.{nxt}"
        step = flows.step(qid)
    return "\n".join(out)


# -- facts, as the sources give them (issue #14) -------------------------------------------------


def test_facts_are_stated_as_the_sources_give_them(flows: FlowSet) -> None:
    place = answer(flows, "faq.place")
    assert "échec" not in place and "questions et des demandes" in place
    assert "état des lieux" in place
    brings = answer(flows, "faq.brings_more")
    assert "Un coordinateur" in brings and "coordinatrice" not in brings
    assert "quelques preuves" in brings
    qualification = answer(flows, "faq.qualification") + answer(flows, "faq.qualification_more")
    assert "Plateforme Bruxelloise pour la Santé Mentale organise aussi une formation" in (
        qualification
    )
    assert "formations certifiantes" not in qualification
    assert "experts du vécu en pauvreté et exclusion sociale" in qualification
    confidentiality = answer(flows, "faq.confidentiality")
    assert "article" not in confidentiality and "458" not in confidentiality
    assert "En général" in confidentiality and "question ouverte" in confidentiality
    assert "PAT aide chaque équipe" in confidentiality
    relapse = answer(flows, "faq.relapse_more")
    assert "handicap ou de maladie chronique" in relapse
    competition = answer(flows, "faq.competition")
    assert "en complément" in competition and "pas à la place" not in competition
    about = answer(flows, "faq.about_pat")
    assert "septembre 2020" in about and "avril 2021" in about and "Depuis 2024" in about
    assert "institutions wallonnes" in about  # what seed 002 says, not "toute la Wallonie"


def test_the_english_and_dutch_facts_match(catalogs: Catalogs, flows: FlowSet) -> None:
    en, nl = catalogs.get("en"), catalogs.get("nl")
    qualification = flows.step("faq.qualification_more")
    assert isinstance(qualification, MessageStep)
    federal = qualification.texts[1]
    assert "poverty and social exclusion" in en.gettext(federal)
    assert "armoede en sociale uitsluiting" in nl.gettext(federal)


def test_new_coverage(flows: FlowSet) -> None:
    become = answer(flows, "faq.become")
    assert "PAT les accompagne" in become and "promettre un emploi" in become
    assert "ne recrute pas" not in become  # seed 002: PAT's own team employs peer workers
    assert "En Route" in become and "UMons" in become
    more = answer(flows, "faq.about_pat_more")
    assert "38 équipes" in more and "25 engagements" in more
    assert "Cocom" in more and "Cera" in more and "smes.be/fr/peer-and-team-support-pat" in more
    assert "documents de PAT sont en français" in more and "surtout en français" not in more
    cost = answer(flows, "faq.cost")
    assert "pas d'information sur les tarifs" in cost and "€" not in cost
    assert "se discute" not in cost  # no source speaks of a price
    intervision = answer(flows, "intervision.intro")
    assert "personnes qui coordonnent" in intervision


def test_dutch_and_english_speakers_are_told_pats_documents_are_in_french(flows: FlowSet) -> None:
    for locale in ("nl", "en"):
        walk = Walk(flows, locale=locale)
        walk.start()
        assert texts.TEAM_LANGUAGE in walk.says()
    walk = Walk(flows)
    walk.start()
    assert texts.TEAM_LANGUAGE not in walk.says()


# -- sources --------------------------------------------------------------------------------------


def test_every_message_has_sources_and_check_refuses_one_without(tmp_path: Path) -> None:
    flows = load_flows()
    for qid, step in flows.steps.items():
        if isinstance(step, MessageStep):
            assert step.sources, qid
        assert all(sources.problem(s) is None for s in step.sources), qid
    (tmp_path / "main.yml").write_text(
        'id: main\ntitle: "A"\nstart: hello\nsteps:\n'
        '  - {id: hello, kind: message, text: "PAT existe depuis 1850.", next: menu}\n'
        '  - {id: menu, kind: choice, text: "Menu", sources: ["seed 999"], '
        'options: [{id: a, label: "A", next: hello}]}\n',
        encoding="utf-8",
    )
    with pytest.raises(FlowError) as info:
        load_flows(tmp_path)
    problems = [str(p) for p in info.value.problems]
    assert any("'hello'" in p and "message without sources" in p for p in problems)
    assert any("'menu'" in p and "unknown seed '999'" in p for p in problems)
    done = subprocess.run(
        [str(BIN), "check", "--dir", str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1 and "message without sources" in done.stderr


@pytest.mark.skipif(not SHARED.exists(), reason="../shared is not beside the checkout")
def test_sources_name_real_seeds_and_brief_sections() -> None:
    seeds = {p.name[:3] for p in (SHARED / "seeds").glob("*.txt")}
    assert set(sources.SEEDS) <= seeds
    headings = re.findall(r"^## (.+)$", (SHARED / "content-brief.md").read_text(), re.M)
    for section in sources.BRIEF_SECTIONS:
        assert any(h.startswith(section) for h in headings), section


def test_sources_command_lists_every_answer_with_its_sources(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(BIN), "sources", "--lang", "nl"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=True,
    )
    out = done.stdout
    flows = load_flows()
    for qid, step in flows.steps.items():
        if isinstance(step, MessageStep):
            assert f"`{qid}`" in out, qid
    assert "Sources : seed 002 (article on PAT, November 2024)" in out
    assert "*Het sleutelwoord is hoop" in out  # the Dutch under the French
    assert "0800 32 123" in out  # the engine's own facts too


# -- a phone screen -------------------------------------------------------------------------------

MAX_SCREEN = 650  # "about 600 characters" for everything one answer shows before its buttons


@pytest.mark.parametrize("locale", LOCALES)
def test_no_answer_is_longer_than_a_phone_screen(
    flows: FlowSet, catalogs: Catalogs, locale: str
) -> None:
    t = catalogs.get(locale)
    too_long = {}
    for qid, step in flows.steps.items():
        if isinstance(step, MessageStep):
            shown = "\n".join(t.gettext(text) for text in _answer_texts(flows, qid))
            if len(shown) > MAX_SCREEN:
                too_long[qid] = len(shown)
    for notice in texts.PRIVACY_NOTICE:
        assert len(t.gettext(notice)) <= 600
    assert too_long == {}


def _answer_texts(flows: FlowSet, qid: str) -> list[str]:
    step = flows.step(qid)
    out: list[str] = []
    while isinstance(step, MessageStep):
        out += step.texts
        nxt = step.next
        assert isinstance(nxt, str)
        qid = nxt if "." in nxt else f"{qid.split('.')[0]}.{nxt}"
        step = flows.step(qid)
    return out


@pytest.mark.parametrize("locale", LOCALES)
def test_telegram_descriptions_fit_telegram_limits(catalogs: Catalogs, locale: str) -> None:
    t = catalogs.get(locale)
    assert len(t.gettext(texts.BOT_DESCRIPTION)) <= 512
    assert len(t.gettext(texts.BOT_SHORT_DESCRIPTION)) <= 120
    assert "112" in t.gettext(texts.BOT_SHORT_DESCRIPTION)


# -- language rules -------------------------------------------------------------------------------


def catalog_strings(catalogs: Catalogs, locale: str) -> list[str]:
    t = catalogs.get(locale)
    flows = load_flows()
    ids = flows.msgids() | {v for k, v in vars(texts).items() if k.isupper() and isinstance(v, str)}
    return [t.gettext(i) for i in sorted(ids)]


def test_dutch_is_formal_throughout(catalogs: Catalogs) -> None:
    informal = re.compile(r"\b(je|jij|jou|jouw|jullie zelf)\b", re.I)
    found = [s for s in catalog_strings(catalogs, "nl") if informal.search(s)]
    assert found == []
    joined = " ".join(catalog_strings(catalogs, "nl"))
    assert "aanbieding" not in joined and "psycho-medisch" not in joined.lower()
    assert "hulpverlener in zorg of welzijn" in joined.lower()


def test_english_wording(catalogs: Catalogs) -> None:
    joined = " ".join(catalog_strings(catalogs, "en"))
    assert "Three services" in joined and "three offers" not in joined.lower()
    assert "street life" not in joined and "experience of homelessness" in joined
    assert "Keep health details for a conversation with the team" in joined


def test_french_wording(flows: FlowSet) -> None:
    joined = " ".join(catalog_strings(Catalogs(ROOT / "locales"), "fr"))
    assert "Doucement" not in joined and "calmement" not in joined
    assert "Quelle question vous occupe" not in joined
    step = flows.step("faq.topics")
    assert step.text == "Quelle est votre question ?"  # type: ignore[union-attr]
    # One inclusive spelling, as in PAT's flyer (seed 000): the middle dot.
    assert not re.search(r"\w\.(e|es|s)\b", joined.replace("smes.be", ""))
    assert "pair-aidant-e" not in joined and "pair.e" not in joined


def test_the_first_of_the_month_is_written_1er() -> None:
    from datetime import date

    from bot.conversation.i18n import long_date

    assert long_date(date(2026, 12, 1), "fr") == "1er décembre 2026"
    assert long_date(date(2026, 12, 11), "fr") == "11 décembre 2026"
    assert long_date(date(2026, 12, 1), "nl") == "1 december 2026"


def test_the_message_after_distress_is_kind_and_says_why(flows: FlowSet) -> None:
    step = flows.step("other.message")
    text = step.text  # type: ignore[union-attr]
    assert "s'il vous plaît" not in text and "santé" in text
    # Review 2026-12-06, tone 6: no "your story is welcome… but" that contradicts itself.
    assert "parcours a toute sa place" not in text and "pas assez protégé" in text
