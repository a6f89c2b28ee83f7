"""Walking the flows: from a step through those that do not wait (messages, the end, a
submission) to the next question; the answers on the path; a finished request."""

from __future__ import annotations

from flows import texts
from flows.engine.base import MAX_HOPS, _Base
from flows.engine.effects import Field, Msg, Submit
from flows.loader import MENU_STEP, flow_of
from flows.schema import (
    ChoiceStep,
    ConsentStep,
    EndStep,
    InputStep,
    MessageStep,
    MultiStep,
    Step,
    SubmitStep,
    SummaryStep,
)


class _Walk(_Base):
    def enter(self, qid: str, also: str | None = None) -> None:
        """Walk from ``qid`` through steps that do not wait, then wait at the next one (or
        first offer ``also``, a second subject of the text that led here)."""
        self.close_overlay()
        self.state.check_declined = False
        for _ in range(MAX_HOPS):
            step = self.flows.step(qid)
            flow_id = flow_of(qid)
            self._arrive(qid, step)
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
                if isinstance(step, ChoiceStep) and step.sensitive:  # GDPR art. 9
                    self.say(texts.PRIVACY_ART9)
                self.state.step = qid
                self.state.turn += 1
                if also is not None:
                    self.offer_also(also)
                self.prompt()
                return
        raise RuntimeError(f"flow walk did not stop after {MAX_HOPS} steps (at {qid})")

    def _arrive(self, qid: str, step: Step) -> None:
        """What entering a step records: a fresh request, answers it sets, a topic read, and
        the path of questions answered (for « Corriger »)."""
        if step.reset:
            self.clear_request()
        self.state.answers.update(step.set)
        if step.topic and step.topic not in self.state.faq_read:
            self.state.faq_read.append(step.topic)
        if getattr(step, "key", None) is not None or isinstance(step, ConsentStep):
            if qid in self.state.path:
                self.state.path.remove(qid)
            self.state.path.append(qid)

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
