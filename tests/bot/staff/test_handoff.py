"""A person from PAT answers in the chat: the real python-telegram-bot Application against the
Bot API stand-in, with a person, staff in a staff group, and someone who is not staff."""

from __future__ import annotations

import itertools
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest
from pydantic import SecretStr

from bot.app import build_app
from bot.channels.telegram import TelegramFrontDoor
from bot.delivery.mail import banner
from bot.settings import Settings
from bot.staff.handoff import MAX_ATTEMPTS, HandOff
from flows import texts
from storage import counters, deliveries, handoffs
from tests.bot.channels.test_telegram import Bot
from tests.botapi import FakeBotAPI, Telegram, buttons, data_for

GROUP = -100123
ANNE, BOB, EVE = 777, 778, 666


@pytest.fixture
def tg_settings(settings: Settings, api: FakeBotAPI) -> Settings:
    return settings.model_copy(
        update={
            "telegram_token": SecretStr("123456:TEST-TOKEN"),
            "telegram_api_url": api.base_url,
            "staff_ids": [ANNE, BOB],
            "staff_chat_id": GROUP,
        }
    )


@asynccontextmanager
async def running(settings: Settings, api: FakeBotAPI) -> AsyncIterator[Bot]:
    async with build_app(settings, run_worker=False) as built:
        door = TelegramFrontDoor(built.service, built.catalogs, settings.staff_ids, GROUP)
        app = door.build(settings)
        async with app:
            await door.post_init(app)
            yield Bot(app, api, built)


def in_group(user_id: int, first_name: str) -> Telegram:
    member = Telegram(user_id=user_id, first_name=first_name)
    member.chat = {"id": GROUP, "type": "supergroup", "title": "Équipe PAT"}
    return member


def as_replied(sent: dict[str, Any], who: Telegram) -> dict[str, Any]:
    """A message of the bot, as Telegram shows it inside a reply to it."""
    return {
        "message_id": 600,
        "date": 0,
        "chat": who.chat,
        "from": {"id": 999000, "is_bot": True, "first_name": "PAT"},
        "text": sent["text"],
    }


def handoff_of(bot: Bot) -> HandOff:
    handoff = bot.built.service.handoff
    assert handoff is not None
    return handoff


async def relay(bot: Bot) -> list[dict[str, Any]]:
    """Deliver what is queued; return what went out."""
    bot.api.clear()
    await handoff_of(bot).deliver()
    return bot.api.sent()


async def press(bot: Bot, who: Telegram, sent: dict[str, Any], label: str) -> list[Any]:
    return await bot.send(who.press(sent, data_for(sent, label)))


async def ask_in_chat(bot: Bot, person: Telegram) -> str:
    """An "other" request on Telegram, asking to be answered here; returns its reference."""
    sent = await bot.send(person.message("/start"))
    sent = await press(bot, person, sent[-1], "Autre chose / parler à une personne")
    for answer in ["Pouvez-vous m'aider à présenter PAT à ma direction ?"]:
        sent = await bot.send(person.message(answer))
    sent = await press(bot, person, sent[-1], "J'accepte")
    for answer in ["Ana Lima", "Passer", "éducatrice", "ana@example.be", "Passer"]:
        sent = await bot.send(person.message(answer))
    question = sent[-1]
    assert question["text"] == "Comment préférez-vous être contacté·e ?"
    # No phone given: e-mail, or here; never "by phone".
    assert [label for label, _ in buttons(question)] == [
        "Par e-mail",
        "Ici, dans ce chat",
        "↩ Menu",
    ]
    sent = await press(bot, person, question, "Ici, dans ce chat")
    assert "• <b>Contact préféré</b> : Ici, dans ce chat" in sent[-1]["text"]
    sent = await press(bot, person, sent[-1], "Envoyer")
    (record,) = await deliveries.list_requests(bot.built.db)
    assert record.payload is not None and record.payload.value("contact_pref") == "chat"
    assert banner(record.payload).startswith("Répondre en français, dans le chat (bouton")
    return record.ref


