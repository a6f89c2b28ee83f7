"""Safety first: the help lines of each danger, the check « êtes-vous en danger ? » and its
three answers, the help screen one tap away, and the way back to where the person was."""

from __future__ import annotations

from flows import texts
from flows.engine.base import _Base
from flows.engine.events import About, Danger, Intent
from flows.schema import InputStep


class _Safety(_Base):
    def help_screen(self) -> None:
        """The help lines by situation, on top of wherever the person is (answers kept); a
        question about PAT waiting after other help lines still waits, and a question on top
        of the step (the check, "did you mean", erase?…) comes back after."""
        st = self.state
        if st.overlay in ("crisis", "help"):
            pending = st.pending
            self.close_overlay()
            st.pending = pending
        elif st.overlay != "none":
            st.beneath = st.overlay
        st.overlay = "help"
        st.turn += 1
        self.prompt()

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
        if st.beneath != "none":  # the question that was on top of the step, as it was
            st.overlay, st.beneath = st.beneath, "none"
            st.turn += 1
            self.prompt()
            return
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
