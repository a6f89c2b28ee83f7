"""pat-bot graph: Mermaid text and SVG pictures of every flow, for a reviewer who reads French
(or the staff language), not YAML: full questions, buttons, conditions in words."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bot.cli import main
from bot.conversation.i18n import Catalogs
from bot.staff.graph import edges, mermaid, mermaid_text, svg
from flows.loader import FlowSet, next_targets
from flows.schema import ChoiceStep

FR = Catalogs.reference()


def test_mermaid_has_every_step_and_every_transition(flows: FlowSet) -> None:
    text = mermaid(flows, FR)
    assert text.startswith("flowchart TD\n")
    nodes = set(re.findall(r"^    (\w+)\[", text, flags=re.M))
    assert nodes == {qid.replace(".", "__") for qid in flows.steps}
    links = re.findall(r"^  (\w+) -->(?:\|[^|]*\|)? (\w+)$", text, flags=re.M)
    assert links and all(a in nodes and b in nodes for a, b in links)
    assert '|"Je refuse"|' in text and '|"« Profil » : Une équipe"|' in text
    # every "next" of every step is drawn
    drawn = {(e.source, e.target) for e in edges(flows, FR)}
    for qid, step in flows.steps.items():
        for target in next_targets(getattr(step, "next", None)):
            full = target if "." in target else f"{qid.split('.')[0]}.{target}"
            if isinstance(step, ChoiceStep) and all(o.next for o in step.options):
                continue
            assert (qid, full) in drawn, (qid, full)


def test_mermaid_reads_as_a_reviewer_expects(flows: FlowSet) -> None:
    text = mermaid(flows, FR)
    labels = " ".join(re.findall(r'\["(.*)"\]', text))
    # Headings in French, never a step kind or a YAML condition.
    assert "<b>Question à boutons</b>" in text and "<b>Consentement</b>" in text
    for developer in ("· choice", "· input", "=True", "=true", "organisation=", "profile="):
        assert developer not in text, developer
    # Full questions (no cut at 34 or 48 characters) and their buttons.
    question = "Dans quelle commune se trouve votre organisation ? Son code postal suffit"
    assert question in " ".join(labels.replace("<br/>", " ").split())
    assert "• Nous découvrons l'idée<br/>• Nous avons décidé d'engager" in text
    # The summary's "Corriger" loop, and a condition in words.
    assert re.search(r'request__summary -->\|"Corriger : [^"]+"\| request__summary', text)
    assert '|"réponse à « Organisation » connue"| request__role' in text
    # Escaped once, with Mermaid's own codes: no HTML entity, no double escaping.
    assert "&#" not in text and "&amp;" not in text and "&quot;" not in text
    assert "l'équipe" in text


def test_mermaid_text_escapes_once() -> None:
    assert mermaid_text('a "b" <c> #d | e') == "a #quot;b#quot; #lt;c#gt; #35;d #124; e"
    assert mermaid_text("l'équipe") == "l'équipe"


def test_the_staff_language_draws_in_dutch(flows: FlowSet) -> None:
    nl = Catalogs().get("nl")
    text = mermaid(flows, nl)
    assert "<b>Vraag met knoppen</b>" in text and "Question à boutons" not in text


@pytest.mark.parametrize("flow_id", ["main", "faq", "training", "accompaniment", "request"])
def test_svg_is_well_formed_with_a_box_per_step(flows: FlowSet, flow_id: str) -> None:
    root = ET.fromstring(svg(flows, flow_id, FR))
    ns = "{http://www.w3.org/2000/svg}"
    boxes = root.findall(f"{ns}rect")
    assert len(boxes) >= len(flows.flows[flow_id].steps)
    texts = [t.text or "" for t in root.iter(f"{ns}text")]
    assert texts[0] == FR.gettext(flows.flows[flow_id].title)
    joined = " ".join(texts)
    for step in flows.flows[flow_id].steps:
        assert f">{step.id}<" not in joined  # no step ids
        if step.kind in ("choice", "input"):  # each question's start, in full lines
            first = " ".join(str(getattr(step, "text", "")).split())[:30]
            assert first.split()[0] in joined, step.id


def test_svg_boxes_grow_with_their_text(flows: FlowSet) -> None:
    root = ET.fromstring(svg(flows, "accompaniment", FR))
    rects = root.iter("{http://www.w3.org/2000/svg}rect")
    heights = {r.get("height") for r in rects if r.get("rx")}  # the boxes (not the background)
    assert len(heights) > 3  # not one fixed size that cuts texts


def test_graph_command_writes_the_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "--out", str(tmp_path / "g")]) == 0
    names = sorted(p.name for p in (tmp_path / "g").iterdir())
    assert names == [
        "accompaniment.svg",
        "faq.svg",
        "flows.mmd",
        "intervision.svg",
        "main.svg",
        "other.svg",
        "request.svg",
        "training.svg",
    ]
    assert capsys.readouterr().out.startswith("Écrit : ")