async def test_card_reply_each_way_and_the_person_ends_it(
    tg_settings: Settings, api: FakeBotAPI
) -> None:
    ana, anne, bob = Telegram(), in_group(ANNE, "Anne"), in_group(BOB, "Bob")
    async with running(tg_settings, api) as bot:
        ref = await ask_in_chat(bot, ana)
        (card,) = await relay(bot)
        assert card["chat_id"] == str(GROUP)
        assert card["text"].startswith(f"📥 Nouvelle demande {ref}\nAutre demande · français")
        assert "Ana Lima" not in card["text"] and "ana@example.be" not in card["text"]
        assert buttons(card) == [("Répondre dans le chat", f"hf:{ref}")]
        # Anne takes it; Bob, second, sees who did.
        sent = await press(bot, anne, card, "Répondre dans le chat")
        assert sent[-1]["text"].startswith(f"Écrivez votre réponse à {ref}")
        (notice,) = await relay(bot)
        assert notice["text"] == f"{ref} : Anne répond." and notice["chat_id"] == str(GROUP)
        sent = await press(bot, bob, card, "Répondre dans le chat")
        assert sent[-1]["text"] == f"Anne répond déjà à {ref}."
        # Anne writes; Ana receives it signed, with a way to end it.
        assert await bot.send(anne.message("Bonjour Ana, je peux vous appeler demain ?")) == []
        (to_ana,) = await relay(bot)
        assert to_ana["chat_id"] == "4242" and to_ana["parse_mode"] == "HTML"
        assert to_ana["text"].startswith(
            "<b>💬 Anne, de l'équipe PAT :</b>\nBonjour Ana, je peux vous appeler demain ?"
        )
        assert "Vous parlez maintenant avec une personne de l'équipe PAT" in to_ana["text"]
        assert [label for label, _ in buttons(to_ana)] == ["Terminer la conversation"]
        # Ana answers: passed on, tagged with the reference; reminded once that it is a person.
        sent = await bot.send(ana.message("Oui, demain à 10 h"))
        assert [m["text"] for m in sent] == [
            "C'est transmis à Anne, de l'équipe PAT : une personne, pas le robot."
        ]
        (to_staff,) = await relay(bot)
        assert to_staff["text"] == f"💬 {ref} · la personne écrit :\nOui, demain à 10 h"
        assert await bot.send(ana.message("Merci !")) == []  # no second reminder
        assert [m["text"] for m in await relay(bot)] == [f"💬 {ref} · la personne écrit :\nMerci !"]
        # A command still works during the hand-off.
        sent = await bot.send(ana.message("/privacy"))
        assert any("une personne de l'équipe PAT peut vous répondre" in m["text"] for m in sent)
        # Ana ends it: the bot is back, staff are told.
        sent = await press(bot, ana, to_ana, "Terminer la conversation")
        assert sent[-1]["text"].startswith("La conversation avec l'équipe PAT est terminée.")
        assert [m["text"] for m in await relay(bot)] == [
            f"{ref} : la personne a terminé la conversation."
        ]
        sent = await bot.send(ana.message("et si il rechute ?"))
        assert "Le rétablissement" in " ".join(m["text"] for m in sent)  # the bot answers again
        assert await relay(bot) == []
        await bot.built.service.flush_counts()
        counts = await counters.since(bot.built.db, bot.built.service.clock() - timedelta(days=1))
    # Anonymous counts only: opened once, one message to the person, two to staff.
    assert counts["handoff"] == {"opened": 1, "to_person": 1, "to_staff": 2}


