"""Typed text: an answer to a free-text question, or a question understood (a FAQ topic or an
offer), asked about (did you mean…?) or not understood; distress always first."""

from __future__ import annotations

from flows import texts
from flows.engine.base import MAX_HOPS, _Base
from flows.engine.effects import Msg
from flows.engine.events import HUMAN, Intent
from flows.loader import flow_of
from flows.schema import InputStep, MessageStep
from flows.validators import MAX_INPUT_CHARS, VALIDATORS


class _Typed(_Base):
    def text(
        self,
        raw: str,
        intent: Intent | None = None,
        length: int | None = None,
        written_in: str | None = None,
    ) -> None:
        """A typed text (``length``: how long it was, when only its start came;
        ``written_in``: its language, when clearly not the conversation's)."""
        step = self.current
        st = self.state
        if intent is not None and intent.name == "crisis":
            # Before anything else, even a text too long to keep; the text is not kept.
            declined_here = st.check_declined and isinstance(step, InputStep)
            if intent.tier != "possible" or not declined_here:
                self.crisis(intent)
                return
        length = max(length or 0, len(raw))
        if length > MAX_INPUT_CHARS:  # refused, never cut: the question stays open
            self.say(texts.TOO_LONG, length=length, limit=MAX_INPUT_CHARS)
            self.prompt()
            return
        wants_person = intent is not None and intent.name == HUMAN
        if wants_person and st.overlay in ("check", "crisis", "help"):
            # Someone to talk to now: the listening lines are people; PAT is not an emergency.
            self.say(texts.HUMAN_NOW)
            st.turn += 1
            self.prompt()
            return
        unclear = intent is None or intent.level == "low"
        at_check = st.overlay == "check" and unclear and not isinstance(step, InputStep)
        if at_check or st.overlay == "abandon":
            # Never leave "are you in danger?" on a « peut-être » or « bof », nor "leave the
            # request?" on any text (never taken as an answer to the step beneath): ask again.
            self.say(texts.USE_BUTTONS)
            st.turn += 1
            self.prompt()
            return
        if self.offer_language(written_in, intent):  # in another language: switch?
            return
        if st.overlay not in ("none", "pick_field"):
            self.close_overlay()
        if isinstance(step, InputStep):
            self._answer(step, raw, wants_person)
        elif intent is not None:
            self.understand(intent)
        else:
            self.say(texts.USE_BUTTONS)
            self.prompt()

    def _answer(self, step: InputStep, raw: str, wants_person: bool) -> None:
        """A typed answer to a question: kept when valid, else the question again."""
        value = VALIDATORS[step.validator](raw)
        if wants_person and (value is None or step.validator != "long_text"):
            self.follow(HUMAN)  # who answers, then the same question again
            return
        if value is None:
            self.prompt(first=Msg(step.retry))
            return
        self._store(step, value)
        self.enter(self.resolve(flow_of(self.state.step), step.next))

    def in_request(self) -> bool:
        """Inside an offer's questions (not at the menu or in the FAQ)."""
        return flow_of(self.state.step) not in ("main", "faq")

    def follow(self, name: str, also: str | None = None) -> None:
        """Go where an understood intent points (a FAQ answer, or an offer's questions), then
        offer ``also``, a second subject of the same text, if it has an answer."""
        targets = self.flows.intent_targets()
        qid, label = targets[name]
        if (
            also not in targets
            or also == name
            or (self.in_request() and also not in self.flows.topics())
        ):
            also = None
        self.say(texts.UNDERSTOOD, label=Msg(label))
        if not self.in_request():
            self.enter(qid, also=also)
            return
        # In the middle of a request: answer the question, then the same question as before.
        topic_step = self.flows.step(qid)
        for text in self._answer_texts(qid):
            self.say(text)
        if topic_step.topic and topic_step.topic not in self.state.faq_read:
            self.state.faq_read.append(topic_step.topic)
        if also is not None:
            self.offer_also(also)
            self.state.turn += 1
        self.prompt()

    def _answer_texts(self, qid: str) -> list[str]:
        out: list[str] = []
        for _ in range(MAX_HOPS):
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
            self.follow(intent.name, also=intent.also)
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
