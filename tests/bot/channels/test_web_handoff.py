"""A person from PAT answering on the web page, at the level of the service: what waits while no
page is open (never dropped, never counted as a failed try), in order, shown once a page says
so, over the HTTP fallback too, and erased by /forget. Pages are stand-ins for WebSockets here;
tests/bot/channels/test_web_handoff_browser.py runs the real page and a real Telegram desk."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest

from bot.app import App, build_app
from bot.channels.registry import WEB
from bot.channels.web import WebChannel
from bot.channels.web import relay as web_relay
from bot.conversation.render import parse_callback
from bot.settings import Settings
from bot.staff.handoff import MAX_ATTEMPTS, HandOff
from flows import texts
from flows.engine import Command
from storage import handoffs

SID = "s" * 32
KEY = f"{WEB.prefix}{SID}"
DESK = "tg-staff:-100123"
REF = "R-261207-WEBB"


class Page:
    """An open page: records what it is sent, and says it has shown it (unless ``silent``)."""

    def __init__(self, channel: WebChannel, *, silent: bool = False, broken: bool = False):
        self.channel = channel
        self.silent = silent
        self.broken = broken  # closing as the message goes: sending to it fails
        self.frames: list[dict[str, Any]] = []
        self.closed: int | None = None

    async def send_text(self, data: str) -> None:
        if self.broken:
            raise RuntimeError("closing")
        frame = json.loads(data)
        self.frames.append(frame)
        if not self.silent:
            ack = {"t": "ack", "id": frame["id"]}
            asyncio.get_running_loop().call_soon(self.channel.relay.acked, SID, ack)

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        self.closed = code

    def texts(self) -> list[str]:
        return [m["text"] for f in self.frames for m in f["messages"]]


@asynccontextmanager
async def web_handoff(settings: Settings) -> AsyncIterator[tuple[App, WebChannel, HandOff]]:
    """The web channel of a process with a staff chat, and a hand-off Anne has taken."""
    with_staff = settings.model_copy(update={"staff_chat_id": -100123})
    async with build_app(with_staff, run_worker=False) as app:
        channel = WebChannel(app.service, app.catalogs, with_staff)
        handoff = app.handoff
        assert handoff.can_reply_here(KEY)  # « Ici, dans ce chat » is offered on the page
        assert handoff.staff_for(KEY) == [DESK]  # cards and messages go to the staff chat
        await app.service.handle(KEY, Command("menu"), locale="fr")
        await handoffs.offer(app.db, REF, KEY, "fr", handoff.clock())
        allowed, _ = await handoff.take(REF, "tg:777", "Anne")
        assert allowed
        yield app, channel, handoff


async def anne_writes(handoff: HandOff, *lines: str) -> None:
    for line in lines:
        assert await handoff.staff_writes(REF, "tg:777", "Anne", line, DESK) is None


async def test_a_closed_page_keeps_messages_waiting_then_gets_them_in_order_once(
    settings: Settings,
) -> None:
    async with web_handoff(settings) as (app, channel, handoff):
        await anne_writes(handoff, "Bonjour Ana.", "Je vous appelle demain ?")
        for _ in range(MAX_ATTEMPTS + 2):  # no page open: far more rounds than tries allowed
            assert await handoff.deliver() == 0
        waiting = await handoffs.waiting_to(app.db, KEY)
        assert [m.attempts for m in waiting] == [0, 0]  # not failed tries: nothing dropped
        to_staff = [m.text for m in await handoffs.waiting_to(app.db, DESK)]
        assert to_staff == [f"{REF} : Anne répond."]  # Anne is not told it failed
        page = Page(channel)
        channel.relay.join(SID, page)  # the person comes back
        assert await handoff.deliver() == 2
        assert [f["messages"][0]["text"] for f in page.frames] == [
            "Bonjour Ana.\n\nVous parlez maintenant avec une personne de l'équipe PAT, plus "
            "avec le robot. Répondez ici ; « Terminer la conversation » y met fin.",
            "Je vous appelle demain ?",
        ]
        first = page.frames[0]["messages"][0]
        assert first["who"] == "staff" and first["head"] == "💬 Anne, de l'équipe PAT :"
        (end,) = first["buttons"]
        assert end["label"] == "Terminer la conversation"
        assert await handoffs.waiting_to(app.db, KEY) == []  # delivered: no text kept
        assert await handoff.deliver() == 0 and len(page.frames) == 2  # once


async def test_a_page_that_does_not_say_it_showed_a_message_is_closed_and_the_message_waits(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web_relay, "ACK_SECONDS", 0.05)
    async with web_handoff(settings) as (app, channel, handoff):
        await anne_writes(handoff, "Bonjour Ana.")
        silent, closing = Page(channel, silent=True), Page(channel, broken=True)
        channel.relay.join(SID, silent)
        channel.relay.join(SID, closing)
        assert await handoff.deliver() == 0
        assert silent.closed == web_relay.SILENT  # the page reconnects, if it still lives
        assert SID not in channel.relay.pages
        (waiting,) = await handoffs.waiting_to(app.db, KEY)
        assert waiting.attempts == 0
        # Two tabs of one session: both show it, the first « shown » is enough.
        tabs = [Page(channel), Page(channel, silent=True)]
        for tab in tabs:
            channel.relay.join(SID, tab)
        assert await handoff.deliver() == 1
        assert [len(tab.frames) for tab in tabs] == [1, 1]
        assert tabs[1].closed is None


async def test_the_http_fallback_gets_what_waits_with_its_next_answer(settings: Settings) -> None:
    async with web_handoff(settings) as (app, channel, handoff):
        await anne_writes(handoff, "Bonjour Ana.")
        (msg,) = await handoffs.waiting_to(app.db, KEY)
        (given,) = await channel.relay.take(SID)
        assert given["id"] == msg.id and given["messages"][0]["text"].startswith("Bonjour Ana.")
        assert await channel.relay.take(SID) == []  # given once
        page = Page(channel)
        channel.relay.join(SID, page)
        await channel.relay.send(msg)  # the relay had read it before the fallback gave it
        assert page.frames == []


async def test_forget_during_a_web_hand_off_erases_it_and_what_waits(settings: Settings) -> None:
    async with web_handoff(settings) as (app, _channel, handoff):
        await anne_writes(handoff, "Bonjour Ana.")  # waiting: no page open
        row = await handoffs.open_for(app.db, KEY)
        assert row is not None
        await handoff.person_writes(row, "Mon adresse est rue X", distress=False)
        asked = await app.service.handle(KEY, Command("forget"))
        yes = next(b for o in asked for b in o.buttons if b.label == texts.FORGET_YES)
        choice = parse_callback(yes.data)
        assert choice is not None
        await app.service.handle(KEY, choice)
        assert await handoffs.get(app.db, REF) is None
        assert await handoffs.waiting_to(app.db, KEY) == []
        to_staff = [m.text for m in await handoffs.waiting_to(app.db, DESK)]
        assert all("rue X" not in text for text in to_staff)  # the person's words went too
        assert any("effacement" in text for text in to_staff)  # staff are told


async def test_what_waits_for_a_page_never_opened_again_goes_with_retention(
    settings: Settings,
) -> None:
    async with web_handoff(settings) as (app, _channel, handoff):
        await anne_writes(handoff, "Bonjour Ana.")
        await handoff.staff_closes(REF, "tg:777", "Anne")
        assert len(await handoffs.waiting_to(app.db, KEY)) == 2  # her message, and the end
        now = handoff.clock()
        assert await handoffs.purge_unclaimed(app.db, now - timedelta(days=1)) == 0
        assert await handoffs.purge_unclaimed(app.db, now + timedelta(seconds=1)) == 2
        assert await handoffs.waiting_to(app.db, KEY) == []


async def test_the_end_button_on_the_page_ends_the_hand_off(settings: Settings) -> None:
    async with web_handoff(settings) as (app, channel, handoff):
        await anne_writes(handoff, "Bonjour Ana.")
        page = Page(channel)
        channel.relay.join(SID, page)
        await handoff.deliver()
        (end,) = page.frames[0]["messages"][0]["buttons"]
        pressed = parse_callback(end["data"])  # what the page sends: {"t": "button", "data"}
        assert pressed is not None
        (said,) = await app.service.handle(KEY, pressed)
        assert said.text.startswith("La conversation avec l'équipe PAT est terminée.")
        assert await handoffs.open_for(app.db, KEY) is None


async def test_staff_hear_of_a_web_request_only_when_the_person_chose_the_chat(
    settings: Settings,
) -> None:
    """A card goes through the staff's Telegram chat: for a person on the web page or on
    WhatsApp, only when they chose « Ici, dans ce chat » (the privacy notice says so then);
    otherwise the request reaches PAT by e-mail alone."""
    from datetime import UTC, datetime

    from storage.models import PayloadField, RequestPayload

    def payload(ref: str, pref: str) -> RequestPayload:
        now = datetime(2026, 12, 7, tzinfo=UTC)
        return RequestPayload(
            ref=ref,
            offer="training",
            offer_label="Formation",
            created_at=now,
            locale="fr",
            locale_label="français",
            fields=[PayloadField(key="contact_pref", label="Contact", value=pref, raw=pref)],
            consent_version="2026-12-v7",
            consent_at=now,
            channel="web",
        )

    async with web_handoff(settings) as (app, _, handoff):

        async def cards() -> list[str]:  # (Anne's hand-off of the fixture left its own notice)
            return [m.ref for m in await handoffs.waiting_to(app.db, DESK) if m.ref != REF]

        await handoff.offer(KEY, payload("R-261207-MAIL", "email"))
        assert await cards() == []
        await handoff.offer(KEY, payload("R-261207-CHAT", "chat"))
        assert await cards() == ["R-261207-CHAT"]
        # The same on WhatsApp (its people are not on Telegram either); on Telegram, always.
        await handoff.offer("wa:+32470000000", payload("R-261207-WAPP", "email"))
        await handoff.offer("tg:42", payload("R-261207-TELE", "email"))
        assert await cards() == ["R-261207-CHAT", "R-261207-TELE"]
