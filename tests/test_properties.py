"""Property-based tests: random events, texts and button data never break the bot.

Invariants, whatever is thrown at it: no crash; the state is always valid and survives JSON;
nothing is stored without consent; distress is answered first; a person never sees the
"something went wrong" message.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bot.app import build_app
from bot.channels.telegram import TelegramFrontDoor
from bot.settings import Settings
from flows import texts
from flows.engine import (
    Choice,
    Command,
    ConsentRefused,
    Event,
    Intent,
    Say,
    SetLocale,
    Start,
    State,
    Submit,
    Text,
    advance,
    prompt,
)
from flows.loader import FlowSet, load_flows
from storage import conversations, deliveries
from tests.botapi import FakeBotAPI, Telegram

FLOWS = load_flows()
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
COMMANDS = ["menu", "cancel", "help", "privacy", "resume", "language", "forget", "urgent"]
RESERVED = [
    "_menu",
    "_skip",
    "_done",
    "_send",
    "_edit",
    "_back",
    "_yes",
    "_no",
    "_f:nope",
    "_lang:xx",
    "_lang:nl",
    "_i:relapse",
    "_i:nope",
    "_continue",
    "_forget_yes",
    "_forget_no",
    "_abandon_yes",
    "_abandon_no",
    "",
]
INTENTS = [
    None,
    Intent("crisis", 1.0),
    Intent("unknown", 0.0),
    Intent("relapse", 0.9),
    Intent("training", 0.9),
    Intent("what_is", 0.5, (("brings", 0.4),)),
    Intent("nope", 0.99),
]
PLACEHOLDERS = (
    "{ref}",
    "{date}",
    "{label}",
    "{limit}",
    "{length}",
    "{retention_days}",
    "{abandoned_days}",
)
typed_text = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            "Marie",
            "marie@example.be",
            "0470123456",
            "12",
            "Une formation",
            "J'accepte",
            "Envoyer",
            "Passer",
            "↩ Menu",
            "x" * 2500,
        ]
    ),
)


def _buttons(state: State) -> list[tuple[str, int]]:
    says = [e for e in prompt(FLOWS, state) if isinstance(e, Say)]
    return [(b.id, s.turn) for s in says for b in s.buttons]


@st.composite
def events(draw: st.DrawFn, state: State) -> Event:
    kind = draw(
        st.sampled_from(
            ["press", "press", "press", "type", "type", "junk", "command", "start", "locale"]
        )
    )
    if kind == "press" and state.started:
        offered = _buttons(state)
        if offered:
            option, turn = draw(st.sampled_from(offered))
            return Choice(option, turn)
    if kind == "junk":
        option = draw(st.one_of(st.sampled_from(RESERVED), st.text(max_size=20)))
        return Choice(option, draw(st.one_of(st.none(), st.integers(-5, 200))))
    if kind == "command":
        return Command(draw(st.sampled_from(COMMANDS)))
    if kind == "start":
        return Start(
            draw(
                st.sampled_from(
                    [None, "training", "faq_relapse", "src_x", "zzz", "request", "faq_nope"]
                )
            )
        )
    if kind == "locale":
        return SetLocale(draw(st.sampled_from(["fr", "nl", "en"])))
    return Text(draw(typed_text), draw(st.sampled_from(INTENTS)))


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_engine_survives_any_sequence_of_events(data: st.DataObject) -> None:
    flows: FlowSet = FLOWS
    state = State()
    for _ in range(data.draw(st.integers(5, 60))):
        event = data.draw(events(state))
        before = state
        state, effects = advance(flows, state, event, NOW)
        assert state.step in flows.steps
        assert State.model_validate_json(state.model_dump_json()) == state
        says = [e for e in effects if isinstance(e, Say)]
        assert says, f"no answer to {event}"
        for effect in effects:
            if isinstance(effect, Submit):  # nothing leaves without consent
                assert before.consent is not None
                assert effect.consent_at == before.consent.at
            if isinstance(effect, ConsentRefused):
                assert state.answers == {} and state.consent is None
        if isinstance(event, Text) and event.intent and event.intent.name == "crisis":
            assert says[0].text.id == texts.CRISIS or len(event.text) > 2000
        if state.consent is None:
            assert not any(isinstance(e, Submit) for e in effects)
        for say in says:
            assert all(b.id for b in say.buttons)


async def _stored_without_consent(db: Any) -> list[str]:
    bad = []
    for record in await deliveries.list_requests(db):
        consents = await conversations.list_consents(db, record.chat_key)
        if not any(c.given_at <= record.created_at for c in consents):
            bad.append(record.ref)
    return bad


def test_nothing_is_stored_without_consent_through_the_service(
    settings: Settings,
) -> None:
    loop = asyncio.new_event_loop()
    stack = contextlib.AsyncExitStack()
    app = loop.run_until_complete(stack.enter_async_context(build_app(settings, run_worker=False)))
    counter = iter(range(10**9))

    @settings_profile
    @given(st.data())
    def run(data: st.DataObject) -> None:
        chat = f"tg:{next(counter)}"
        for _ in range(data.draw(st.integers(5, 40))):
            state = loop.run_until_complete(app.service.state_of(chat)) or State()
            event = data.draw(events(state))
            if isinstance(event, Text):
                event = Text(event.text)  # the service classifies for itself
            out = loop.run_until_complete(app.service.handle(chat, event))
            assert all(o.text for o in out)
            for o in out:
                assert not any(p in o.text for p in PLACEHOLDERS), o.text
        assert loop.run_until_complete(_stored_without_consent(app.db)) == []

    try:
        run()
    finally:
        loop.run_until_complete(stack.aclose())
        loop.close()


settings_profile = hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

update_kinds = st.sampled_from(
    ["text", "command", "callback", "sticker", "edited", "contact", "group"]
)


def test_the_telegram_handlers_survive_random_updates(settings: Settings) -> None:
    from pydantic import SecretStr
    from telegram import Update

    loop = asyncio.new_event_loop()
    stack = contextlib.AsyncExitStack()
    api = FakeBotAPI()
    loop.run_until_complete(api.start())
    configured = settings.model_copy(
        update={"telegram_token": SecretStr("1:T"), "telegram_api_url": api.base_url}
    )
    built = loop.run_until_complete(
        stack.enter_async_context(build_app(configured, run_worker=False))
    )
    door = TelegramFrontDoor(built.service, built.catalogs)
    application = door.build(configured)
    loop.run_until_complete(stack.enter_async_context(application))
    ids = iter(range(1000, 10**9))

    @settings_profile
    @given(
        st.lists(st.tuples(update_kinds, typed_text, st.text(max_size=70)), min_size=1, max_size=12)
    )
    def run(updates: list[tuple[str, str, str]]) -> None:
        person = Telegram(user_id=next(ids))
        api.clear()
        for kind, text, data in updates:
            if kind == "text":
                raw = person.message(text or ".")
            elif kind == "command":
                raw = person.message("/" + (text.split() or ["menu"])[0][:20].lstrip("/"))
            elif kind == "callback":
                offered = [m for m in api.sent() if m.get("reply_markup")]
                sent: dict[str, Any] = (
                    offered[-1] if offered and data[:1] != "x" else {"text": "old"}
                )
                buttons = [
                    b["callback_data"]
                    for row in (sent.get("reply_markup") or {}).get("inline_keyboard", [])
                    for b in row
                ]
                raw = person.press(
                    sent, buttons[len(data) % len(buttons)] if buttons else data[:64]
                )
            elif kind == "sticker":
                raw = person.message(
                    None,
                    sticker={
                        "file_id": "s",
                        "file_unique_id": "s",
                        "width": 1,
                        "height": 1,
                        "is_animated": False,
                        "is_video": False,
                        "type": "regular",
                    },
                )
            elif kind == "edited":
                raw = person.edited(text or ".")
            elif kind == "contact":
                raw = person.message(
                    None,
                    contact={
                        "phone_number": text[:20] or "+32470123456",
                        "first_name": "A",
                        "user_id": person.user["id"],
                    },
                )
            else:
                raw = person.message(text or ".")
                raw["message"]["chat"] = {
                    "id": -int(str(person.user["id"])),
                    "type": "group",
                    "title": "G",
                }
            loop.run_until_complete(
                application.process_update(Update.de_json(raw, application.bot))
            )
        assert texts.ERROR not in api.texts()

    try:
        run()
    finally:
        loop.run_until_complete(stack.aclose())
        loop.run_until_complete(api.stop())
        loop.close()
