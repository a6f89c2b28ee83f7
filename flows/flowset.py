"""The loaded flows as one set, indexed by qualified step id (``flow.step``), and the ways
from one step to the next.

``flows.loader`` builds a ``FlowSet`` from the flow files; ``flows.checks`` follows its ways to
find what one file alone cannot show.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from flows.schema import (
    TRANSLATABLE_KEYS,
    ChoiceStep,
    ConsentStep,
    Flow,
    Matching,
    MessageStep,
    MultiStep,
    Next,
    Step,
)

MAIN_FLOW = "main"
MENU_STEP = "main.menu"


@dataclass
class FlowSet:
    """All flows, indexed by qualified step id (``flow.step``)."""

    flows: dict[str, Flow]
    steps: dict[str, Step] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for flow in self.flows.values():
            for step in flow.steps:
                self.steps[f"{flow.id}.{step.id}"] = step

    def step(self, qid: str) -> Step:
        return self.steps[qid]

    def start_of(self, flow_id: str) -> str:
        return f"{flow_id}.{self.flows[flow_id].start}"

    def intents(self) -> dict[str, Matching]:
        """What typed text can point to: FAQ topics (their step) and offers (their flow)."""
        found: dict[str, Matching] = {}
        for step in self.steps.values():
            if isinstance(step, MessageStep) and step.topic and step.match is not None:
                found[step.topic] = step.match
        for flow in self.flows.values():
            if flow.match is not None:
                found[flow.id] = flow.match
        return found

    def intent_targets(self) -> dict[str, tuple[str, str]]:
        """Intent -> (step to enter, label of the button that leads there)."""
        targets: dict[str, str] = {}
        for qid, step in self.steps.items():
            if step.topic:
                targets.setdefault(step.topic, qid)
        for flow in self.flows.values():
            if flow.match is not None:
                targets[flow.id] = self.start_of(flow.id)
        labels: dict[str, str] = {}
        # The menu's own words first ("Une formation", not another step's "Voir les formations").
        menu_first = sorted(self.steps.items(), key=lambda item: item[0] != MENU_STEP)
        for qid, step in menu_first:
            if isinstance(step, ChoiceStep):
                flow_id = flow_of(qid)
                for opt in step.options:
                    if isinstance(opt.next, str):
                        labels.setdefault(qualify(flow_id, opt.next), opt.label)
        for qid, step in self.steps.items():
            if isinstance(step, MessageStep) and step.label:
                labels.setdefault(qid, step.label)
        return {
            name: (qid, labels.get(qid, self.flows[flow_of(qid)].title))
            for name, qid in targets.items()
        }

    def topics(self) -> set[str]:
        return {s.topic for s in self.steps.values() if s.topic}

    def msgids(self) -> set[str]:
        """Every translatable text of every flow."""
        found: set[str] = {f.title for f in self.flows.values()}
        for step in self.steps.values():
            found.update(_step_texts(step))
        return found


def flow_of(qid: str) -> str:
    """The flow a qualified step id belongs to (``faq`` for ``faq.relapse``)."""
    return qid.split(".", 1)[0]


def qualify(flow_id: str, target: str) -> str:
    return target if "." in target else f"{flow_id}.{target}"


def next_targets(nxt: Next | None) -> Iterator[str]:
    if nxt is None:
        return
    if isinstance(nxt, str):
        yield nxt
    else:
        for branch in nxt:
            yield branch.goto


def step_targets(step: Step) -> Iterator[tuple[str, str]]:
    """(where, target) for every target a step can lead to."""
    for target in next_targets(getattr(step, "next", None)):
        yield "next", target
    if isinstance(step, ChoiceStep | MultiStep):
        for opt in step.options:
            for target in next_targets(opt.next):
                yield f"option '{opt.id}'", target
    if isinstance(step, ConsentStep):
        yield "on_refuse", step.on_refuse


def _step_texts(step: Step) -> Iterator[str]:
    for name in sorted(TRANSLATABLE_KEYS):
        value = getattr(step, name, None)
        if isinstance(value, str):
            yield value
        elif isinstance(value, list):
            yield from value
    if isinstance(step, ChoiceStep | MultiStep):
        for opt in step.options:
            yield opt.label
