"""Loading and checking flow files.

``load_flows`` reads every ``*.yml`` of a folder, validates each with the pydantic schema and
then checks what one file alone cannot show: references between steps and flows, validators,
loops that would never wait for the person. Every problem is collected, named by file, step and
problem, so ``pat-bot check`` shows them all at once.

The checks across files are in ``flows.checks``, the ``FlowSet`` and the ways between steps in
``flows.flowset``; their names are importable from here too, as most modules do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from flows.checks import REQUIRED_STEPS, FlowProblem, check_set
from flows.flowset import (
    MAIN_FLOW,
    MENU_STEP,
    FlowSet,
    flow_of,
    next_targets,
    qualify,
    step_targets,
)
from flows.schema import Branch, Flow, MessageStep, Step

FLOWS_DIR = Path(__file__).resolve().parent

_step_adapter: TypeAdapter[Step] = TypeAdapter(Step)


class FlowError(Exception):
    """Raised when flow files do not load; carries every problem found."""

    def __init__(self, problems: list[FlowProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


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
    check_set(flowset, problems)
    if problems:
        raise FlowError(problems)
    return flowset


__all__ = [
    "FLOWS_DIR",
    "MAIN_FLOW",
    "MENU_STEP",
    "REQUIRED_STEPS",
    "Branch",
    "FlowError",
    "FlowProblem",
    "FlowSet",
    "MessageStep",
    "flow_of",
    "load_flows",
    "next_targets",
    "qualify",
    "step_targets",
]
