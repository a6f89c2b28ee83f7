"""The conversation engine: ``advance(flows, state, event, now) -> (state, effects)``.

Pure: no I/O, no clock (``now`` is passed in), no telegram, aiosqlite or gettext. Adapters turn
what a person does into an ``Event``, call ``advance``, then carry out the effects: render
``Say`` (translated, with buttons), store ``ConsentGiven``, store and deliver ``Submit``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic import Field as PydanticField

from flows import texts
from flows.language import language
from flows.loader import MAIN_FLOW, MENU_STEP, FlowSet, flow_of, qualify
from flows.locales import LOCALES, REFERENCE
from flows.schema import (
    ChoiceStep,
    ConsentStep,
    EndStep,
    InputStep,
    MessageStep,
    MultiStep,
    Next,
    Option,
    Step,
    SubmitStep,
    SummaryStep,
)
from flows.validators import MAX_INPUT_CHARS, VALIDATORS, derived_answers

# ---------------------------------------------------------------------------------------------
# Events: what the person did.


@dataclass(frozen=True)
class Start:
    """A new conversation (/start), optionally with a deep-link payload and a language."""

    payload: str | None = None
    locale: str | None = None


@dataclass(frozen=True)
class SetLocale:
    """The person's language, chosen outside the picker (e.g. ``pat-bot chat --lang nl``)."""

    locale: str


Tier = Literal["sure", "possible"]
About = Literal["self", "other"]
# What kind of danger, for the help lines it needs: thoughts of suicide or self-harm (also in
# progress) and despair share the listening lines; the others have lines of their own; "help"
# is the person asking for help without saying what (the help screen by situation).
Danger = Literal[
    "suicide", "selfharm", "despair", "overdose", "violence", "child", "shelter", "help"
]
DANGERS: tuple[Danger, ...] = (
    "suicide",
    "selfharm",
    "despair",
    "overdose",
    "violence",
    "child",
    "shelter",
    "help",
)


@dataclass(frozen=True)
class Intent:
    """What a typed text seems to be about (see flows/nlu.py): ``crisis``, a FAQ topic id, an
    offer id, or ``unknown``; ``alternatives`` are the runners-up, best first.

    For ``crisis`` (flows/distress.py): ``tier`` says whether the danger is sure (help lines at
    once) or possible (ask first); ``about`` whether the writer or someone else may be in
    danger; ``danger`` what kind of danger (its help lines); ``then`` what the text is
    otherwise about, answered if the person says it was a question for their work, or once
    they choose to go back after the help lines."""

    name: str
    score: float
    alternatives: tuple[tuple[str, float], ...] = ()
    reason: str = ""
    tier: Tier | None = None
    about: About | None = None
    danger: Danger | None = None
    then: Intent | None = None

    @property
    def level(self) -> Literal["high", "medium", "low"]:
        if self.name in ("unknown",) or self.score < MEDIUM:
            return "low"
        return "high" if self.score >= HIGH else "medium"


# Confidence thresholds of the text classifier (flows/nlu.py uses the same): act alone, ask
# "did you mean", or say it was not understood.
HIGH = 0.62
MEDIUM = 0.36


@dataclass(frozen=True)
class Text:
    """Free text typed by the person, with what the classifier made of it (if anything)."""

    text: str
    intent: Intent | None = None


@dataclass(frozen=True)
class Choice:
    """A button pressed; ``turn`` says which prompt the button belonged to (None: current)."""

    option: str
    turn: int | None = None


CommandName = Literal["menu", "cancel", "help", "privacy", "resume", "language", "forget", "urgent"]


@dataclass(frozen=True)
class Command:
    """/menu, /cancel, /help, /privacy, /sos (``urgent``: the help lines by situation, one tap
    from every step), or a resume after a restart."""

    name: CommandName


Event = Start | Text | Choice | Command | SetLocale

