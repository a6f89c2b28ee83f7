"""Loading and checking flow files.

``load_flows`` reads every ``*.yml`` of a folder, validates each with the pydantic schema and
then checks what one file alone cannot show: references between steps and flows, validators,
loops that would never wait for the person. Every problem is collected, named by file, step and
problem, so ``pat-bot check`` shows them all at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from flows import sources
from flows.schema import (
    TRANSLATABLE_KEYS,
    WAITING_KINDS,
    Branch,
    ChoiceStep,
    ConsentStep,
    Flow,
    Matching,
    MessageStep,
    MultiStep,
    Next,
    Step,
)
from flows.validators import VALIDATORS

FLOWS_DIR = Path(__file__).resolve().parent
MAIN_FLOW = "main"
MENU_STEP = "main.menu"
REQUIRED_STEPS = (MENU_STEP,)

_step_adapter: TypeAdapter[Step] = TypeAdapter(Step)


@dataclass(frozen=True)
class FlowProblem:
    """One thing wrong in a flow file."""

    file: str
    step: str | None
    problem: str

    def __str__(self) -> str:
        where = f"{self.file}: step '{self.step}'" if self.step else self.file
        return f"{where}: {self.problem}"


class FlowError(Exception):
    """Raised when flow files do not load; carries every problem found."""

    def __init__(self, problems: list[FlowProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


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


_KINDS = {"message", "choice", "multi", "input", "consent", "summary", "submit", "end"}


def _describe(err: dict[str, Any]) -> str:
    parts = list(err["loc"])
    if parts and parts[0] in _KINDS:  # the discriminator tag pydantic puts first
        parts = parts[1:]
    loc = ".".join(str(part) for part in parts)
    return f"{loc}: {err['msg']}" if loc else str(err["msg"])


def _load_file(path: Path, problems: list[FlowProblem]) -> Flow | None:
    name = path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        problems.append(FlowProblem(name, None, f"cannot be read as YAML: {exc}"))
        return None
    if not isinstance(raw, dict):
        problems.append(FlowProblem(name, None, "must be a mapping with id, title, start, steps"))
        return None
    raw_steps = raw.get("steps")
    ok = True
    steps: list[Step] = []
    if not isinstance(raw_steps, list) or not raw_steps:
        problems.append(FlowProblem(name, None, "'steps' must be a non-empty list"))
        return None
    seen: set[str] = set()
    for index, raw_step in enumerate(raw_steps):
        sid = raw_step.get("id") if isinstance(raw_step, dict) else None
        label = str(sid) if sid else f"#{index + 1}"
        if sid in seen:
            problems.append(FlowProblem(name, label, "duplicated step id"))
            ok = False
        seen.add(str(sid))
        try:
            steps.append(_step_adapter.validate_python(raw_step))
        except ValidationError as exc:
            ok = False
            for err in exc.errors():
                problems.append(FlowProblem(name, label, _describe(dict(err))))
    if not ok:
        return None
    header = {k: v for k, v in raw.items() if k != "steps"}
    try:
        flow = Flow.model_validate({**header, "steps": steps})
    except ValidationError as exc:
        for err in exc.errors():
            problems.append(FlowProblem(name, None, _describe(dict(err))))
        return None
    return flow


def _check_set(flowset: FlowSet, problems: list[FlowProblem]) -> None:
    for flow in flowset.flows.values():
        file = flowset.files[flow.id]
        if f"{flow.id}.{flow.start}" not in flowset.steps:
            problems.append(FlowProblem(file, None, f"start step '{flow.start}' does not exist"))
        for step in flow.steps:
            for where, target in step_targets(step):
                qid = qualify(flow.id, target)
                if qid not in flowset.steps and flow_of(qid) in flowset.flows:
                    problems.append(
                        FlowProblem(file, step.id, f"{where} leads to unknown step '{target}'")
                    )
            if isinstance(step, ChoiceStep) and step.next is None:
                missing = [o.id for o in step.options if o.next is None and o.command is None]
                if missing:
                    problems.append(
                        FlowProblem(
                            file,
                            step.id,
                            f"missing next: no 'next' for option(s) {', '.join(missing)}",
                        )
                    )
            for source in step.sources:
                wrong = sources.problem(source)
                if wrong:
                    problems.append(FlowProblem(file, step.id, wrong))
            if isinstance(step, MessageStep) and not step.sources:
                problems.append(
                    FlowProblem(
                        file,
                        step.id,
                        "message without sources: say where its facts come from "
                        "('seed NNN', 'brief: <section>', or 'bot')",
                    )
                )
            validator = getattr(step, "validator", None)
            if validator is not None and validator not in VALIDATORS:
                problems.append(
                    FlowProblem(
                        file,
                        step.id,
                        f"unknown validator '{validator}' (known: {', '.join(sorted(VALIDATORS))})",
                    )
                )
            nxt = getattr(step, "next", None)
            if isinstance(nxt, list) and nxt and nxt[-1].when is not None:
                problems.append(
                    FlowProblem(
                        file, step.id, "conditional next needs a last branch without 'when'"
                    )
                )
    for qid in REQUIRED_STEPS:
        if qid not in flowset.steps and not any(p.file == f"{MAIN_FLOW}.yml" for p in problems):
            problems.append(FlowProblem(f"{MAIN_FLOW}.yml", None, f"required step '{qid}' missing"))
    _check_loops(flowset, problems)


def _check_loops(flowset: FlowSet, problems: list[FlowProblem]) -> None:
    """A loop made only of steps that never wait would spin forever."""
    state: dict[str, int] = {}

    def visit(qid: str, trail: list[str]) -> None:
        step = flowset.steps.get(qid)
        if step is None or step.kind in WAITING_KINDS:
            return
        if state.get(qid) == 1:
            flow_id = flow_of(qid)
            problems.append(
                FlowProblem(
                    flowset.files.get(flow_id, flow_id),
                    qid.split(".", 1)[1],
                    "loop that never waits for an answer: " + " -> ".join([*trail, qid]),
                )
            )
            return
        if state.get(qid) == 2:
            return
        state[qid] = 1
        flow_id = flow_of(qid)
        for _, target in step_targets(step):
            visit(qualify(flow_id, target), [*trail, qid])
        state[qid] = 2

    for qid in flowset.steps:
        visit(qid, [])


def load_flows(directory: Path = FLOWS_DIR) -> FlowSet:
    """Load and check every flow file of ``directory``; raise FlowError listing all problems."""
    problems: list[FlowProblem] = []
    flows: dict[str, Flow] = {}
    files: dict[str, str] = {}
    paths = sorted(directory.glob("*.yml"))
    if not paths:
        raise FlowError([FlowProblem(str(directory), None, "no flow file (*.yml) found")])
    for path in paths:
        flow = _load_file(path, problems)
        if flow is None:
            continue
        if flow.id in flows:
            problems.append(
                FlowProblem(
                    path.name, None, f"flow id '{flow.id}' already used by {files[flow.id]}"
                )
            )
            continue
        flows[flow.id] = flow
        files[flow.id] = path.name
    flowset = FlowSet(flows=flows, files=files)
    _check_set(flowset, problems)
    if problems:
        raise FlowError(problems)
    return flowset


__all__ = [
    "MENU_STEP",
    "Branch",
    "FlowError",
    "FlowProblem",
    "FlowSet",
    "MessageStep",
    "flow_of",
    "load_flows",
    "next_targets",
    "qualify",
]
