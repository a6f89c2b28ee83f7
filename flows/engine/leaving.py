"""Leaving a request: nothing thrown away without asking. The menu (its button, /menu, "menu"
typed), /cancel or a new /start during a request with answers asks once « Abandonner votre
demande ? »; yes goes where the person asked, « Continuer ma demande » brings back exactly the
question they were at, answers kept. The help lines (/sos, /aide) and /forget (which asks its
own question) never ask it."""

from __future__ import annotations

from flows import texts
from flows.engine.base import _Base
from flows.engine.events import ABANDON_NO, ABANDON_YES
from flows.engine.state import Leaving
from flows.schema import ConsentStep


class _Leaving(_Base):
    def leave(self, to: Leaving) -> None:
        """Go ``to`` the menu, /cancel or a new conversation; first ask, when that would drop
        answers the person gave. A second way out while the question is open is a yes."""
        st = self.state
        if st.overlay == "abandon":
            self.close_overlay()
            self._go(to, dropped=True)
        elif self.has_answers():
            st.beneath = st.overlay  # a question on top of the step comes back with it
            st.overlay = "abandon"
            st.leaving = to
            st.turn += 1
            self.prompt()
        else:
            self._go(to, dropped=False)

    def has_answers(self) -> bool:
        """Inside an offer's questions, with an answer given to one of them (or a consent):
        not the answers a step sets by itself, not a question only reached."""
        st = self.state
        if not self.in_request():
            return False
        if st.consent is not None:
            return True
        for qid in st.path:
            step = self.flows.step(qid)
            key = getattr(step, "key", None)
            if key is not None and key in st.answers and not isinstance(step, ConsentStep):
                return True
        return False

    def abandon_choice(self, opt: str) -> None:
        """The answer to « Abandonner votre demande ? »."""
        st = self.state
        to = st.leaving
        if opt == ABANDON_YES and to is not None:
            self.close_overlay()
            self._go(to, dropped=True)
        elif opt == ABANDON_NO:
            st.overlay, st.beneath = st.beneath, "none"
            st.leaving = None
            st.turn += 1
            self.say(texts.RESUMED)
            self.prompt()
        else:
            self._stale()

    def _go(self, to: Leaving, *, dropped: bool) -> None:
        """Where the person asked to go; ``dropped``: their answers go, and they are told."""
        if dropped or to.to == "cancel":
            self.clear_request()
            self.say(texts.CANCELLED)
        if to.to == "start":
            self.start(to.payload, to.locale)
        else:
            self.go_menu()
