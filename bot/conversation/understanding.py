"""What a person's event means before the engine sees it: a typed button label is that button;
other text is read for distress first, then for a topic or an offer (flows/nlu.py), and for
the language it is written in when it clearly is not the conversation's (the engine offers
to switch).

At a free-text question (a name, an organisation) only distress and a request for a person are
looked for: the text is the answer, unless it asks for a person (not at a free message). At
the danger check, « oui » or « nee » typed is the answer's button (the words are in each
language's ``flows/lexicon/<code>.yml``), and so is « oui » or « non » to "this too?" and to
"leave the request?". Kept
apart from the service, which orders the concerns of one turn; the engine itself knows no
language's words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache

from bot.conversation.i18n import Translator
from bot.conversation.render import SELECTED_MARK, fold
from flows.distress import MAX_CHARS as DISTRESS_READS
from flows.engine import (
    ABANDON_NO,
    ABANDON_YES,
    DANGER_NO,
    DANGER_YES,
    NO,
    SEND,
    YES,
    Choice,
    Command,
    Event,
    Say,
    State,
    Text,
    prompt,
)
from flows.language import detect, language
from flows.loader import FlowSet
from flows.locales import LOCALES
from flows.nlu import ERASE, Classifier
from flows.schema import InputStep, SummaryStep
from flows.validators import MAX_INPUT_CHARS


class Understanding:
    """Reads events against the flows and the classifier."""

    def __init__(self, flows: FlowSet, classifier: Classifier) -> None:
        self.flows = flows
        self.classifier = classifier
        # Typed at the check, in any of the languages (a person may answer in their own).
        self.check_words = {
            word: option
            for code in LOCALES
            for key, option in (("check_yes", DANGER_YES), ("check_no", DANGER_NO))
            for word in str(language(code).data.get(key, "")).split()
        }

    def read(self, state: State, event: Event, t: Translator, context: Mapping[str, str]) -> Event:
        """The event as the engine should see it (``t`` renders the buttons' labels)."""
        if not isinstance(event, Text):
            return event
        if len(event.text) > MAX_INPUT_CHARS:
            # Too long to keep: the engine says so. Danger alone is looked for first, in what
            # the distress check reads of any message; no label, topic or offer is sought in
            # the rest (a 1 MB line took seconds, and a label is never that long).
            crisis = self.classifier.crisis(event.text[:DISTRESS_READS], state.locale)
            return replace(event, intent=crisis)  # its length kept, for the engine to say
        if state.overlay in ("check", "also", "abandon"):
            folded = "".join(ch for ch in event.text.casefold() if ch.isalpha())
            if folded in self.check_words:
                yes = self.check_words[folded] == DANGER_YES
                option = {
                    "check": DANGER_YES if yes else DANGER_NO,
                    "also": YES if yes else NO,  # « oui » to "this too: the answer?"
                    "abandon": ABANDON_YES if yes else ABANDON_NO,
                }[state.overlay]
                return Choice(option=option, turn=state.turn)
        if state.started:
            pressed = self.label_pressed(state, event.text, t, context)
            if pressed is not None:
                return pressed
        at_input = isinstance(self.flows.steps.get(state.step), InputStep) and state.started
        if at_input:  # the text is the answer; only danger, or a person asked for, counts
            read = self.classifier.crisis(event.text, state.locale)
            return Text(event.text, read or self.classifier.person(event.text, state.locale))
        written_in = detect(event.text, state.locale)
        other = written_in if written_in != state.locale else None  # the engine offers it
        intent = self.classifier.classify(event.text, state.locale)
        if intent.name == ERASE:  # typed in words: the erasure, after its confirmation
            return Command("forget")
        return Text(event.text, intent, written_in=other)

    def sends(self, state: State, event: Event) -> bool:
        """Whether the event sends a request (pressing "Envoyer" at the summary)."""
        return (
            isinstance(event, Choice)
            and event.option == SEND
            and isinstance(self.flows.steps.get(state.step), SummaryStep)
            and state.overlay == "none"
        )

    def label_pressed(
        self, state: State, text: str, t: Translator, context: Mapping[str, str]
    ) -> Choice | None:
        """The button whose label was typed, if any (only the labels are rendered)."""
        typed = fold(text)
        if not typed:
            return None
        for say in prompt(self.flows, state):
            if isinstance(say, Say):
                for button in say.buttons:
                    label = t.render(button.label, context)
                    if _folded_label((SELECTED_MARK if button.selected else "") + label) == typed:
                        return Choice(option=button.id, turn=say.turn)
        return None


@lru_cache(maxsize=1024)  # the bot's own labels, in each language: worked out once (#24's ratio)
def _folded_label(label: str) -> str:
    return fold(label)


def is_distress(event: Event) -> bool:
    """A text understood as distress (never silenced by the flood limit)."""
    return isinstance(event, Text) and event.intent is not None and event.intent.name == "crisis"
