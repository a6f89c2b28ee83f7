"""Diagrams of the flows, so PAT staff can review the conversation without reading YAML.

``mermaid()`` gives Mermaid text (one subgraph per flow); ``svg()`` draws one flow as a
self-contained SVG with a simple layered layout: no Graphviz or browser needed. Texts are the
French reference texts.
"""

from __future__ import annotations

import html
from collections import deque
from dataclasses import dataclass

from flows.loader import FlowSet, flow_of, qualify
from flows.schema import (
    Branch,
    ChoiceStep,
    ConsentStep,
    EndStep,
    MultiStep,
    Next,
    Step,
)

MENU = "main.menu"
_COLOURS = {
    "message": "#eef4fb",
    "choice": "#fff6e0",
    "multi": "#fff6e0",
    "input": "#eaf7ea",
    "consent": "#fde8e8",
    "summary": "#efe8fb",
    "submit": "#e0f0f0",
    "end": "#eeeeee",
}


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str


def _first_text(step: Step) -> str:
    text = getattr(step, "text", "")
    if isinstance(text, list):
        text = text[0] if text else ""
    text = " ".join(str(text).split())
    return text if len(text) <= 48 else text[:47] + "…"


def _branch_label(branch: Branch) -> str:
    if branch.when is None:
        return "sinon"
    return ", ".join(
        f"{k}={'/'.join(v) if isinstance(v, list) else v}" for k, v in branch.when.items()
    )


def _next_edges(source: str, flow_id: str, nxt: Next | None, label: str = "") -> list[Edge]:
    if nxt is None:
        return []
    if isinstance(nxt, str):
        return [Edge(source, qualify(flow_id, nxt), label)]
    return [Edge(source, qualify(flow_id, b.goto), _branch_label(b)) for b in nxt]


def edges(flows: FlowSet) -> list[Edge]:
    """Every transition of every flow, labelled with the button or condition that takes it."""
    out: list[Edge] = []
    for qid, step in flows.steps.items():
        flow_id = flow_of(qid)
        if isinstance(step, ChoiceStep | MultiStep):
            for opt in step.options:
                if opt.next is not None:
                    out += _next_edges(qid, flow_id, opt.next, opt.label)
                elif isinstance(step, ChoiceStep) and step.next is None and opt.command:
                    out.append(Edge(qid, qid, f"{opt.label} (/{opt.command})"))
        if isinstance(step, ConsentStep):
            out += _next_edges(qid, flow_id, step.next, step.accept_label)
            out.append(Edge(qid, qualify(flow_id, step.on_refuse), step.refuse_label))
            continue
        if isinstance(step, EndStep):
            out.append(Edge(qid, MENU, "menu"))
            continue
        nxt = getattr(step, "next", None)
        if isinstance(step, ChoiceStep) and all(o.next is not None for o in step.options):
            continue
        out += _next_edges(qid, flow_id, nxt)
    return out


def _node_id(qid: str) -> str:
    return qid.replace(".", "__")


def _mermaid_text(text: str) -> str:
    return html.escape(text, quote=True).replace("#", "&#35;")


def mermaid(flows: FlowSet) -> str:
    lines = ["flowchart TD"]
    for flow_id, flow in flows.flows.items():
        lines.append(f'  subgraph {flow_id}["{_mermaid_text(flow.title)} ({flow_id})"]')
        for step in flow.steps:
            qid = f"{flow_id}.{step.id}"
            label = f"<b>{step.id}</b> · {step.kind}<br/>{_mermaid_text(_first_text(step))}"
            lines.append(f'    {_node_id(qid)}["{label}"]')
        lines.append("  end")
    for edge in edges(flows):
        label = f'|"{_mermaid_text(edge.label)}"|' if edge.label else ""
        lines.append(f"  {_node_id(edge.source)} -->{label} {_node_id(edge.target)}")
    return "\n".join(lines) + "\n"


# -- SVG -----------------------------------------------------------------------------------------

_W, _H, _GAP_X, _GAP_Y, _MARGIN = 230, 58, 40, 70, 30


