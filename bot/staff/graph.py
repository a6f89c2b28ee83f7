"""Diagrams of the flows, so PAT staff can review the conversation without reading YAML.

``mermaid()`` gives Mermaid text (one subgraph per flow); ``svg()`` draws one flow as a
self-contained SVG with a simple layered layout: no Graphviz or browser needed. Both show what
a person sees — each question in full, its answer buttons, the conditions in words — in the
staff's language (``PAT_STAFF_LOCALE``), never step ids or YAML keys. Where the SVG's boxes
and arrows go is worked out in ``bot.staff.svg_layout``.
"""

from __future__ import annotations

import html
import textwrap
from collections import deque
from dataclasses import dataclass

from bot.conversation.i18n import Translator
from bot.staff import svg_layout as layout
from bot.staff import texts as staff
from bot.staff.texts import say
from flows import texts
from flows.loader import FlowSet, flow_of, qualify
from flows.schema import (
    Branch,
    ChoiceStep,
    ConsentStep,
    EndStep,
    MultiStep,
    Next,
    Step,
    SummaryStep,
)
from flows.texts import N_

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
OTHERWISE = N_("sinon")
ANSWERED = N_("réponse à « {question} » connue")
NOT_ANSWERED = N_("pas de réponse à « {question} »")
IS_VALUE = N_("« {question} » : {answer}")
OR = N_(" ou ")
BACK_TO_MENU = N_("retour au menu")
CORRECT_LOOP = N_("{label} : une réponse à changer, puis retour ici")
OPTIONAL = N_("(facultatif : « {skip} »)")
MESSAGE_LINES = 4  # a message is shown by its beginning; a question always in full


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str


def _texts(step: Step, t: Translator) -> list[str]:
    text = getattr(step, "text", "")
    parts = text if isinstance(text, list) else [text]
    return [" ".join(t.gettext(p).split()) for p in parts if p]


def _question(flows: FlowSet, key: str, t: Translator) -> tuple[str, dict[str, str]]:
    """The summary label of the step that asks ``key``, and its options' labels."""
    for step in flows.steps.values():
        if getattr(step, "key", None) == key:
            label = t.gettext(getattr(step, "summary", None) or key)
            options = getattr(step, "options", [])
            return label, {o.id: t.gettext(o.label) for o in options}
    return key, {}


def _branch_label(flows: FlowSet, branch: Branch, t: Translator) -> str:
    if branch.when is None:
        return t.gettext(OTHERWISE)
    parts = []
    for key, value in branch.when.items():
        question, options = _question(flows, key, t)
        if value is True:
            parts.append(say(t, ANSWERED, question=question))
        elif value is False:
            parts.append(say(t, NOT_ANSWERED, question=question))
        else:
            values = value if isinstance(value, list) else [value]
            answer = t.gettext(OR).join(options.get(str(v), str(v)) for v in values)
            parts.append(say(t, IS_VALUE, question=question, answer=answer))
    return ", ".join(parts)


def _next_edges(
    flows: FlowSet, source: str, nxt: Next | None, t: Translator, label: str = ""
) -> list[Edge]:
    if nxt is None:
        return []
    flow_id = flow_of(source)
    if isinstance(nxt, str):
        return [Edge(source, qualify(flow_id, nxt), label)]
    return [Edge(source, qualify(flow_id, b.goto), _branch_label(flows, b, t)) for b in nxt]


def edges(flows: FlowSet, t: Translator) -> list[Edge]:
    """Every transition of every flow, labelled with the button or condition that takes it."""
    out: list[Edge] = []
    for qid, step in flows.steps.items():
        if isinstance(step, ChoiceStep | MultiStep):
            for opt in step.options:
                label = t.gettext(opt.label)
                if opt.next is not None:
                    out += _next_edges(flows, qid, opt.next, t, label)
                elif isinstance(step, ChoiceStep) and step.next is None and opt.command:
                    out.append(Edge(qid, qid, f"{label} (/{opt.command})"))
        if isinstance(step, ConsentStep):
            out += _next_edges(flows, qid, step.next, t, t.gettext(step.accept_label))
            out.append(
                Edge(qid, qualify(flow_of(qid), step.on_refuse), t.gettext(step.refuse_label))
            )
            continue
        if isinstance(step, EndStep):
            out.append(Edge(qid, MENU, t.gettext(BACK_TO_MENU)))
            continue
        if isinstance(step, SummaryStep):
            correct = say(t, CORRECT_LOOP, label=t.gettext(step.edit_label))
            out.append(Edge(qid, qid, correct))
            out += _next_edges(flows, qid, step.next, t, t.gettext(step.send_label))
            continue
        nxt = getattr(step, "next", None)
        if isinstance(step, ChoiceStep) and all(o.next is not None for o in step.options):
            continue
        out += _next_edges(flows, qid, nxt, t)
    return out


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, 44, break_on_hyphens=False)


def box_lines(step: Step, t: Translator) -> list[str]:
    """What a box shows below its heading: the text (a question in full), then the buttons."""
    said = _texts(step, t)
    if step.kind == "message":
        lines = _wrap(" ".join(said))
        return lines[:MESSAGE_LINES] + (["…"] if len(lines) > MESSAGE_LINES else [])
    lines = [row for text in said for row in _wrap(text)]
    if isinstance(step, ChoiceStep | MultiStep):
        lines += [f"• {t.gettext(o.label)}" for o in step.options]
    skip = getattr(step, "skip_label", None) or (
        texts.SKIP_BUTTON if getattr(step, "optional", False) else None
    )
    if skip:
        lines.append(say(t, OPTIONAL, skip=t.gettext(skip)))
    return lines


