"""A button pressed: a choice, a multiple choice, a skip, a consent, the summary's send and
correct, and the answers to the overlays (erase? in danger? did you mean?)."""

from __future__ import annotations

from flows import texts
from flows.engine.base import _Base
from flows.engine.effects import ConsentGiven, ConsentRefused, Forget
from flows.engine.events import (
    ALL_LINES,
    BACK,
    BACK_HERE,
    CONTINUE,
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
    Choice,
)
from flows.engine.state import Consent, Leaving, State
from flows.loader import MENU_STEP, flow_of, qualify
from flows.locales import LOCALES
from flows.schema import ChoiceStep, ConsentStep, InputStep, MultiStep, SummaryStep
from flows.validators import derived_answers


class _Choices(_Base):
    def choice(self, event: Choice) -> None:
        """A button pressed: one of an overlay, the menu button, or one of the current step."""
        st = self.state
        if event.turn is not None and event.turn != st.turn:
            self._stale()
        elif st.overlay == "abandon":
            self.abandon_choice(event.option)
        elif st.overlay == "forget":
            self._forget_choice(event.option)
        elif st.overlay in ("crisis", "help", "check", "suggest", "also"):
            self._pending_choice(event.option)
        elif st.overlay == "language":
            self._language_choice(event.option)
        elif st.overlay == "switch":
            self.switch_choice(event.option)
        elif event.option == MENU and st.step != MENU_STEP:
            self.leave(Leaving(to="menu"))
        else:
            self._step_choice(event.option)

    def _language_choice(self, opt: str) -> None:
        """A language picked from the list of languages."""
        code = opt.removeprefix(LANGUAGE)
        if opt.startswith(LANGUAGE) and code in LOCALES:
            self.set_locale(code)
        else:
            self._stale()

    def _step_choice(self, opt: str) -> None:
        """A button of the current step (no overlay, or the summary's list of fields)."""
        step = self.current
        flow_id = flow_of(self.state.step)
        if isinstance(step, ChoiceStep):
            self._single_choice(step, flow_id, opt)
        elif isinstance(step, MultiStep):
            self._multi_choice(step, flow_id, opt)
        elif isinstance(step, InputStep) and opt == SKIP and step.optional:
            self._store(step, "")
            self.enter(self.resolve(flow_id, step.next))
        elif isinstance(step, ConsentStep) and opt in (YES, NO):
            self._consent_choice(step, flow_id, accepted=opt == YES)
        elif isinstance(step, ConsentStep) and opt == PRIVACY:
            self.command("privacy")
        elif isinstance(step, SummaryStep):
            self._summary_choice(step, flow_id, opt)
        else:
            self._stale()

    def _single_choice(self, step: ChoiceStep, flow_id: str, opt: str) -> None:
        """One of a choice's options: a command it runs, or the step it leads to."""
        chosen = next((o for o in self.shown(step) if o.id == opt), None)
        if chosen is None:
            self._stale()
            return
        if chosen.command is not None:
            self.command(chosen.command)
            return
        if step.key:
            self.state.answers[step.key] = chosen.id
        self.enter(self.resolve(flow_id, chosen.next or step.next))

    def _multi_choice(self, step: MultiStep, flow_id: str, opt: str) -> None:
        """An option of a multiple choice ticked or unticked, or the choice done."""
        st = self.state
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

    def _consent_choice(self, step: ConsentStep, flow_id: str, *, accepted: bool) -> None:
        """Consent given (noted with its version and time) or refused (the request dropped)."""
        if accepted:
            self.state.consent = Consent(version=step.version, at=self.now)
            self.effects.append(ConsentGiven(step.version, self.now))
            self.enter(self.resolve(flow_id, step.next))
        else:
            self.clear_request()
            self.effects.append(ConsentRefused(step.version))
            self.enter(qualify(flow_id, step.on_refuse))

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
            self.leave(Leaving(to="menu"))
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
        elif st.overlay == "also" and opt in (YES, NO):
            name = st.suggestions[0]
            self.close_overlay()
            if opt == YES:
                self.follow(name)
            else:
                st.turn += 1
                self.prompt()
        elif st.overlay == "suggest" and opt.removeprefix(INTENT) in st.suggestions:
            name = opt.removeprefix(INTENT)
            self.close_overlay()
            self.follow(name)
        else:
            self._stale()

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

    def _stale(self) -> None:
        self.say(texts.STALE)
        self.prompt()
