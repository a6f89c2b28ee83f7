"""What a person did: the events the engine takes, the verdict of the text classifier (
``Intent``) and the ids of the buttons the engine itself offers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


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
    they choose to go back after the help lines. ``also``: a second subject the text is
    about (« Vous parlez aussi de … »), offered once the first is answered."""

    name: str
    score: float
    alternatives: tuple[tuple[str, float], ...] = ()
    reason: str = ""
    tier: Tier | None = None
    about: About | None = None
    danger: Danger | None = None
    then: Intent | None = None
    also: str | None = None  # a second subject of a long message, offered after the answer

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
    """Free text typed by the person, with what the classifier made of it (if anything).
    ``length``: how many characters were typed, when the channel passes on only the first
    ones (the terminal reads a line up to a bound); None: ``len(text)``."""

    text: str
    intent: Intent | None = None
    length: int | None = None
    # The language the text is written in, when the adapter sees it is clearly not the
    # conversation's (flows/language.py ``detect``): the engine offers to switch.
    written_in: str | None = None


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
PRIVACY = "_privacy"  # with the consent's question: the privacy notice
BACK = "_back"
YES = "_yes"
NO = "_no"
EDIT_FIELD = "_f:"
LANGUAGE = "_lang:"
KEEP_LANGUAGE = "_keep_lang"  # a text in another language: go on in the conversation's
INTENT = "_i:"
# The intent of a person who asks for a person (flows/other.yml, step ``human``).
HUMAN = "human"
CONTINUE = "_continue"
DANGER_YES = "_danger_yes"
DANGER_NO = "_danger_no"
DANGER_NOT_OK = "_danger_not_ok"  # "no, but I'm not OK" (or "…but I'm worried")
BACK_HERE = "_back_here"  # after the help lines: back to exactly where the person was
ALL_LINES = "_all_lines"  # after the help lines of one situation: the help screen
FORGET_YES = "_forget_yes"
FORGET_NO = "_forget_no"
ABANDON_YES = "_abandon_yes"  # leave the request, its answers dropped
ABANDON_NO = "_abandon_no"  # back to the question the person was at