# Reserved button ids (flow option ids cannot start with "_").
MENU = "_menu"
SKIP = "_skip"
DONE = "_done"
SEND = "_send"
END_CHAT = "_end_chat"  # the person ends a conversation with a person from PAT
REPLY_HERE = "reply_here"  # a condition: can a person from PAT answer in this chat?
EDIT = "_edit"
BACK = "_back"
YES = "_yes"
NO = "_no"
EDIT_FIELD = "_f:"
LANGUAGE = "_lang:"
INTENT = "_i:"
CONTINUE = "_continue"
DANGER_YES = "_danger_yes"
DANGER_NO = "_danger_no"
DANGER_NOT_OK = "_danger_not_ok"  # "no, but I'm not OK" (or "…but I'm worried")
BACK_HERE = "_back_here"  # after the help lines: back to exactly where the person was
ALL_LINES = "_all_lines"  # after the help lines of one situation: the help screen
FORGET_YES = "_forget_yes"
FORGET_NO = "_forget_no"

# ---------------------------------------------------------------------------------------------
# Effects: what the adapter must do.


@dataclass(frozen=True)
class Msg:
    """A text to translate (msgid) and its placeholders (strings or further Msgs)."""

    id: str
    params: Mapping[str, str | int | Msg] = field(default_factory=dict)


@dataclass(frozen=True)
class Button:
    id: str
    label: Msg
    selected: bool = False


@dataclass(frozen=True)
class Field:
    """One answer as staff and the summary show it."""

    key: str
    step: str
    label: Msg
    value: str | Msg | tuple[Msg, ...]
    raw: str | tuple[str, ...]


@dataclass(frozen=True)
class Say:
    """One chat bubble. ``buttons`` belong to prompt ``turn``; ``update`` asks the adapter to
    redraw the previous prompt (a toggled multi-choice) instead of sending a new bubble."""

    text: Msg
    buttons: tuple[Button, ...] = ()
    fields: tuple[Field, ...] = ()
    turn: int = 0
    expects: Literal["nothing", "choice", "multi", "text"] = "nothing"
    update: bool = False


@dataclass(frozen=True)
class ConsentGiven:
    version: str
    at: datetime


@dataclass(frozen=True)
class ConsentRefused:
    version: str


@dataclass(frozen=True)
class Forget:
    """Erase everything held about this person (the adapter knows what and where)."""


@dataclass(frozen=True)
class Submit:
    """A finished request, handed over for storage and delivery."""

    offer: str
    offer_title: Msg
    fields: tuple[Field, ...]
    answers: Mapping[str, str | list[str]]
    faq_read: tuple[str, ...]
    locale: str
    consent_version: str
    consent_at: datetime
    source: str | None


Effect = Say | ConsentGiven | ConsentRefused | Submit | Forget

# ---------------------------------------------------------------------------------------------
# State: everything needed to continue, serialisable to JSON.


class Consent(BaseModel):
    model_config = ConfigDict(frozen=True)

    version: str
    at: datetime


# A question asked on top of the current step, which stays where it was: erase everything?
# (forget), back where you were after the help lines? (crisis), the help lines by situation
# (help), are you in danger right now? (check), did you mean…? (suggest), which language?
# (language), which answer to correct? (pick_field).
Overlay = Literal["none", "forget", "crisis", "help", "check", "suggest", "language", "pick_field"]


