"""One turn of a conversation (one event for one person): the ``Reply`` the service gives the
channel, and how everything the event changed is stored, in one transaction
(storage/conversations.py), a new request's reference drawn again in the rare case it is taken;
what the person is told of an erasure that could not finish at once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from bot.conversation.i18n import Translator
from bot.conversation.render import Outgoing, render_all, render_text
from flows import texts
from flows.engine import ConsentGiven, Effect, Forget, Msg, Say, State, Submit
from flows.texts import DUPLICATE
from storage import conversations
from storage.db import Database
from storage.models import RequestPayload

# How one request is made: (chat key, its Submit effect, now, Telegram username) -> new request.
NewRequestMaker = Callable[[str, Submit, datetime, str | None], conversations.NewRequest]


@dataclass
class Reply:
    """What to show, and the person's state before and after the event."""

    messages: list[Outgoing]
    before: State | None
    after: State | None
    erased: bool = False  # the person's data was just erased at their request (/forget)


async def store_turn(
    db: Database,
    new_request: NewRequestMaker,
    chat_key: str,
    after: State,
    effects: list[Effect],
    now: datetime,
    update_id: int | None,
    username: str | None,
) -> tuple[conversations.Saved, list[RequestPayload]]:
    """Store the state ``after`` the event and what its ``effects`` ask (consents, requests
    made by ``new_request``, an erasure). Returns what was saved, and the new requests (not
    those sent twice). ``conversations.AlreadyApplied``: this update was applied before."""
    submits = [e for e in effects if isinstance(e, Submit)]
    turn = conversations.Turn(
        chat_key,
        after,
        now,
        update_id=update_id,
        consents=[(e.version, e.at) for e in effects if isinstance(e, ConsentGiven)],
        forget=any(isinstance(e, Forget) for e in effects),
    )
    for _ in range(5):
        turn.requests = [new_request(chat_key, s, now, username) for s in submits]
        try:
            saved = await conversations.save_turn(db, turn)
            break
        except conversations.ReferenceTaken:
            continue
    else:
        raise RuntimeError("no free reference after five draws")
    stored = [
        new.payload
        for new, (_, duplicate) in zip(turn.requests, saved.requests, strict=True)
        if not duplicate
    ]
    return saved, stored


def honest_erasure(effects: list[Effect], in_flight: list[str], finished: bool) -> list[Effect]:
    """The engine says « C'est fait : j'ai tout effacé »; say instead what really happened
    when a request was on its way to PAT, or when a copy is left for a moment."""
    if in_flight:
        done = Msg(texts.FORGOTTEN_IN_FLIGHT, {"ref": ", ".join(in_flight)})
    elif not finished:
        done = Msg(texts.FORGOTTEN_NOT_YET)
    else:
        return effects
    return [
        replace(e, text=done) if isinstance(e, Say) and e.text.id == texts.FORGOTTEN else e
        for e in effects
    ]


def answer(
    t: Translator,
    context: dict[str, str],
    effects: list[Effect],
    saved: conversations.Saved,
    now: datetime,
) -> list[Outgoing]:
    """What the person is shown: the effects rendered with the values they show (the chat's,
    and a new request's reference and date), after a note when a request was sent twice."""
    context = dict(context)
    for ref, _ in saved.requests:
        context["ref"] = ref
        context["date"] = t.long_date(now)
    out = render_all(effects, t, context)
    if any(duplicate for _, duplicate in saved.requests):
        out.insert(0, render_text(DUPLICATE, t))
    return out
