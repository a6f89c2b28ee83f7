"""Checks across flow files: what one file alone cannot show.

Once every file has passed the schema, ``check_set`` looks at the flows together: steps that
lead to unknown steps, options with nowhere to go, sources, validators, conditions without a
last branch, required steps, and loops that would never wait for the person. Each problem found
is a ``FlowProblem``, named by file, step and problem.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from flows import sources
from flows.flowset import MAIN_FLOW, MENU_STEP, FlowSet, flow_of, qualify, step_targets
from flows.schema import WAITING_KINDS, ChoiceStep, MessageStep, Step
from flows.validators import VALIDATORS

REQUIRED_STEPS = (MENU_STEP,)
UNSAID = "unsaid"  # the option « Je préfère ne pas le dire » every sensitive question has


@dataclass(frozen=True)
class FlowProblem:
    """One thing wrong in a flow file."""

    file: str
    step: str | None
    problem: str

    def __str__(self) -> str:
        where = f"{self.file}: step '{self.step}'" if self.step else self.file
        return f"{where}: {self.problem}"


def check_set(flowset: FlowSet, problems: list[FlowProblem]) -> None:
    """Check the flows together, adding every problem found to ``problems``."""
    for flow in flowset.flows.values():
        file = flowset.files[flow.id]
        if f"{flow.id}.{flow.start}" not in flowset.steps:
            problems.append(FlowProblem(file, None, f"start step '{flow.start}' does not exist"))
        for step in flow.steps:
            for wrong in _step_problems(flowset, flow.id, step):
                problems.append(FlowProblem(file, step.id, wrong))
    for qid in REQUIRED_STEPS:
        if qid not in flowset.steps and not any(p.file == f"{MAIN_FLOW}.yml" for p in problems):
            problems.append(FlowProblem(f"{MAIN_FLOW}.yml", None, f"required step '{qid}' missing"))
    _check_loops(flowset, problems)


def _step_problems(flowset: FlowSet, flow_id: str, step: Step) -> Iterator[str]:
    """What is wrong with one step of ``flow_id``: where it leads, its sources, its validator."""
    for where, target in step_targets(step):
        qid = qualify(flow_id, target)
        if qid not in flowset.steps and flow_of(qid) in flowset.flows:
            yield f"{where} leads to unknown step '{target}'"
    if isinstance(step, ChoiceStep) and step.next is None:
        missing = [o.id for o in step.options if o.next is None and o.command is None]
        if missing:
            yield f"missing next: no 'next' for option(s) {', '.join(missing)}"
    if (
        isinstance(step, ChoiceStep)
        and step.sensitive
        and UNSAID not in {o.id for o in step.options}
    ):
        yield f"sensitive question without an option '{UNSAID}' (« Je préfère ne pas le dire »)"
    for source in step.sources:
        wrong = sources.problem(source)
        if wrong:
            yield wrong
    if isinstance(step, MessageStep) and not step.sources:
        yield (
            "message without sources: say where its facts come from "
            "('seed NNN', 'brief: <section>', or 'bot')"
        )
    validator = getattr(step, "validator", None)
    if validator is not None and validator not in VALIDATORS:
        yield f"unknown validator '{validator}' (known: {', '.join(sorted(VALIDATORS))})"
    nxt = getattr(step, "next", None)
    if isinstance(nxt, list) and nxt and nxt[-1].when is not None:
        yield "conditional next needs a last branch without 'when'"


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
