"""One event applied to one state: ``advance`` and ``prompt``, and the walk that does it.

``_Run`` is made of the parts in this package (walk, view, choices, typed text, safety); this
file holds what ties them together: which kind of event goes where, a new conversation and
its deep links, the commands, a language switch.
"""

from __future__ import annotations

from datetime import datetime

from flows import texts
from flows.engine.choices import _Choices
from flows.engine.effects import Effect, Msg
from flows.engine.events import (
    Choice,
    Command,
    CommandName,
    Event,
    SetLocale,
    Start,
    Text,
)
from flows.engine.leaving import _Leaving
from flows.engine.safety import _Safety
from flows.engine.state import Leaving, State
from flows.engine.switch import _Switch
from flows.engine.typed import _Typed
from flows.engine.view import _View
from flows.engine.walk import _Walk
from flows.loader import MAIN_FLOW, MENU_STEP, FlowSet, flow_of
from flows.locales import REFERENCE
from flows.schema import ConsentStep, MessageStep


def advance(
    flows: FlowSet, state: State | None, event: Event, now: datetime
) -> tuple[State, list[Effect]]:
    """Apply one event to a state; return the new state and what to do."""
    run = _Run(flows, state.clone() if state else State(), now)
    run.handle(event)
    return run.state, run.effects


def prompt(flows: FlowSet, state: State) -> list[Effect]:
    """The current step's question again, without changing anything."""
    run = _Run(flows, state.clone(), datetime.min)
    run.prompt()
    return run.effects


class _Run(_Leaving, _Safety, _Switch, _Typed, _Choices, _View, _Walk):
    def handle(self, event: Event) -> None:
        if isinstance(event, Start) and self.state.started:
            # A new conversation drops a request in progress: asked first (leaving.py).
            self.leave(Leaving(to="start", payload=event.payload, locale=event.locale))
        elif isinstance(event, Start):
            self.start(event.payload, event.locale)
        elif isinstance(event, SetLocale):
            self.set_locale(event.locale)
        elif not self.state.started:
            # Anything before /start opens the conversation; distress is still answered first,
            # and a first typed question is answered after the welcome rather than dropped.
            if isinstance(event, Command) and event.name == "urgent":
                self.state.started = True
                self.help_screen()
                return
            if isinstance(event, Text):
                if event.intent is not None and event.intent.name == "crisis":
                    self.state.started = True
                    self.crisis(event.intent)
                    return
                self.start(None, show_menu=False)
                self.text(event.text, event.intent, event.length, event.written_in)
                return
            self.start(None)
        elif isinstance(event, Command):
            self.command(event.name)
        elif isinstance(event, Choice):
            self.choice(event)
        else:
            self.text(event.text, event.intent, event.length, event.written_in)

    def deep_link(self, payload: str | None) -> str | None:
        """The step a /start payload opens: an offer or FAQ flow, or one FAQ topic."""
        if not payload:
            return None
        flow = self.flows.flows.get(payload)
        if flow is not None and flow.deep_link:
            return self.flows.start_of(payload)
        if payload.startswith("faq_"):
            topic = payload.removeprefix("faq_")
            for qid, step in self.flows.steps.items():
                if step.topic == topic and self.flows.flows[flow_of(qid)].deep_link:
                    return qid
        return None

    def set_locale(self, locale: str) -> None:
        """Switch language; answers, step and buttons stay as they were."""
        self.state.locale = locale
        self.state.language_chosen = True
        if self.state.overlay == "language":
            self.close_overlay()
        self.say(texts.LANGUAGE_SET)
        if self.state.started:
            if locale != REFERENCE:
                self.say(texts.TEAM_LANGUAGE)
            self.prompt()
        else:
            self.start(None)

    def start(
        self, payload: str | None, locale: str | None = None, *, show_menu: bool = True
    ) -> None:
        old = self.state
        source = payload if payload and payload.startswith("src_") else None
        # A new conversation: nothing read before it, and the source of its own link only.
        self.state = State(locale=locale or old.locale, source=source, started=True, turn=old.turn)
        welcome = self.flows.start_of(MAIN_FLOW)
        target = self.deep_link(payload)
        welcome_step = self.flows.step(welcome)
        if not isinstance(welcome_step, MessageStep):
            self.enter(target or welcome)
            return
        for text in welcome_step.texts:
            self.say(text)
        if self.state.locale != REFERENCE:
            self.say(texts.TEAM_LANGUAGE)
        if target is None and not show_menu:  # the caller answers at the menu
            self.state.step = MENU_STEP
            self.state.turn += 1
            return
        # A deep link opens its subject; an unknown or absent one, the menu.
        self.enter(target or self.resolve(MAIN_FLOW, welcome_step.next))

    def command(self, name: CommandName) -> None:
        if name in ("menu", "cancel"):
            self.leave(Leaving(to=name))
        elif name == "help":
            self.say(texts.HELP)
            self.prompt()
        elif name == "privacy":
            for text in texts.PRIVACY_NOTICE:  # the adapter leaves out unset settings
                self.say(text)
            step = self.current
            if isinstance(step, ConsentStep) and self.state.overlay == "none":
                self.prompt(first=Msg(step.texts[-1]))  # the question again, not all it said
            else:
                self.prompt()
        elif name == "forget":
            self.close_overlay()
            self.state.overlay = "forget"
            self.state.turn += 1
            self.prompt()
        elif name == "resume":
            self.say(texts.RESUMED)
            self.prompt()
        elif name == "language":
            self.close_overlay()
            self.state.overlay = "language"
            self.prompt()
        elif name == "urgent":
            self.help_screen()
