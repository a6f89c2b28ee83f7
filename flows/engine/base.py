"""What every part of one walk shares: the flows, the state being changed, the clock and the
effects said so far, with the small helpers the parts use.

The walk of one event is one ``_Run`` (run.py) made of parts, each in its own file: walking
through steps (walk.py), saying a step's question (view.py), choices (choices.py), typed text
(typed.py) and safety (safety.py). The methods one part calls in another are declared here,
so that each file reads on its own and the type checker sees every call.
"""

from __future__ import annotations

from datetime import datetime

from flows.engine.effects import Effect, Field, Msg, Say
from flows.engine.events import REPLY_HERE, About, CommandName, Danger, Intent
from flows.engine.state import Leaving, State
from flows.loader import FlowSet, qualify
from flows.schema import ChoiceStep, InputStep, Next, Option, Step

# Steps walked through for one event at most (a flow that loops is a bug: it stops there).
MAX_HOPS = 200


class _Base:
    def __init__(self, flows: FlowSet, state: State, now: datetime) -> None:
        self.flows = flows
        self.state = state
        self.now = now
        self.effects: list[Effect] = []

    def say(self, msgid: str, **params: str | int | Msg) -> None:
        self.effects.append(Say(Msg(msgid, params)))

    @property
    def current(self) -> Step:
        return self.flows.step(self.state.step)

    def resolve(self, flow_id: str, nxt: Next | None) -> str:
        if nxt is None:
            raise ValueError(f"no next after a step of flow {flow_id}")
        if isinstance(nxt, str):
            return qualify(flow_id, nxt)
        for branch in nxt:
            if branch.when is None or all(
                self._holds(key, expected) for key, expected in branch.when.items()
            ):
                return qualify(flow_id, branch.goto)
        raise ValueError(f"no branch taken in flow {flow_id}")  # loader requires a default

    def _holds(self, key: str, expected: str | list[str] | bool) -> bool:
        value = self.state.reply_here if key == REPLY_HERE else self.state.answers.get(key)
        if isinstance(expected, bool):
            return bool(value) is expected
        if isinstance(expected, str):
            return value == expected or (isinstance(value, list) and expected in value)
        return isinstance(value, str) and value in expected

    def shown(self, step: ChoiceStep) -> list[Option]:
        """The options of a choice step whose ``when`` holds now."""
        return [
            o
            for o in step.options
            if o.when is None or all(self._holds(k, v) for k, v in o.when.items())
        ]

    def clear_request(self) -> None:
        self.state.answers.clear()
        self.state.path.clear()
        self.state.consent = None
        self.state.mode = "normal"
        self.state.edit_target = None

    def close_overlay(self) -> None:
        """Back to the current step's own question."""
        st = self.state
        st.overlay = "none"
        st.suggestions = []
        st.pending = []
        st.about = "self"
        st.danger = None
        st.beneath = "none"
        st.leaving = None

    def offer_also(self, name: str) -> None:
        """On top of the current step: "this too, the answer?" for a second subject."""
        self.state.overlay = "also"
        self.state.suggestions = [name]

    # -- written in the other parts ----------------------------------------------------------

    def enter(self, qid: str, also: str | None = None) -> None:
        raise NotImplementedError  # walk.py

    def go_menu(self) -> None:
        raise NotImplementedError  # walk.py

    def leave(self, to: Leaving) -> None:
        raise NotImplementedError  # leaving.py

    def start(
        self, payload: str | None, locale: str | None = None, *, show_menu: bool = True
    ) -> None:
        raise NotImplementedError  # run.py

    def fields(self) -> tuple[Field, ...]:
        raise NotImplementedError  # walk.py

    def prompt(self, first: Msg | None = None, update: bool = False) -> None:
        raise NotImplementedError  # view.py

    def command(self, name: CommandName) -> None:
        raise NotImplementedError  # run.py

    def set_locale(self, locale: str) -> None:
        raise NotImplementedError  # run.py

    def _stale(self) -> None:
        raise NotImplementedError  # choices.py

    def abandon_choice(self, opt: str) -> None:
        raise NotImplementedError  # leaving.py

    def _store(self, step: InputStep, value: str) -> None:
        raise NotImplementedError  # choices.py

    def offer_language(self, written_in: str | None, intent: Intent | None) -> bool:
        raise NotImplementedError  # switch.py

    def prompt_switch(self) -> None:
        raise NotImplementedError  # switch.py

    def switch_choice(self, opt: str) -> None:
        raise NotImplementedError  # switch.py

    def in_request(self) -> bool:
        raise NotImplementedError  # typed.py

    def understand(self, intent: Intent) -> None:
        raise NotImplementedError  # typed.py

    def follow(self, name: str, also: str | None = None) -> None:
        raise NotImplementedError  # typed.py

    def help_screen(self) -> None:
        raise NotImplementedError  # safety.py

    def crisis(self, intent: Intent) -> None:
        raise NotImplementedError  # safety.py

    def help_lines(
        self,
        about: About,
        danger: Danger | None = None,
        *,
        pending: list[tuple[str, float]] | None = None,
    ) -> None:
        raise NotImplementedError  # safety.py

    def back_here(self) -> None:
        raise NotImplementedError  # safety.py

    def not_in_danger(self, *, not_ok: bool = False) -> None:
        raise NotImplementedError  # safety.py