def _layers(flows: FlowSet, flow_id: str, flow_edges: list[Edge]) -> dict[str, int]:
    """Depth of each node from the flow's start (breadth first); steps never reached go last."""
    start = flows.start_of(flow_id)
    depth = {start: 0}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if not node.startswith(flow_id + "."):
            continue  # another flow: drawn as an exit, not followed
        for edge in flow_edges:
            if edge.source == node and edge.target not in depth:
                depth[edge.target] = depth[node] + 1
                queue.append(edge.target)
    last = max(depth.values(), default=0) + 1
    for step in flows.flows[flow_id].steps:
        depth.setdefault(f"{flow_id}.{step.id}", last)
    return depth


def svg(flows: FlowSet, flow_id: str) -> str:
    """One flow as an SVG picture: boxes per step, arrows labelled with buttons or conditions."""
    mine = [e for e in edges(flows) if e.source.startswith(flow_id + ".")]
    depth = _layers(flows, flow_id, mine)
    rows: dict[int, list[str]] = {}
    for node, d in sorted(depth.items(), key=lambda kv: kv[1]):
        rows.setdefault(d, []).append(node)
    pos: dict[str, tuple[float, float]] = {}
    width = max(len(r) for r in rows.values()) * (_W + _GAP_X) + 2 * _MARGIN + 160
    for d, nodes in rows.items():
        for i, node in enumerate(nodes):
            pos[node] = (_MARGIN + i * (_W + _GAP_X), _MARGIN + 40 + d * (_H + _GAP_Y))
    height = max(y for _, y in pos.values()) + _H + 2 * _MARGIN
    title = html.escape(f"{flows.flows[flow_id].title} ({flow_id})")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'font-family="sans-serif" font-size="12">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#555"/></marker></defs>',
        f'<text x="{_MARGIN}" y="{_MARGIN + 6}" font-size="16" font-weight="bold">{title}</text>',
    ]
    for edge in mine:
        if edge.target not in pos or edge.source not in pos:
            continue
        (x1, y1), (x2, y2) = pos[edge.source], pos[edge.target]
        sx, sy = x1 + _W / 2, y1 + _H
        tx, ty = x2 + _W / 2, y2
        if edge.source == edge.target:
            path = f"M{x1 + _W},{y1 + 20} c40,-20 40,30 0,20"
        elif y2 > y1:
            path = f"M{sx},{sy} C{sx},{sy + 35} {tx},{ty - 35} {tx},{ty}"
        elif y2 == y1:  # same row: straight across, between the facing sides
            a, b = (x1 + _W, x2) if x2 > x1 else (x1, x2 + _W)
            path = f"M{a},{y1 + _H / 2} L{b},{y2 + _H / 2}"
        else:  # back to an earlier step: around the right side
            bx = max(x1, x2) + _W + 60
            path = f"M{x1 + _W},{y1 + _H / 2} C{bx},{y1} {bx},{y2 + _H} {x2 + _W},{y2 + _H / 2}"
        out.append(f'<path d="{path}" fill="none" stroke="#777" marker-end="url(#arrow)"/>')
        if edge.label:
            lx, ly = (sx + tx) / 2 + 4, (sy + ty) / 2
            label = edge.label if len(edge.label) <= 28 else edge.label[:27] + "…"
            out.append(
                f'<text x="{lx:.0f}" y="{ly:.0f}" fill="#444" font-size="10">'
                f"{html.escape(label)}</text>"
            )
    for node, (x, y) in pos.items():
        step = flows.steps.get(node)
        own = node.startswith(flow_id + ".")
        kind = step.kind if step else "?"
        fill = _COLOURS.get(kind, "#fff") if own else "#ffffff"
        dash = "" if own else ' stroke-dasharray="4 3"'
        name = node.split(".", 1)[1] if own else f"→ {node}"
        out.append(
            f'<rect x="{x}" y="{y}" width="{_W}" height="{_H}" rx="8" fill="{fill}" '
            f'stroke="#999"{dash}/>'
        )
        out.append(
            f'<text x="{x + 10}" y="{y + 20}" font-weight="bold">'
            f"{html.escape(name)} · {kind}</text>"
        )
        if step is not None and own:
            out.append(
                f'<text x="{x + 10}" y="{y + 40}" fill="#333">'
                f"{html.escape(_first_text(step)[:34])}</text>"
            )
    out.append("</svg>")
    return "\n".join(out) + "\n"
