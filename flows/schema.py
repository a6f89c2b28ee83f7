"""Pydantic schema of a flow file: the conversation declared as data.

A flow file holds one flow: an id, a start step and an ordered list of named steps. Every text a
person sees is written in French, the reference language, and used as the gettext msgid.
Targets of ``next``/``goto`` are step ids of the same flow (``region``) or qualified with another
flow's id (``request.consent``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from flows.locales import Locale

# Keys of a flow file whose values are texts shown to people (msgids). The Babel extractor and
# the consistency tests read this list, so a new translatable key is declared here once.
TRANSLATABLE_KEYS = frozenset(
    {
        "text",
        "label",
        "retry",
        "summary",
        "title",
        "accept_label",
        "refuse_label",
        "send_label",
        "edit_label",
        "done_label",
        "skip_label",
    }
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Matching(_Model):
    """How people may phrase this topic or offer when they type instead of pressing buttons.

    ``examples`` are whole phrasings; ``keywords`` are words or short phrases that, all present,
    point strongly here. Both per language; PAT staff can add to them (not translated)."""

    examples: dict[Locale, list[str]] = Field(default_factory=dict)
    keywords: dict[Locale, list[str]] = Field(default_factory=dict)


# A condition on earlier answers: {key: value}, {key: [values]} or {key: true/false} (present or
# absent). Every key of the mapping must hold for the branch to be taken.
ConditionValue = str | list[str] | bool


class Branch(_Model):
    """One arm of a conditional ``next``: taken when ``when`` holds (or always, without it)."""

    when: dict[str, ConditionValue] | None = None
    goto: str


Next = str | list[Branch]


class Option(_Model):
    """A button of a choice step; ``next`` overrides the step's own; ``command`` runs one of
    the conversation commands instead (``language``: the language picker); ``when`` shows it
    only when the condition holds (like a branch's)."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_]*$", max_length=40)]
    label: str
    next: Next | None = None
    command: Literal["language", "help", "privacy", "urgent"] | None = None
    when: dict[str, ConditionValue] | None = None


class _Step(_Model):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_]*$", max_length=40)]
    # Answers to set when the step is entered (e.g. {offer: training}); ``reset`` forgets the
    # answers of an earlier request first; ``topic`` records a FAQ topic as read.
    set: dict[str, str] = Field(default_factory=dict)
    reset: bool = False
    topic: str | None = None
    # Where the facts of the step's texts come from (flows/sources.py); required on messages.
    sources: list[str] = Field(default_factory=list)


class MessageStep(_Step):
    """One or more bubbles of text, then on to ``next`` without waiting."""

    kind: Literal["message"]
    text: str | list[str]
    next: Next
    match: Matching | None = None
    # How a button or « Je comprends : … » names this answer when no menu option leads here.
    label: str | None = None

    @property
    def texts(self) -> list[str]:
        return [self.text] if isinstance(self.text, str) else list(self.text)


class ChoiceStep(_Step):
    """A question answered with one button. ``sensitive``: an answer can reveal health (GDPR
    art. 9, e.g. "I am a peer worker"): the engine says ``texts.PRIVACY_ART9`` before it, and
    it must offer « Je préfère ne pas le dire » (option ``unsaid``; ``pat-bot check``)."""

    kind: Literal["choice"]
    text: str
    key: str | None = None
    summary: str | None = None
    options: list[Option] = Field(min_length=1)
    next: Next | None = None
    menu_button: bool = True
    sensitive: bool = False

    @field_validator("options")
    @classmethod
    def _unique_options(cls, options: list[Option]) -> list[Option]:
        ids = [o.id for o in options]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate option id(s): {', '.join(dupes)}")
        return options


class MultiStep(_Step):
    """A question answered with several buttons, toggled, then confirmed with ``done_label``."""

    kind: Literal["multi"]
    text: str
    key: str
    summary: str | None = None
    options: list[Option] = Field(min_length=1)
    done_label: str
    next: Next


class InputStep(_Step):
    """A free-text answer checked by a named validator; ``retry`` is said when it fails."""

    kind: Literal["input"]
    text: str
    key: str
    validator: str
    retry: str
    summary: str | None = None
    optional: bool = False
    skip_label: str | None = None
    next: Next


class ConsentStep(_Step):
    """The privacy notice and an explicit choice, before any personal data is asked. Before
    its last text (the question), the engine adds ``texts.CONSENT_TELEGRAM``, which only
    Telegram shows (``texts.ONLY_ON``)."""

    kind: Literal["consent"]
    text: str | list[str]
    version: str
    accept_label: str
    refuse_label: str
    next: Next
    on_refuse: str

    @property
    def texts(self) -> list[str]:
        return [self.text] if isinstance(self.text, str) else list(self.text)


class SummaryStep(_Step):
    """Shows every answer with a summary label and offers to send or to correct one."""

    kind: Literal["summary"]
    text: str
    send_label: str
    edit_label: str
    next: Next


class SubmitStep(_Step):
    """Hands the finished request to the application (stored, then delivered)."""

    kind: Literal["submit"]
    next: Next


class EndStep(_Step):
    """Last words of a path, followed by the main menu."""

    kind: Literal["end"]
    text: str | list[str]

    @property
    def texts(self) -> list[str]:
        return [self.text] if isinstance(self.text, str) else list(self.text)


Step = Annotated[
    MessageStep
    | ChoiceStep
    | MultiStep
    | InputStep
    | ConsentStep
    | SummaryStep
    | SubmitStep
    | EndStep,
    Field(discriminator="kind"),
]

WAITING_KINDS = frozenset({"choice", "multi", "input", "consent", "summary"})


class Flow(_Model):
    """One flow file."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    title: str
    start: str
    # /start <flow id> (Telegram deep link) may open this flow directly; FAQ topics of a flow
    # that allows it open with /start faq_<topic>.
    deep_link: bool = False
    # An offer flow that typed text can start (see Matching); its intent id is the flow id.
    match: Matching | None = None
    steps: list[Step] = Field(min_length=1)
