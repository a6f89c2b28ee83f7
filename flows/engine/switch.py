"""A text typed in another language than the conversation's: the offer to switch to it.

« Spreekt er iemand Nederlands? » typed in a French conversation: the bot asks, in the
language of the text, whether to go on in it (« Nederlands » / « Continuer en français »);
the text is then answered when it was understood. Asked once: a person who keeps their
language, or who chose one from the list, is not asked again. The language of a text is
told by the adapter (``Text.written_in``, flows/language.py ``detect``); the question is the
language's own sentence (``switch_offer`` in lexicon/<code>.yml), as its name on the buttons.
"""

from __future__ import annotations

from flows import texts
from flows.engine.base import _Base
from flows.engine.effects import Button, Msg, Say
from flows.engine.events import KEEP_LANGUAGE, LANGUAGE, Intent
from flows.language import language
from flows.locales import LOCALES, REFERENCE
from flows.schema import InputStep


class _Switch(_Base):
    def offer_language(self, written_in: str | None, intent: Intent | None) -> bool:
        """Ask whether to switch to ``written_in``; False when there is nothing to ask (same
        language, asked before, a typed answer, another question on top of the step)."""
        st = self.state
        if (
            written_in is None
            or written_in == st.locale
            or written_in not in LOCALES
            or st.language_chosen
            or st.overlay != "none"
            or isinstance(self.current, InputStep)
        ):
            return False
        st.overlay = "switch"
        st.suggestions = [written_in]
        understood = intent is not None and intent.level == "high"
        st.pending = [(intent.name, intent.score)] if intent is not None and understood else []
        st.turn += 1
        self.prompt()
        return True

    def prompt_switch(self) -> None:
        """The offer: the question and the new language's name in that language, the button
        to keep the conversation's language in the conversation's language."""
        st = self.state
        code = st.suggestions[0]
        buttons = (
            Button(LANGUAGE + code, Msg(language(code).name)),
            Button(KEEP_LANGUAGE, Msg(texts.KEEP_LANGUAGE)),
        )
        offer = Msg(str(language(code).data["switch_offer"]))
        self.effects.append(Say(offer, buttons, turn=st.turn, expects="choice"))

    def switch_choice(self, opt: str) -> None:
        """The answer to the offer; then the text that led to it, when it was understood."""
        st = self.state
        code = st.suggestions[0] if st.suggestions else ""
        pending = [name for name, _ in st.pending if name in self.flows.intent_targets()]
        if opt == LANGUAGE + code:
            self.close_overlay()
            st.locale = code
            self.say(texts.LANGUAGE_SET)
            if code != REFERENCE:
                self.say(texts.TEAM_LANGUAGE)
        elif opt == KEEP_LANGUAGE:
            self.close_overlay()
        else:
            self._stale()
            return
        st.language_chosen = True
        if pending:
            self.follow(pending[0])
        else:
            st.turn += 1
            self.prompt()
