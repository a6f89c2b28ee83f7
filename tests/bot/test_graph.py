"""pat-bot graph: Mermaid text and SVG pictures of every flow."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bot.cli import main
from bot.graph import edges, mermaid, svg
from flows.loader import FlowSet, next_targets
from flows.schema import ChoiceStep


def test_mermaid_has_every_step_and_every_transition(flows: FlowSet) -> None:
    text = mermaid(flows)
    assert text.startswith("flowchart TD\n")
    nodes = set(re.findall(r"^    (\w+)\[", text, flags=re.M))
    assert nodes == {qid.replace(".", "__") for qid in flows.steps}
    links = re.findall(r"^  (\w+) -->(?:\|[^|]*\|)? (\w+)$", text, flags=re.M)
    assert links and all(a in nodes and b in nodes for a, b in links)
    assert '|"Je refuse"|' in text and '|"profile=team"|' in text
    # every "next" of every step is drawn
    drawn = {(e.source, e.target) for e in edges(flows)}
    for qid, step in flows.steps.items():
        for target in next_targets(getattr(step, "next", None)):
            full = target if "." in target else f"{qid.split('.')[0]}.{target}"
            if isinstance(step, ChoiceStep) and all(o.next for o in step.options):
                continue
            assert (qid, full) in drawn, (qid, full)


@pytest.mark.parametrize("flow_id", ["main", "faq", "training", "accompaniment", "request"])
def test_svg_is_well_formed_with_a_box_per_step(flows: FlowSet, flow_id: str) -> None:
    root = ET.fromstring(svg(flows, flow_id))
    ns = "{http://www.w3.org/2000/svg}"
    boxes = root.findall(f"{ns}rect")
    assert len(boxes) >= len(flows.flows[flow_id].steps)
    texts = " ".join(t.text or "" for t in root.iter(f"{ns}text"))
    for step in flows.flows[flow_id].steps:
        assert step.id in texts


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
    assert "flows.mmd" in capsys.readouterr().out