async def test_reply_and_close_commands_and_a_reply_to_the_card(
    tg_settings: Settings, api: FakeBotAPI
) -> None:
    ana, anne = Telegram(), in_group(ANNE, "Anne")
    async with running(tg_settings, api) as bot:
        ref = await ask_in_chat(bot, ana)
        (card,) = await relay(bot)
        replied = {
            "message_id": 600,
            "date": 0,
            "chat": anne.chat,
            "from": {"id": 999000, "is_bot": True, "first_name": "PAT"},
            "text": card["text"],
        }
        assert await bot.send(anne.message("Bonjour !", reply_to_message=replied)) == []
        sent = await relay(bot)
        assert [m["chat_id"] for m in sent] == [str(GROUP), "4242"]  # "Anne répond", then Ana
        assert "Bonjour !" in sent[1]["text"]
        # In her private chat with the bot, with the command.
        anne_private = Telegram(user_id=ANNE, first_name="Anne")
        anne_private._update_ids = itertools.count(5_000_000)  # Telegram numbers all updates
        assert await bot.send(anne_private.message(f"/reply {ref} Je vous appelle à 10 h.")) == []
        (to_ana,) = await relay(bot)
        assert "Je vous appelle à 10 h." in to_ana["text"]
        assert "Vous parlez maintenant" not in to_ana["text"]  # said with the first message only
        sent = await bot.send(anne_private.message(f"/close {ref}"))
        assert sent[-1]["text"] == f"{ref} : conversation terminée par Anne."
        out = await relay(bot)
        assert out[0]["chat_id"] == "4242"
        assert out[0]["text"].startswith("Anne a terminé la conversation. Le robot reprend")
        # Closed: a further reply is refused, and Ana's texts go to the bot again.
        sent = await bot.send(anne_private.message(f"/reply {ref} Encore moi"))
        assert "pas de conversation possible" in sent[-1]["text"]
        assert await relay(bot) == []


async def test_distress_during_a_hand_off_shows_help_lines_and_warns_staff(
    tg_settings: Settings, api: FakeBotAPI
) -> None:
    ana, anne = Telegram(), in_group(ANNE, "Anne")
    async with running(tg_settings, api) as bot:
        ref = await ask_in_chat(bot, ana)
        (card,) = await relay(bot)
        await press(bot, anne, card, "Répondre dans le chat")
        await bot.send(anne.message("Bonjour Ana."))
        await relay(bot)
        sent = await bot.send(ana.message("je veux mourir"))
        said = " ".join(m["text"] for m in sent)
        assert "112" in said and "+32 800 32 123" in said  # the help lines, at once
        (warning,) = await relay(bot)
        assert warning["text"].startswith(f"⚠️ {ref} : ce message peut dire une détresse.")
        assert warning["text"].endswith("\nje veux mourir")