class State(BaseModel):
    """Where one person is in the conversation."""

    model_config = ConfigDict(extra="ignore")

    step: str = MENU_STEP
    turn: int = 0
    locale: str = "fr"
    answers: dict[str, str | list[str]] = PydanticField(default_factory=dict)
    path: list[str] = PydanticField(default_factory=list)
    faq_read: list[str] = PydanticField(default_factory=list)
    consent: Consent | None = None
    # "edit": correcting one answer from the summary (edit_target), other questions skipped.
    mode: Literal["normal", "edit"] = "normal"
    edit_target: str | None = None
    overlay: Overlay = "none"
    # suggest: the intents offered; check: what the typed text was otherwise about (intent,
    # score), answered if the person says it was a question for their work. Ids, never text.
    suggestions: list[str] = PydanticField(default_factory=list)
    pending: list[tuple[str, float]] = PydanticField(default_factory=list)
    # check and crisis: who may be in danger, and what kind of danger (its help lines).
    about: About = "self"
    danger: Danger | None = None
    # The person said "no danger, a work question" at this step: a text that could be
    # distress is taken as the answer here (a sure one still shows the help lines).
    check_declined: bool = False
    source: str | None = None
    started: bool = False
    # Set by the service before each event: a person from PAT can answer in this chat
    # (hand-off on, and this channel carries it). Conditions read it as ``reply_here``.
    reply_here: bool = False

    @model_validator(mode="before")
    @classmethod
    def _from_older_states(cls, data: Any) -> Any:
        """States saved before the overlay field had one flag per overlay."""
        if not isinstance(data, dict) or "overlay" in data:
            return data
        data = dict(data)
        flags = {
            "confirming_forget": "forget",
            "crisis_pause": "crisis",
            "picking_language": "language",
        }
        for flag, overlay in flags.items():
            if data.pop(flag, False):
                data["overlay"] = overlay
        if data.get("mode") == "pick_field":
            data["mode"], data["overlay"] = "normal", "pick_field"
        if data.get("suggestions") and "overlay" not in data:
            data["overlay"] = "suggest"
        return data

    def has_personal_data(self) -> bool:
        return bool(self.answers) or self.consent is not None

    def clone(self) -> State:
        """A copy that shares nothing mutable with this state.

        Same result as a deep ``model_copy`` for this shape (strings, numbers, lists of
        strings, a frozen Consent), several times cheaper: the engine copies a state per update.
        """
        return self.model_copy(
            update={
                "answers": {
                    k: list(v) if isinstance(v, list) else v for k, v in self.answers.items()
                },
                "path": list(self.path),
                "faq_read": list(self.faq_read),
                "suggestions": list(self.suggestions),
                "pending": list(self.pending),
            }
        )


_MAX_HOPS = 200


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


