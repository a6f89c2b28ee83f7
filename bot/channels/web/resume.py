"""A reload of the web page (or a page opened again): where the person is, never the welcome
of a new conversation. The page forgets what it showed; the conversation does not.

In the middle of something: « Nous reprenons là où nous en étions » and the current question
with its buttons (the engine's ``resume``). At the menu after a request: its reference, what
the person was told of its delivery (arrived, filed, or not), then the menu.
"""

from __future__ import annotations

from bot.conversation.render import Outgoing
from bot.conversation.service import ConversationService
from flows import texts
from flows.engine import Msg, State
from flows.loader import MENU_STEP
from storage import deliveries

# What the person was last told of a request, by what happened to it (outbox.tell_people).
TOLD = {"delivered": texts.DELIVERED, "failed": texts.NOT_DELIVERED}


async def last_request(service: ConversationService, key: str, state: State) -> list[Outgoing]:
    """At the menu, the person's last request, its delivery notice once they had it, then the
    menu; nothing when they are elsewhere or have no request."""
    if state.step != MENU_STEP:
        return []
    record = await deliveries.last_request_of(service.db, key)
    if record is None:
        return []
    t = service.translator(state)
    values = {"ref": record.ref, "date": t.long_date(record.created_at)}
    out = [Outgoing(t.render(Msg(texts.LAST_REQUEST), values))]
    told = TOLD.get(record.person_told or "")
    if told == texts.DELIVERED and service.outbox.deliverer.filed:
        told = texts.FILED  # written to a folder only: no more than that is said
    if told is not None:
        out.append(Outgoing(t.render(Msg(told), values)))
    return out + service.current_prompt(key, state)