async def test_someone_not_on_staff_cannot_take_or_reply(
    tg_settings: Settings, api: FakeBotAPI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    ana, eve = Telegram(), Telegram(user_id=EVE, first_name="Eve")
    async with running(tg_settings, api) as bot:
        ref = await ask_in_chat(bot, ana)
        (card,) = await relay(bot)
        # A forged press of the card's button, from Eve's own chat.
        await bot.send(eve.press(card, f"hf:{ref}"))
        (answer,) = api.sent("answerCallbackQuery")
        assert answer["text"] == "Réservé à l'équipe PAT." and answer["show_alert"] in (
            True,
            "true",
        )
        sent = await bot.send(eve.message(f"/reply {ref} Je suis de PAT, donnez-moi votre adresse"))
        assert [m["text"] for m in sent] == ["Réservé à l'équipe PAT."]
        assert await relay(bot) == []  # nothing reached Ana
        row = await handoffs.get(bot.built.db, ref)
        assert row is not None and row.staff_key is None  # nobody took it
    assert "refused" in caplog.text and "donnez-moi" not in caplog.text


async def test_forget_during_a_hand_off_ends_it_and_tells_staff(
    tg_settings: Settings, api: FakeBotAPI
) -> None:
    ana, anne = Telegram(), in_group(ANNE, "Anne")
    async with running(tg_settings, api) as bot:
        ref = await ask_in_chat(bot, ana)
        (card,) = await relay(bot)
        await press(bot, anne, card, "Répondre dans le chat")
        await bot.send(anne.message("Bonjour Ana."))
        await bot.send(ana.message("Bonjour"))  # queued, not yet delivered
        sent = await bot.send(ana.message("/forget"))
        await press(bot, ana, sent[-1], texts.FORGET_YES)
        out = await relay(bot)
        assert [m["text"] for m in out] == [
            f"{ref} : la personne a demandé l'effacement de ses données ; la conversation est "
            "terminée."
        ]  # the queued messages went with everything else
        assert await handoffs.get(bot.built.db, ref) is None  # nothing of it stays
        assert await handoffs.waiting(bot.built.db, ["tg"]) == []


async def test_a_silent_hand_off_expires_and_both_sides_are_told(
    tg_settings: Settings, api: FakeBotAPI
) -> None:
    ana, anne = Telegram(), in_group(ANNE, "Anne")
    async with running(tg_settings, api) as bot:
        ref = await ask_in_chat(bot, ana)
        (card,) = await relay(bot)
        await press(bot, anne, card, "Répondre dans le chat")
        await bot.send(anne.message("Bonjour Ana."))
        await relay(bot)
        handoff = handoff_of(bot)
        start = handoff.clock()
        handoff.clock = lambda: start + timedelta(days=6)
        assert await handoff.expire() == 0
        handoff.clock = lambda: start + timedelta(days=7, minutes=1)
        assert await handoff.expire() == 1
        out = await relay(bot)
        assert [m["chat_id"] for m in out] == ["4242", str(GROUP)]
        assert "après 7 jours sans message" in out[0]["text"]
        assert out[1]["text"] == f"{ref} : conversation fermée après 7 jours sans message."
        sent = await bot.send(ana.message("Bonjour ?"))
        assert sent  # the bot answers: the hand-off is over


async def test_a_refused_relay_is_retried_in_order_then_staff_are_told(
    tg_settings: Settings, api: FakeBotAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.channels.telegram_api._RETRY_DELAYS", (0.0, 0.0, 0.0))
    ana, anne = Telegram(), in_group(ANNE, "Anne")
    async with running(tg_settings, api) as bot:
        ref = await ask_in_chat(bot, ana)
        (card,) = await relay(bot)
        await press(bot, anne, card, "Répondre dans le chat")
        await relay(bot)
        await bot.send(anne.message("Premier message"))
        await bot.send(anne.message("Deuxième message", reply_to_message=as_replied(card, anne)))
        handoff = handoff_of(bot)
        start = handoff.clock()
        api.fail_next = 4  # one delivery round: with_retries tries four times, then gives up
        assert await handoff.deliver() == 0
        later = start + timedelta(minutes=1)
        handoff.clock = lambda: later
        out = await relay(bot)
        assert ["Premier" in m["text"] for m in out] == [True, False]  # in order
        # Every try fails (a long network outage); after the last, Anne is told.
        await bot.send(anne.message("Troisième message", reply_to_message=as_replied(card, anne)))
        for _ in range(MAX_ATTEMPTS):
            api.fail_next = 4
            later = later + timedelta(minutes=1)
            await handoff.deliver()
        api.fail_next = 0
        out = await relay(bot)
        assert [m["text"] for m in out] == [
            f"{ref} : votre message n'a pas pu être remis (NetworkError)."
        ]
        assert out[0]["chat_id"] == str(GROUP)


async def test_the_group_talks_freely_and_a_person_may_reply_to_the_bot(
    tg_settings: Settings, api: FakeBotAPI
) -> None:
    ana, anne = Telegram(), in_group(ANNE, "Anne")
    async with running(tg_settings, api) as bot:
        ref = await ask_in_chat(bot, ana)
        (card,) = await relay(bot)
        await press(bot, anne, card, "Répondre dans le chat")
        await relay(bot)
        await bot.send(anne.message("Bonjour Ana !"))
        assert [m["chat_id"] for m in await relay(bot)] == ["4242"]
        # The button held for one message: the group's own talk stays in the group.
        assert await bot.send(anne.message("@Bob tu prends la suivante ?")) == []
        assert await relay(bot) == []
        # Ana answers with Telegram's "Reply" on Anne's message: an ordinary message.
        from_anne = {
            "message_id": 9,
            "date": 0,
            "chat": ana.chat,
            "text": "💬 Anne…",
            "from": {"id": 999000, "is_bot": True, "first_name": "PAT"},
        }
        sent = await bot.send(ana.message("Oui, merci", reply_to_message=from_anne))
        assert [m["text"] for m in sent] == [
            "C'est transmis à Anne, de l'équipe PAT : une personne, pas le robot."
        ]
        assert [m["text"] for m in await relay(bot)] == [
            f"💬 {ref} · la personne écrit :\nOui, merci"
        ]


async def test_a_new_request_can_be_filled_in_during_a_hand_off(
    tg_settings: Settings, api: FakeBotAPI
) -> None:
    ana, anne = Telegram(), in_group(ANNE, "Anne")
    async with running(tg_settings, api) as bot:
        await ask_in_chat(bot, ana)
        (card,) = await relay(bot)
        await press(bot, anne, card, "Répondre dans le chat")
        await bot.send(anne.message("Bonjour Ana !"))
        await relay(bot)
        sent = await bot.send(ana.message("/menu"))
        sent = await press(bot, ana, sent[-1], "Accompagner mon organisation")
        sent = await press(bot, ana, sent[-1], "Commencer ma demande")
        sent = await bot.send(ana.message("ASBL Soleil"))  # the bot's question, answered
        assert sent[-1]["text"] == "Dans quel secteur travaillez-vous ?"
        assert all("ASBL" not in m["text"] for m in await relay(bot))


async def test_a_long_message_is_split_for_telegram(tg_settings: Settings, api: FakeBotAPI) -> None:
    ana, anne = Telegram(), in_group(ANNE, "Anne")
    async with running(tg_settings, api) as bot:
        await ask_in_chat(bot, ana)
        (card,) = await relay(bot)
        await press(bot, anne, card, "Répondre dans le chat")
        await bot.send(anne.message("Bonjour"))
        await relay(bot)
        await bot.send(ana.message("& " * 1000))  # 2,000 characters, longer once prefixed
        out = await relay(bot)
        assert len(out) == 1 and len(out[0]["text"]) <= 4096
        await bot.send(anne.message("x" * 4000, reply_to_message=as_replied(out[0], anne)))
        parts = await relay(bot)
        assert len(parts) == 2 and all(len(p["text"]) <= 4096 for p in parts)
        assert buttons(parts[-1]) and not buttons(parts[0])  # "Terminer" under the last part


async def test_a_person_message_waits_while_the_terminal_console_is_away(
    settings: Settings,
) -> None:
    """pat-bot staff killed: the person's messages wait for the next console, none is lost."""
    from bot.staff.handoff import CONSOLE

    async with build_app(settings, run_worker=False) as app:
        handoff = handoff_of_app(app)
        now = handoff.clock()
        await handoffs.offer(app.db, "R-261201-ABCD", "terminal", "fr", now)
        assert await handoffs.take(app.db, "R-261201-ABCD", CONSOLE, "Anne", now) == "taken"
        row = await handoffs.open_for(app.db, "terminal")
        assert row is not None
        assert not handoff.can_reply_here("terminal")  # no console: not offered to new people
        await handoff.person_writes(row, "Toujours là ?", distress=False)
        (waiting,) = await handoffs.waiting(app.db, [CONSOLE])
        assert waiting.text.endswith("Toujours là ?")


def handoff_of_app(app: Any) -> HandOff:
    assert app.service.handoff is not None
    handoff: HandOff = app.service.handoff
    return handoff


async def test_a_photo_during_a_hand_off_is_announced_not_passed_on(
    tg_settings: Settings, api: FakeBotAPI
) -> None:
    ana, anne = Telegram(), in_group(ANNE, "Anne")
    async with running(tg_settings, api) as bot:
        ref = await ask_in_chat(bot, ana)
        (card,) = await relay(bot)
        await press(bot, anne, card, "Répondre dans le chat")
        await bot.send(anne.message("Bonjour Ana."))
        await relay(bot)
        photo = [{"file_id": "x", "file_unique_id": "y", "width": 1, "height": 1}]
        sent = await bot.send(ana.message(None, photo=photo, caption="le document"))
        assert [m["text"] for m in sent] == [
            "Je ne transmets que le texte à Anne. Décrivez-le en quelques mots, ou envoyez le "
            "document à pat@smes.be."
        ]
        (notice,) = await relay(bot)
        assert notice["text"].startswith(f"{ref} : la personne a envoyé une photo")
        assert "le document" not in notice["text"]