class _Run:
    def __init__(self, flows: FlowSet, state: State, now: datetime) -> None:
        self.flows = flows
        self.state = state
        self.now = now
        self.effects: list[Effect] = []

    # -- helpers ------------------------------------------------------------------------------

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

    # -- entering steps -----------------------------------------------------------------------

    def enter(self, qid: str) -> None:
        """Walk from ``qid`` through steps that do not wait, then wait at the next one."""
        self.close_overlay()
        self.state.check_declined = False
        for _ in range(_MAX_HOPS):
            step = self.flows.step(qid)
            flow_id = flow_of(qid)
            if step.reset:
                self.clear_request()
            self.state.answers.update(step.set)
            if step.topic and step.topic not in self.state.faq_read:
                self.state.faq_read.append(step.topic)
            key = getattr(step, "key", None)
            if key is not None or isinstance(step, ConsentStep):
                if qid in self.state.path:
                    self.state.path.remove(qid)
                self.state.path.append(qid)
            if self.state.mode == "edit" and qid != self.state.edit_target:
                skip_to = self._skip_when_editing(step, flow_id)
                if skip_to is not None:
                    qid = skip_to
                    continue
            if isinstance(step, MessageStep):
                for text in step.texts:
                    self.say(text)
                qid = self.resolve(flow_id, step.next)
            elif isinstance(step, EndStep):
                # Last words, then the menu: nobody rests on a step that only says goodbye.
                for text in step.texts:
                    self.say(text)
                self.state.mode = "normal"
                self.state.edit_target = None
                qid = MENU_STEP
            elif isinstance(step, SubmitStep):
                self.effects.append(self._submission())
                # The request now lives in storage; the conversation keeps nothing personal,
                # and the next request carries only what happens from now on.
                self.clear_request()
                self.state.faq_read = []
                self.state.source = None
                qid = self.resolve(flow_id, step.next)
            else:
                if isinstance(step, SummaryStep):
                    self.state.mode = "normal"
                    self.state.edit_target = None
                self.state.step = qid
                self.state.turn += 1
                self.prompt()
                return
        raise RuntimeError(f"flow walk did not stop after {_MAX_HOPS} steps (at {qid})")

    def _skip_when_editing(self, step: Step, flow_id: str) -> str | None:
        """While correcting one answer, questions already answered are not asked again."""
        if isinstance(step, ConsentStep) and self.state.consent is not None:
            return self.resolve(flow_id, step.next)
        if isinstance(step, ChoiceStep) and step.key and step.key in self.state.answers:
            chosen = next((o for o in step.options if o.id == self.state.answers[step.key]), None)
            if chosen is not None:
                return self.resolve(flow_id, chosen.next or step.next)
        if isinstance(step, MultiStep | InputStep) and step.key in self.state.answers:
            return self.resolve(flow_id, step.next)
        return None

    def go_menu(self) -> None:
        self.state.mode = "normal"
        self.state.edit_target = None
        self.enter(MENU_STEP)

    # -- prompts ------------------------------------------------------------------------------

    def _menu_button(self) -> tuple[Button, ...]:
        return (Button(MENU, Msg(texts.MENU_BUTTON)),)

    def prompt(self, first: Msg | None = None, update: bool = False) -> None:
        """Say the current step's question with its buttons (``first`` replaces its text)."""
        st = self.state
        step = self.current
        turn = st.turn
        buttons: tuple[Button, ...]
        if st.overlay != "none" and st.overlay != "pick_field":
            self._prompt_overlay()
            return
        if isinstance(step, ChoiceStep):
            buttons = tuple(Button(o.id, Msg(o.label)) for o in self.shown(step))
            if step.menu_button and st.step != MENU_STEP:
                buttons += self._menu_button()
            self.effects.append(Say(first or Msg(step.text), buttons, turn=turn, expects="choice"))
        elif isinstance(step, MultiStep):
            chosen = st.answers.get(step.key, [])
            buttons = (
                *tuple(Button(o.id, Msg(o.label), selected=o.id in chosen) for o in step.options),
                Button(DONE, Msg(step.done_label)),
                *self._menu_button(),
            )
            self.effects.append(
                Say(first or Msg(step.text), buttons, turn=turn, expects="multi", update=update)
            )
        elif isinstance(step, InputStep):
            buttons = ()
            if step.optional:
                buttons += (Button(SKIP, Msg(step.skip_label or texts.SKIP_BUTTON)),)
            buttons += self._menu_button()
            self.effects.append(Say(first or Msg(step.text), buttons, turn=turn, expects="text"))
        elif isinstance(step, ConsentStep):
            *lead, last = step.texts
            if first is not None:
                lead, last = [], first.id
            for text in lead:
                self.say(text)
            buttons = (
                Button(YES, Msg(step.accept_label)),
                Button(NO, Msg(step.refuse_label)),
            )
            self.effects.append(Say(Msg(last), buttons, turn=turn, expects="choice"))
        elif isinstance(step, SummaryStep):
            fields = self.fields()
            if st.overlay == "pick_field":
                buttons = tuple(Button(EDIT_FIELD + f.step, f.label) for f in fields)
                buttons += (Button(BACK, Msg(texts.BACK_TO_SUMMARY)),)
                self.effects.append(
                    Say(Msg(texts.PICK_FIELD), buttons, turn=turn, expects="choice")
                )
            else:
                buttons = (
                    Button(SEND, Msg(step.send_label)),
                    Button(EDIT, Msg(step.edit_label)),
                    *self._menu_button(),
                )
                self.effects.append(
                    Say(
                        first or Msg(step.text), buttons, fields=fields, turn=turn, expects="choice"
                    )
                )

    def _prompt_overlay(self) -> None:
        """The question an overlay asks, with its buttons."""
        st = self.state
        text: str
        buttons: tuple[Button, ...]
        if st.overlay == "forget":
            text = texts.FORGET_CONFIRM
            buttons = (
                Button(FORGET_YES, Msg(texts.FORGET_YES)),
                Button(FORGET_NO, Msg(texts.FORGET_NO)),
            )
        elif st.overlay == "crisis":
            # Warm words, never the services menu: the person chooses when to go back.
            text = texts.CRISIS_AFTER_OTHER if st.about == "other" else texts.CRISIS_AFTER
            if st.pending:
                self.say(text)
                text = texts.QUESTION_WAITS
            buttons = (
                Button(BACK_HERE, Msg(texts.BACK_HERE_BUTTON)),
                Button(ALL_LINES, Msg(texts.ALL_LINES_BUTTON)),
            )
        elif st.overlay == "help":
            text = texts.HELP_NOW
            buttons = (Button(BACK_HERE, Msg(texts.BACK_HERE_BUTTON)),)
        elif st.overlay == "check":
            other = st.about == "other"
            text = texts.CHECK_OTHER if other else texts.CHECK_SELF
            buttons = (
                Button(DANGER_YES, Msg(texts.DANGER_YES_OTHER if other else texts.DANGER_YES)),
                Button(
                    DANGER_NOT_OK, Msg(texts.DANGER_NOT_OK_OTHER if other else texts.DANGER_NOT_OK)
                ),
                Button(DANGER_NO, Msg(texts.DANGER_NO)),
            )
        elif st.overlay == "suggest":
            text = texts.DID_YOU_MEAN
            targets = self.flows.intent_targets()
            buttons = (
                tuple(Button(INTENT + name, Msg(targets[name][1])) for name in st.suggestions)
                + self._menu_button()
            )
        else:  # language
            text = texts.LANGUAGE_PICK
            buttons = tuple(
                # Each language named in its own language (lexicon/<code>.yml): not translated.
                Button(LANGUAGE + code, Msg(language(code).name))
                for code in LOCALES
            )
        self.effects.append(Say(Msg(text), buttons, turn=st.turn, expects="choice"))

    # -- answers ------------------------------------------------------------------------------

    def fields(self) -> tuple[Field, ...]:
        """Answers on the current path that have a summary label, in the order asked."""
        out: dict[str, Field] = {}
        for qid in self.state.path:
            step = self.flows.step(qid)
            if not isinstance(step, ChoiceStep | MultiStep | InputStep) or not step.summary:
                continue
            if step.key is None or step.key not in self.state.answers:
                continue
            raw = self.state.answers[step.key]
            value: str | Msg | tuple[Msg, ...]
            if isinstance(step, ChoiceStep):
                labels = {o.id: o.label for o in step.options}
                value = Msg(labels.get(str(raw), texts.NOT_GIVEN))
            elif isinstance(step, MultiStep):
                labels = {o.id: o.label for o in step.options}
                chosen = raw if isinstance(raw, list) else [raw]
                value = tuple(Msg(labels[c]) for c in chosen if c in labels) or Msg(texts.NOT_GIVEN)
            else:
                value = str(raw) if raw else Msg(texts.NOT_GIVEN)
            out.pop(step.key, None)
            out[step.key] = Field(
                step.key,
                qid,
                Msg(step.summary),
                value,
                tuple(raw) if isinstance(raw, list) else raw,
            )
        return tuple(out.values())

    def _submission(self) -> Submit:
        st = self.state
        offer = str(st.answers.get("offer", "other"))
        flow = self.flows.flows.get(offer)
        consent = st.consent
        if consent is None:  # the loader cannot prove this; the flows must ask before submit
            raise RuntimeError("submit reached without consent")
        fields = self.fields()
        answers: dict[str, str | list[str]] = {
            f.key: list(f.raw) if isinstance(f.raw, tuple) else f.raw for f in fields
        }
        return Submit(
            offer=offer,
            offer_title=Msg(flow.title if flow else offer),
            fields=fields,
            answers={"offer": offer, **answers},
            faq_read=tuple(st.faq_read),
            locale=st.locale,
            consent_version=consent.version,
            consent_at=consent.at,
            source=st.source,
        )

    # -- events -------------------------------------------------------------------------------

    def handle(self, event: Event) -> None:
        if isinstance(event, Start):
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
                self.text(event.text, event.intent)
                return
            self.start(None)
        elif isinstance(event, Command):
            self.command(event.name)
        elif isinstance(event, Choice):
            self.choice(event)
        else:
            self.text(event.text, event.intent)

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
        if name == "menu":
            self.go_menu()
        elif name == "cancel":
            self.clear_request()
            self.say(texts.CANCELLED)
            self.go_menu()
        elif name == "help":
            self.say(texts.HELP)
            self.prompt()
        elif name == "privacy":
            for text in texts.PRIVACY_NOTICE:  # the adapter leaves out unset settings
                self.say(text)
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

    def help_screen(self) -> None:
        """The help lines by situation, on top of wherever the person is (answers kept); a
        question about PAT waiting after other help lines still waits."""
        st = self.state
        pending = st.pending if st.overlay in ("crisis", "help") else []
        self.close_overlay()
        st.pending = pending
        st.overlay = "help"
        st.turn += 1
        self.prompt()

    def _stale(self) -> None:
        self.say(texts.STALE)
        self.prompt()

    def choice(self, event: Choice) -> None:
        st = self.state
        if event.turn is not None and event.turn != st.turn:
            self._stale()
            return
        if st.overlay == "forget":
            self._forget_choice(event.option)
            return
        if st.overlay in ("crisis", "help", "check", "suggest"):
            self._pending_choice(event.option)
            return
        if st.overlay == "language":
            code = event.option.removeprefix(LANGUAGE)
            if event.option.startswith(LANGUAGE) and code in LOCALES:
                self.set_locale(code)
            else:
                self._stale()
            return
        if event.option == MENU and st.step != MENU_STEP:
            self.go_menu()
            return
        step = self.current
        flow_id = flow_of(st.step)
        opt = event.option
        if isinstance(step, ChoiceStep):
            chosen = next((o for o in self.shown(step) if o.id == opt), None)
            if chosen is None:
                self._stale()
                return
            if chosen.command is not None:
                self.command(chosen.command)
                return
            if step.key:
                st.answers[step.key] = chosen.id
            self.enter(self.resolve(flow_id, chosen.next or step.next))
        elif isinstance(step, MultiStep):
            if opt == DONE:
                st.answers.setdefault(step.key, [])
                self.enter(self.resolve(flow_id, step.next))
            elif any(o.id == opt for o in step.options):
                current = st.answers.get(step.key, [])
                selected = list(current) if isinstance(current, list) else [current]
                if opt in selected:
                    selected.remove(opt)
                else:
                    selected.append(opt)
                order = [o.id for o in step.options]
                st.answers[step.key] = sorted(selected, key=order.index)
                self.prompt(update=True)
            else:
                self._stale()
        elif isinstance(step, InputStep) and opt == SKIP and step.optional:
            self._store(step, "")
            self.enter(self.resolve(flow_id, step.next))
        elif isinstance(step, ConsentStep) and opt in (YES, NO):
            if opt == YES:
                st.consent = Consent(version=step.version, at=self.now)
                self.effects.append(ConsentGiven(step.version, self.now))
                self.enter(self.resolve(flow_id, step.next))
            else:
                self.clear_request()
                self.effects.append(ConsentRefused(step.version))
                self.enter(qualify(flow_id, step.on_refuse))
        elif isinstance(step, SummaryStep):
            self._summary_choice(step, flow_id, opt)
        else:
            self._stale()

    def _store(self, step: InputStep, value: str) -> None:
        """An input's answer, and what follows from it (a commune gives its region)."""
        self.state.answers[step.key] = value
        for key, derived in derived_answers(step.validator, value).items():
            if derived is None:
                self.state.answers.pop(key, None)
            else:
                self.state.answers[key] = derived

    def _forget_choice(self, opt: str) -> None:
        st = self.state
        if opt == FORGET_YES:
            self.effects.append(Forget())
            self.state = State(locale=st.locale, started=True, turn=st.turn + 1)
            self.say(texts.FORGOTTEN)
            self.go_menu()
        elif opt == FORGET_NO:
            self.close_overlay()
            st.turn += 1
            self.say(texts.NOT_FORGOTTEN)
            self.prompt()
        else:
            self._stale()

    def _pending_choice(self, opt: str) -> None:
        """An answer after the help lines (back where I was, all the numbers), to "are you in
        danger right now?", or to "did you mean…?"."""
        st = self.state
        if opt == MENU and st.overlay == "suggest":
            self.go_menu()
        elif st.overlay in ("crisis", "help") and opt in (BACK_HERE, CONTINUE):
            self.back_here()
        elif st.overlay == "crisis" and opt == ALL_LINES:
            self.help_screen()
        elif st.overlay == "check" and opt == DANGER_YES:
            self.help_lines(st.about, st.danger)
        elif st.overlay == "check" and opt == DANGER_NOT_OK:
            self.not_in_danger(not_ok=True)
        elif st.overlay == "check" and opt == DANGER_NO:
            self.not_in_danger()
        elif st.overlay == "suggest" and opt.removeprefix(INTENT) in st.suggestions:
            name = opt.removeprefix(INTENT)
            self.close_overlay()
            self.follow(name)
        else:
            self._stale()

    # -- typed text understood ----------------------------------------------------------------

    def in_request(self) -> bool:
        """Inside an offer's questions (not at the menu or in the FAQ)."""
        return flow_of(self.state.step) not in ("main", "faq")

    def crisis(self, intent: Intent) -> None:
        """Distress first. Sure: the help lines at once. Possible: one direct, kind question,
        with 112 and the listening lines on the same screen; the typed text is never kept as
        an answer. A question about PAT in the same text waits until the person goes back."""
        about = intent.about or "self"
        st = self.state
        then = intent.then
        pending: list[tuple[str, float]] = []
        if then is not None and then.name not in ("unknown", "crisis"):
            pending = [(then.name, then.score), *then.alternatives]
        if intent.tier != "possible":
            self.help_lines(about, intent.danger, pending=pending)
            return
        self.close_overlay()
        st.overlay = "check"
        st.about = about
        st.danger = intent.danger
        st.pending = pending
        st.turn += 1
        self.prompt()

    def help_lines(
        self,
        about: About,
        danger: Danger | None = None,
        *,
        pending: list[tuple[str, float]] | None = None,
    ) -> None:
        """The help lines of one kind of danger (the help screen when it is not known), then
        warm words and the choice to go back; never the services menu on the bot's own."""
        if danger == "help":
            st = self.state
            self.close_overlay()
            st.pending = list(pending or [])
            st.overlay = "help"
            st.turn += 1
            self.prompt()
            return
        self.say(lines_for(about, danger))
        st = self.state
        keep = st.pending if pending is None else pending
        self.close_overlay()
        st.pending = list(keep)
        st.overlay = "crisis"
        st.about = about
        st.danger = danger
        st.turn += 1
        self.prompt()

    def back_here(self) -> None:
        """Back to exactly where the person was, answers kept; a question about PAT that
        came with the distress is answered now."""
        st = self.state
        pending = st.pending
        self.close_overlay()
        st.turn += 1
        if pending:
            (name, score), *alternatives = pending
            self.understand(Intent(name, score, tuple(alternatives)))
        else:
            self.prompt()

    def not_in_danger(self, *, not_ok: bool = False) -> None:
        """ "No, a question for my work": back where they were, the question answered if it
        was understood. "No, but I'm not OK" (or "…but I'm worried"): kind words and the
        listening lines first. At a free-text question the text was not kept: ask again."""
        st = self.state
        pending = st.pending
        about = st.about
        self.close_overlay()
        st.turn += 1
        if not_ok:
            self.say(texts.NOT_OK_OTHER if about == "other" else texts.NOT_OK)
        else:
            self.say(texts.NOT_IN_DANGER)
        if isinstance(self.current, InputStep):
            st.check_declined = True
            self.say(texts.RETYPE)
            self.prompt()
        elif pending:
            (name, score), *alternatives = pending
            self.understand(Intent(name, score, tuple(alternatives)))
        else:
            self.prompt()

    def follow(self, name: str) -> None:
        """Go where an understood intent points (a FAQ answer, or an offer's questions)."""
        qid, label = self.flows.intent_targets()[name]
        self.say(texts.UNDERSTOOD, label=Msg(label))
        if not self.in_request():
            self.enter(qid)
            return
        # In the middle of a request: answer the question, then the same question as before.
        topic_step = self.flows.step(qid)
        for text in self._answer_texts(qid):
            self.say(text)
        if topic_step.topic and topic_step.topic not in self.state.faq_read:
            self.state.faq_read.append(topic_step.topic)
        self.prompt()

    def _answer_texts(self, qid: str) -> list[str]:
        out: list[str] = []
        for _ in range(_MAX_HOPS):
            step = self.flows.step(qid)
            if not isinstance(step, MessageStep):
                break
            out.extend(step.texts)
            qid = self.resolve(flow_of(qid), step.next)
        return out

    def understand(self, intent: Intent) -> None:
        """Typed text at a question with buttons: act, ask, or say it was not understood."""
        targets = self.flows.intent_targets()
        topics = self.flows.topics()
        usable = [
            name
            for name in (intent.name, *(n for n, _ in intent.alternatives))
            if name in targets and (not self.in_request() or name in topics)
        ]
        if intent.level == "high" and usable and usable[0] == intent.name:
            self.follow(intent.name)
        elif intent.level != "low" and usable:
            self.close_overlay()
            self.state.overlay = "suggest"
            self.state.suggestions = usable[:3]
            self.state.turn += 1
            self.prompt()
        elif self.in_request():
            self.say(texts.USE_BUTTONS)
            self.prompt()
        else:
            self.say(texts.NOT_UNDERSTOOD)
            self.go_menu()

    def _summary_choice(self, step: SummaryStep, flow_id: str, opt: str) -> None:
        st = self.state
        if st.overlay == "pick_field":
            if opt == BACK:
                self.close_overlay()
                self.prompt()
                return
            target = opt.removeprefix(EDIT_FIELD)
            if opt.startswith(EDIT_FIELD) and any(f.step == target for f in self.fields()):
                self.close_overlay()
                st.mode = "edit"
                st.edit_target = target
                # Answers of steps after this one count again only if the new path visits them.
                del st.path[st.path.index(target) :]
                self.enter(target)
                return
        elif opt == SEND:
            self.enter(self.resolve(flow_id, step.next))
            return
        elif opt == EDIT:
            st.overlay = "pick_field"
            self.prompt()
            return
        self._stale()

    def text(self, raw: str, intent: Intent | None = None) -> None:
        step = self.current
        st = self.state
        if st.overlay == "check" and _is_word(raw, _YES_WORDS):
            self.help_lines(st.about, st.danger)  # "oui" typed instead of pressed
            return
        if st.overlay == "check" and _is_word(raw, _NO_WORDS):
            self.not_in_danger()
            return
        if intent is not None and intent.name == "crisis":
            # Before anything else, even a text too long to keep; the text is not kept.
            declined_here = st.check_declined and isinstance(step, InputStep)
            if intent.tier != "possible" or not declined_here:
                self.crisis(intent)
                return
        if len(raw) > MAX_INPUT_CHARS:
            self.say(texts.TOO_LONG, limit=MAX_INPUT_CHARS)
            self.prompt()
            return
        if st.overlay not in ("none", "pick_field"):
            self.close_overlay()
        if isinstance(step, InputStep):
            value = VALIDATORS[step.validator](raw)
            if value is None:
                self.prompt(first=Msg(step.retry))
                return
            self._store(step, value)
            self.enter(self.resolve(flow_of(self.state.step), step.next))
            return
        if intent is not None:
            self.understand(intent)
            return
        self.say(texts.USE_BUTTONS)
        self.prompt()


# Typed instead of pressed at "are you in danger right now?" (any of the three languages).
_YES_WORDS = frozenset({"oui", "ja", "yes", "yep", "jawel", "si"})
_NO_WORDS = frozenset({"non", "nee", "no", "nope", "neen"})


def _is_word(raw: str, words: frozenset[str]) -> bool:
    folded = "".join(ch for ch in raw.casefold() if ch.isalpha())
    return folded in words


def lines_for(about: About, danger: Danger | None) -> str:
    """The help lines of one kind of danger (texts.py): the listening lines for thoughts of
    suicide, self-harm and despair (the lines for worried people when it is someone else)."""
    own = {
        "overdose": texts.CRISIS_OVERDOSE,
        "violence": texts.CRISIS_VIOLENCE,
        "child": texts.CRISIS_CHILD,
        "shelter": texts.CRISIS_SHELTER,
        "help": texts.HELP_NOW,
    }
    if danger in own:
        return own[danger]
    return texts.CRISIS_OTHER if about == "other" else texts.CRISIS