def heading(flows: FlowSet, qid: str, t: Translator) -> str:
    step = flows.steps.get(qid)
    if step is None:
        return qid
    return t.gettext(staff.KIND_NAMES.get(step.kind, step.kind))


def _outside(flows: FlowSet, qid: str, t: Translator) -> str:
    """A step of another flow, drawn as an exit: « → Menu principal »."""
    flow = flows.flows.get(flow_of(qid))
    return f"→ {t.gettext(flow.title)}" if flow is not None else f"→ {qid}"


# -- Mermaid -------------------------------------------------------------------------------------


def _node_id(qid: str) -> str:
    return qid.replace(".", "__")


def mermaid_text(text: str) -> str:
    """Text inside a quoted Mermaid label, escaped once with Mermaid's own entity codes."""
    text = text.replace("#", "#35;")  # first: the codes below start with #
    for char, code in (('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("|", "#124;")):
        text = text.replace(char, code)
    return text


def mermaid(flows: FlowSet, t: Translator) -> str:
    lines = ["flowchart TD"]
    for flow_id, flow in flows.flows.items():
        lines.append(f'  subgraph {flow_id}["{mermaid_text(t.gettext(flow.title))}"]')
        for step in flow.steps:
            qid = f"{flow_id}.{step.id}"
            body = "<br/>".join(mermaid_text(row) for row in box_lines(step, t))
            label = f"<b>{mermaid_text(heading(flows, qid, t))}</b><br/>{body}"
            lines.append(f'    {_node_id(qid)}["{label}"]')
        lines.append("  end")
    for edge in edges(flows, t):
        label = f'|"{mermaid_text(edge.label)}"|' if edge.label else ""
        lines.append(f"  {_node_id(edge.source)} -->{label} {_node_id(edge.target)}")
    return "\n".join(lines) + "\n"


# -- SVG -----------------------------------------------------------------------------------------


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


def _box(flows: FlowSet, flow_id: str, node: str, t: Translator) -> tuple[str, list[str]]:
    step = flows.steps.get(node)
    if step is None or not node.startswith(flow_id + "."):
        return _outside(flows, node, t), []
    return heading(flows, node, t), box_lines(step, t)


def svg(flows: FlowSet, flow_id: str, t: Translator) -> str:
    """One flow as an SVG picture: a box per step with its text and buttons, arrows labelled
    with the button or the condition that takes them."""
    mine = [e for e in edges(flows, t) if e.source.startswith(flow_id + ".")]
    depth = _layers(flows, flow_id, mine)
    boxes = {node: _box(flows, flow_id, node, t) for node in depth}
    pos, width, height = layout.place(depth, {node: lines for node, (_, lines) in boxes.items()})
    title = html.escape(t.gettext(flows.flows[flow_id].title))
    out = _svg_head(width, height, title)
    labels: list[str] = []
    for edge in mine:
        if edge.target not in pos or edge.source not in pos:
            continue
        path, lx, ly = layout.edge_path(
            pos[edge.source], pos[edge.target], edge.source == edge.target
        )
        out.append(f'<path d="{path}" fill="none" stroke="#777" marker-end="url(#arrow)"/>')
        if edge.label:  # drawn last, over the boxes, with a white halo
            labels.append(
                f'<text x="{lx:.0f}" y="{ly:.0f}" fill="#1f4f8f" font-size="11" '
                f'stroke="#fff" stroke-width="3" paint-order="stroke">'
                f"{html.escape(edge.label)}</text>"
            )
    for node, box in pos.items():
        step = flows.steps.get(node)
        own = node.startswith(flow_id + ".")
        fill = _COLOURS.get(step.kind, "#fff") if own and step else "#ffffff"
        name, lines = boxes[node]
        out += _svg_box(box, name, lines, fill=fill, dashed=not own)
    out += labels
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _svg_head(width: float, height: float, title: str) -> list[str]:
    """The picture's opening: its size, the arrow head, a white background, the flow's title."""
    m = layout.MARGIN
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'font-family="sans-serif" font-size="12">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#555"/></marker></defs>',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        f'<text x="{m}" y="{m + 6}" font-size="18" font-weight="bold">{title}</text>',
    ]


def _svg_box(box: layout.Box, name: str, lines: list[str], *, fill: str, dashed: bool) -> list[str]:
    """One step's box: its heading in bold, then its lines (dashed for another flow's step)."""
    x, top, h = box
    pad, line = layout.PAD, layout.LINE
    dash = ' stroke-dasharray="4 3"' if dashed else ""
    head = top + pad + 11
    out = [
        f'<rect x="{x}" y="{top}" width="{layout.W}" height="{h}" rx="8" fill="{fill}" '
        f'stroke="#999"{dash}/>',
        f'<text x="{x + pad}" y="{head}" font-weight="bold">{html.escape(name)}</text>',
    ]
    for i, row in enumerate(lines, start=1):
        out.append(
            f'<text x="{x + pad}" y="{head + i * line}" fill="#222">{html.escape(row)}</text>'
        )
    return out
