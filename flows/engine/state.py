"""Where one person is in the conversation: everything needed to continue, serialisable to
JSON (stored after every turn)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_origin

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic import Field as PydanticField

from flows.engine.events import About, Danger
from flows.loader import MENU_STEP


class Consent(BaseModel):
    model_config = ConfigDict(frozen=True)

    version: str
    at: datetime


# A question asked on top of the current step, which stays where it was: erase everything?
# (forget), back where you were after the help lines? (crisis), the help lines by situation
# (help), are you in danger right now? (check), did you mean…? (suggest), which language?
# (language), which answer to correct? (pick_field), leave the request and its answers?
# (abandon), go on in the language of a text typed in another one? (switch,
# flows/engine/switch.py).
Overlay = Literal[
    "none",
    "forget",
    "crisis",
    "help",
    "check",
    "suggest",
    "also",
    "language",
    "pick_field",
    "abandon",
    "switch",
]


class Leaving(BaseModel):
    """Where a person asked to go while answers would be lost (the abandon question): the
    menu, /cancel, or a new conversation (/start, with its link and language)."""

    model_config = ConfigDict(frozen=True)

    to: Literal["menu", "cancel", "start"]
    payload: str | None = None
    locale: str | None = None


class State(BaseModel):
    """Where one person is in the conversation."""

    model_config = ConfigDict(extra="ignore")

    step: str = MENU_STEP
    turn: int = 0
    locale: str = "fr"
    answers: dict[str, str | list[str]] = PydanticField(default_factory=dict)
    path: list[str] = PydanticField(default_factory=list)
    faq_read: list[str] = PydanticField(default_factory=list)
    consent: Consent | None = None
    # "edit": correcting one answer from the summary (edit_target), other questions skipped.
    mode: Literal["normal", "edit"] = "normal"
    edit_target: str | None = None
    overlay: Overlay = "none"
    # The question that was on top of the step when the help screen opened (the check, a
    # "did you mean", erase?…): « Revenir où j'étais » brings it back.
    beneath: Overlay = "none"
    # suggest: the intents offered; check: what the typed text was otherwise about (intent,
    # score), answered if the person says it was a question for their work. Ids, never text.
    suggestions: list[str] = PydanticField(default_factory=list)
    pending: list[tuple[str, float]] = PydanticField(default_factory=list)
    # check and crisis: who may be in danger, and what kind of danger (its help lines).
    about: About = "self"
    danger: Danger | None = None
    # The person said "no danger, a work question" at this step: a text that could be
    # distress is taken as the answer here (a sure one still shows the help lines).
    check_declined: bool = False
    # abandon: where the person goes if they confirm.
    leaving: Leaving | None = None
    source: str | None = None
    started: bool = False
    # A language chosen (from the list, or answering the offer to switch): not offered again.
    language_chosen: bool = False
    # Set by the service before each event: a person from PAT can answer in this chat
    # (hand-off on, and this channel carries it). Conditions read it as ``reply_here``.
    reply_here: bool = False

    @model_validator(mode="before")
    @classmethod
    def _from_older_states(cls, data: Any) -> Any:
        """States saved before the overlay field had one flag per overlay."""
        if not isinstance(data, dict) or "overlay" in data:
            return data
        data = dict(data)
        flags = {
            "confirming_forget": "forget",
            "crisis_pause": "crisis",
            "picking_language": "language",
        }
        for flag, overlay in flags.items():
            if data.pop(flag, False):
                data["overlay"] = overlay
        if data.get("mode") == "pick_field":
            data["mode"], data["overlay"] = "normal", "pick_field"
        if data.get("suggestions") and "overlay" not in data:
            data["overlay"] = "suggest"
        return data

    def clone(self) -> State:
        """A copy that shares nothing mutable with this state: every list and dict field is
        copied (the values inside are strings, numbers, lists of them, or frozen), whatever
        fields are added later (_MUTABLE is read from the fields' types). Several times
        cheaper than a deep ``model_copy``; the engine copies a state per update
        (bench/run.py)."""
        return self.model_copy(update={name: _copy(getattr(self, name)) for name in _MUTABLE})


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


# The fields whose values are lists or dicts, from their declared types (a new field is
# copied without anyone having to list it here).
_MUTABLE = tuple(
    name for name, info in State.model_fields.items() if get_origin(info.annotation) in (list, dict)
)
