"""Saying the current step's question, or the question of an overlay on top of it, with
its buttons (the step itself does not change)."""

from __future__ import annotations

from flows import texts
from flows.engine.base import _Base
from flows.engine.effects import Button, Msg, Say
from flows.engine.events import (
    ABANDON_NO,
    ABANDON_YES,
    ALL_LINES,
    BACK,
    BACK_HERE,
    DANGER_NO,
    DANGER_NOT_OK,
    DANGER_YES,
    DONE,
    EDIT,
    EDIT_FIELD,
    FORGET_NO,
    FORGET_YES,
    INTENT,
    LANGUAGE,
    MENU,
    NO,
    PRIVACY,
    SEND,
    SKIP,
    YES,
)
from flows.language import language
from flows.loader import MENU_STEP
from flows.locales import LOCALES
from flows.schema import ChoiceStep, ConsentStep, InputStep, MultiStep, SummaryStep


class _View(_Base):
    def _menu_button(self) -> tuple[Button, ...]:
        return (Button(MENU, Msg(texts.MENU_BUTTON)),)

    def prompt(self, first: Msg | None = None, update: bool = False) -> None:
        """Say the current step's question with its buttons (``first`` replaces its text)."""
        st = self.state
        step = self.current
        if st.overlay != "none" and st.overlay != "pick_field":
            self._prompt_overlay()
        elif isinstance(step, ChoiceStep):
            self._prompt_choice(step, first)
        elif isinstance(step, MultiStep):
            self._prompt_multi(step, first, update)
        elif isinstance(step, InputStep):
            self._prompt_input(step, first)
        elif isinstance(step, ConsentStep):
            self._prompt_consent(step, first)
        elif isinstance(step, SummaryStep):
            self._prompt_summary(step, first)

    def _prompt_choice(self, step: ChoiceStep, first: Msg | None) -> None:
        """A choice's question, its options shown, and the menu button unless it is the menu."""
        st = self.state
        buttons = tuple(Button(o.id, Msg(o.label)) for o in self.shown(step))
        if step.menu_button and st.step != MENU_STEP:
            buttons += self._menu_button()
        self.effects.append(Say(first or Msg(step.text), buttons, turn=st.turn, expects="choice"))

    def _prompt_multi(self, step: MultiStep, first: Msg | None, update: bool) -> None:
        """A multiple choice's question, its options ticked as chosen so far, then done."""
        st = self.state
        chosen = st.answers.get(step.key, [])
        buttons = (
            *tuple(Button(o.id, Msg(o.label), selected=o.id in chosen) for o in step.options),
            Button(DONE, Msg(step.done_label)),
            *self._menu_button(),
        )
        self.effects.append(
            Say(first or Msg(step.text), buttons, turn=st.turn, expects="multi", update=update)
        )

    def _prompt_input(self, step: InputStep, first: Msg | None) -> None:
        """A question answered by typing, with a skip button when the answer is optional."""
        buttons: tuple[Button, ...] = ()
        if step.optional:
            buttons += (Button(SKIP, Msg(step.skip_label or texts.SKIP_BUTTON)),)
        buttons += self._menu_button()
        field = f"{step.validator}/{step.key}"
        self.effects.append(
            Say(first or Msg(step.text), buttons, turn=self.state.turn, expects="text", field=field)
        )

    def _prompt_consent(self, step: ConsentStep, first: Msg | None) -> None:
        """The consent texts, the last one (the question) with its accept and refuse buttons
        and one to the privacy notice; before it, what each channel adds (the adapter shows
        each on its channel only)."""
        *lead, last = step.texts
        if first is not None:
            lead, last = [], first.id
        for text in lead:
            self.say(text)
        if first is None:
            self.say(texts.CONSENT_TELEGRAM)
            self.say(texts.CONSENT_WEB)
        buttons = (
            Button(YES, Msg(step.accept_label)),
            Button(NO, Msg(step.refuse_label)),
            Button(PRIVACY, Msg(texts.PRIVACY_BUTTON)),
        )
        self.effects.append(Say(Msg(last), buttons, turn=self.state.turn, expects="choice"))

    def _prompt_summary(self, step: SummaryStep, first: Msg | None) -> None:
        """The summary with send and correct, or the list of answers to pick one to correct."""
        st = self.state
        fields = self.fields()
        buttons: tuple[Button, ...]
        if st.overlay == "pick_field":
            buttons = tuple(Button(EDIT_FIELD + f.step, f.label) for f in fields)
            buttons += (Button(BACK, Msg(texts.BACK_TO_SUMMARY)),)
            self.effects.append(Say(Msg(texts.PICK_FIELD), buttons, turn=st.turn, expects="choice"))
        else:
            buttons = (
                Button(SEND, Msg(step.send_label)),
                Button(EDIT, Msg(step.edit_label)),
                *self._menu_button(),
            )
            self.effects.append(
                Say(first or Msg(step.text), buttons, fields=fields, turn=st.turn, expects="choice")
            )

    def _prompt_overlay(self) -> None:
        """The question an overlay asks, with its buttons."""
        st = self.state
        if st.overlay == "also":
            label = self.flows.intent_targets()[st.suggestions[0]][1]
            yes_no = (Button(YES, Msg(texts.ALSO_YES)), Button(NO, Msg(texts.ALSO_NO)))
            text = Msg(texts.ALSO_ABOUT, {"label": Msg(label)})
            self.effects.append(Say(text, yes_no, turn=st.turn, expects="choice"))
        elif st.overlay == "switch":
            self.prompt_switch()
        else:
            msgid, buttons = self._overlay_question()
            self.effects.append(Say(Msg(msgid), buttons, turn=st.turn, expects="choice"))

    def _overlay_question(self) -> tuple[str, tuple[Button, ...]]:
        """The text and buttons of an overlay that asks one question."""
        st = self.state
        other = st.about == "other"
        if st.overlay == "forget":
            return texts.FORGET_CONFIRM, (
                Button(FORGET_YES, Msg(texts.FORGET_YES)),
                Button(FORGET_NO, Msg(texts.FORGET_NO)),
            )
        if st.overlay == "abandon":
            return texts.ABANDON_CONFIRM, (
                Button(ABANDON_YES, Msg(texts.ABANDON_YES)),
                Button(ABANDON_NO, Msg(texts.ABANDON_NO)),
            )
        if st.overlay == "crisis":
            # Warm words, never the services menu: the person chooses when to go back.
            text = texts.CRISIS_AFTER_OTHER if other else texts.CRISIS_AFTER
            if st.pending:
                self.say(text)
                text = texts.QUESTION_WAITS
            return text, (
                Button(BACK_HERE, Msg(texts.BACK_HERE_BUTTON)),
                Button(ALL_LINES, Msg(texts.ALL_LINES_BUTTON)),
            )
        if st.overlay == "help":
            return texts.HELP_NOW, (Button(BACK_HERE, Msg(texts.BACK_HERE_BUTTON)),)
        if st.overlay == "check":
            not_ok = texts.DANGER_NOT_OK_OTHER if other else texts.DANGER_NOT_OK
            return texts.CHECK_OTHER if other else texts.CHECK_SELF, (
                Button(DANGER_YES, Msg(texts.DANGER_YES_OTHER if other else texts.DANGER_YES)),
                Button(DANGER_NOT_OK, Msg(not_ok)),
                Button(DANGER_NO, Msg(texts.DANGER_NO)),
            )
        if st.overlay == "suggest":
            targets = self.flows.intent_targets()
            suggested = tuple(Button(INTENT + n, Msg(targets[n][1])) for n in st.suggestions)
            return texts.DID_YOU_MEAN, suggested + self._menu_button()
        # The language picker: each language named in its own language (lexicon/<code>.yml).
        return texts.LANGUAGE_PICK, tuple(
            Button(LANGUAGE + code, Msg(language(code).name)) for code in LOCALES
        )
