"""The Telegram front door through the real python-telegram-bot Application.

Updates are built as Telegram sends them; the bot talks HTTP to a local Bot API stand-in on
127.0.0.1 (tests/botapi.py); the tests assert on what the bot sent: texts, keyboards, edits.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from pydantic import SecretStr
from telegram import Update
from telegram.ext import Application

from bot.app import App, build_app
from bot.channels.telegram import TelegramFrontDoor
from bot.cli.serve import run_telegram
from bot.settings import Settings
from flows import texts
from storage import conversations, deliveries
from tests.botapi import FakeBotAPI, Telegram, buttons, data_for
from tests.helpers import REPO_ROOT

MENU_Q = "Que puis-je faire pour vous ?"

MAIL_FROM, MAIL_TO = "Robot PAT <noreply@smes.be>", "pat@smes.be"


@pytest.fixture
def tg_settings(settings: Settings, api: FakeBotAPI) -> Settings:
    return settings.model_copy(
        update={"telegram_token": SecretStr("123456:TEST-TOKEN"), "telegram_api_url": api.base_url}
    )


class Bot:
    """One running bot process: the Application and what it sent."""

    def __init__(
        self, app: Application[Any, Any, Any, Any, Any, Any], api: FakeBotAPI, built: App
    ) -> None:
        self.app = app
        self.api = api
        self.built = built

    async def send(self, update: dict[str, Any]) -> list[dict[str, Any]]:
        """Process one update; return the messages sent because of it."""
        self.api.clear()
        await self.app.process_update(Update.de_json(update, self.app.bot))
        return self.api.sent()

    def last_with_buttons(self) -> dict[str, Any]:
        return [m for m in self.api.sent() if m.get("reply_markup")][-1]


@asynccontextmanager
async def running(settings: Settings, api: FakeBotAPI) -> AsyncIterator[Bot]:
    async with build_app(settings, run_worker=False) as built:
        door = TelegramFrontDoor(built.service, built.catalogs, staff_ids=[777])
        app = door.build(settings)
        async with app:
            await door.post_init(app)
            yield Bot(app, api, built)


async def press(bot: Bot, person: Telegram, sent: dict[str, Any], label: str) -> list[Any]:
    return await bot.send(person.press(sent, data_for(sent, label)))


async def test_full_request_on_telegram(
    tg_settings: Settings, api: FakeBotAPI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ana = Telegram(username="ana_lima")
    async with running(tg_settings, api) as bot:
        sent = await bot.send(ana.message("/start"))
        assert [m["text"] for m in sent][-1] == MENU_Q
        assert api.sent("sendChatAction")  # three bubbles: "typing…" first
        menu = sent[-1]
        assert [label for label, _ in buttons(menu)][:2] == [
            "Questions sur la pair-aidance",
            "Une formation",
        ]
        sent = await press(bot, ana, menu, "Accompagner mon organisation")
        edit = api.sent("editMessageText")[0]
        assert edit["text"].endswith("<i>→ Accompagner mon organisation</i>")
        assert "reply_markup" not in edit  # the old buttons are gone
        assert sent[-1]["text"] == "Voulez-vous d'abord lire les étapes de l'accompagnement ?"
        sent = await press(bot, ana, sent[-1], "Commencer ma demande")
        assert sent[-1]["text"] == "Quel est le nom de votre organisation ?"
        sent = await bot.send(ana.message("<b>Soleil & Co</b>"))
        sent = await press(bot, ana, bot.last_with_buttons(), "Santé mentale")
        assert sent[-1]["text"].startswith("Dans quelle commune se trouve votre organisation ?")
        sent = await bot.send(ana.message("Liège"))
        for label in (
            "Nous découvrons l'idée",
            "10 à 25",
            "Pas encore",
        ):
            sent = await press(bot, ana, bot.last_with_buttons(), label)
        concerns = sent[-1]
        await press(bot, ana, concerns, "Le risque de rechute")
        redraw = api.sent("editMessageReplyMarkup")[0]
        assert "✓ Le risque de rechute" in [
            b["text"] for row in redraw["reply_markup"]["inline_keyboard"] for b in row
        ]
        assert api.sent() == []  # a toggle redraws the keyboard, sends nothing new
        sent = await press(bot, ana, concerns, "C'est tout")
        sent = await press(bot, ana, sent[-1], "Passer")
        assert sent[-1]["text"].startswith("Êtes-vous d'accord pour que")
        sent = await press(bot, ana, sent[-1], "J'accepte")
        for answer in ("Ana Lima", "coordinatrice", "ana@example.be", "0470 12 34 56"):
            sent = await bot.send(ana.message(answer))
        sent = await press(bot, ana, sent[-1], "Par e-mail")
        summary = sent[-1]["text"]
        assert summary.startswith("Voici votre demande. Tout est juste ?")
        assert "• <b>Organisation</b> : &lt;b&gt;Soleil &amp; Co&lt;/b&gt;" in summary
        assert "• <b>Commune</b> : Liège (4000)" in summary
        assert sent[-1]["parse_mode"] == "HTML"
        sent = await press(bot, ana, sent[-1], "Envoyer")
        (record,) = await deliveries.list_requests(_db(bot))
        assert record.status == "pending"
        assert f"référence {record.ref}." in sent[0]["text"]
        assert record.payload is not None
        assert (record.payload.channel, record.payload.telegram_username) == (
            "telegram",
            "ana_lima",  # as the consent notice said
        )
        assert (record.payload.commune, record.payload.region) == ("Liège (4000)", "wallonia")
        assert sent[-1]["text"] == MENU_Q
        api.clear()
        assert await bot.built.outbox.run_once() == 1
        assert api.texts() == [texts.FILED.format(ref=record.ref)]
        assert api.sent()[0]["chat_id"] == str(ana.user["id"])
        (record,) = await deliveries.list_requests(_db(bot))
    assert record.status == "delivered"
    assert (tg_settings.outbox_dir / f"{record.ref}.eml").exists()
    assert record.payload is not None
    assert record.payload.value("organisation") == "<b>Soleil & Co</b>"
    logs = caplog.text
    for private in ("Ana Lima", "ana@example.be", "470 12 34 56", "Soleil", "123456:TEST"):
        assert private not in logs


def _db(bot: Bot) -> Any:
    door = next(
        h.callback.__self__
        for hs in bot.app.handlers.values()
        for h in hs
        if hasattr(h.callback, "__self__")
    )
    return door.service.db


async def test_restart_mid_conversation_continues_where_the_person_was(
    tg_settings: Settings, api: FakeBotAPI
) -> None:
    sam = Telegram(user_id=5151)
    async with running(tg_settings, api) as bot:
        sent = await bot.send(sam.message("/start"))
        sent = await press(bot, sam, sent[-1], "Une formation")
        profile_question = sent[-1]
    # The process stops; a new one starts on the same data folder.
    async with running(tg_settings, api) as bot:
        sent = await press(bot, sam, profile_question, "Une équipe")
        assert sent[-1]["text"] == "Combien de personnes environ ? Écrivez un nombre."
        sent = await bot.send(sam.message("8"))
        assert sent[-1]["text"] == "Dans quelle région êtes-vous ?"


async def test_stale_button_is_explained_and_the_current_step_shown(
    tg_settings: Settings, api: FakeBotAPI
) -> None:
    lea = Telegram(user_id=6161)
    async with running(tg_settings, api) as bot:
        sent = await bot.send(lea.message("/start"))
        menu = sent[-1]
        await press(bot, lea, menu, "Une formation")
        sent = await press(bot, lea, menu, "Les intervisions")  # the old menu, pressed again
        assert sent[0]["text"] == texts.STALE
        assert sent[-1]["text"] == "Vous êtes…"
        assert api.sent("editMessageReplyMarkup")  # the old keyboard is removed
        assert api.sent("editMessageText") == []  # and no answer is shown on it
        sent = await bot.send(lea.press(menu, "not-our-data"))
        assert sent[0]["text"] == texts.STALE


@pytest.mark.parametrize(
    "content",
    [
        {
            "sticker": {
                "file_id": "s",
                "file_unique_id": "s",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        },
        {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 3}},
        {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 90, "height": 90}]},
        {"document": {"file_id": "d", "file_unique_id": "d", "file_name": "cv.pdf"}},
        {"location": {"latitude": 50.85, "longitude": 4.35}},
    ],
    ids=["sticker", "voice", "photo", "document", "location"],
)
async def test_non_text_gets_a_kind_answer_and_the_current_step(
    tg_settings: Settings, api: FakeBotAPI, content: dict[str, Any]
) -> None:
    tom = Telegram(user_id=7171)
    async with running(tg_settings, api) as bot:
        sent = await bot.send(tom.message("/start"))
        await press(bot, tom, sent[-1], "Une formation")
        sent = await bot.send(tom.message(None, **content))
        assert sent[0]["text"] == texts.NON_TEXT
        assert sent[-1]["text"] == "Vous êtes…"


async def test_shared_contact_fills_the_phone_question(
    tg_settings: Settings, api: FakeBotAPI
) -> None:
    eva = Telegram(user_id=8181)
    async with running(tg_settings, api) as bot:
        sent = await bot.send(eva.message("/start"))
        sent = await press(bot, eva, sent[-1], "Autre chose / parler à une personne")
        contact = {
            "contact": {"phone_number": "+32470123456", "first_name": "Eva", "user_id": 8181}
        }
        sent = await bot.send(eva.message(None, **contact))
        assert sent[0]["text"] == texts.NON_TEXT  # not the phone question yet
        await bot.send(eva.message("Bonjour"))
        sent = await press(bot, eva, bot.last_with_buttons(), "J'accepte")
        for answer in ("Eva", "Passer", "infirmière", "eva@example.be"):
            sent = await bot.send(eva.message(answer))
        someone_else = {"contact": {**contact["contact"], "user_id": 1}}
        sent = await bot.send(eva.message(None, **someone_else))
        assert sent[0]["text"] == texts.NON_TEXT
        sent = await bot.send(eva.message(None, **contact))
        assert sent[-1]["text"] == "Comment préférez-vous être contacté·e ?"


async def test_group_chat_is_told_once_then_quiet(tg_settings: Settings, api: FakeBotAPI) -> None:
    person = Telegram(user_id=9191)
    group = {"id": -100123, "type": "group", "title": "Équipe"}
    first = person.message("/start@pat_test_bot")
    first["message"]["chat"] = group
    async with running(tg_settings, api) as bot:
        sent = await bot.send(first)
        assert [m["text"] for m in sent] == [texts.GROUP_ONLY]
        again = person.message("bonjour")
        again["message"]["chat"] = group
        assert await bot.send(again) == []


@pytest.mark.parametrize(
    ("payload", "expected_last"),
    [
        ("training", "Vous êtes…"),
        ("faq_relapse", "Et maintenant ?"),
        ("src_flyer2026", MENU_Q),
        ("nonsense", MENU_Q),
    ],
)
async def test_deep_links(
    tg_settings: Settings, api: FakeBotAPI, payload: str, expected_last: str
) -> None:
    ida = Telegram(user_id=3131)
    async with running(tg_settings, api) as bot:
        sent = await bot.send(ida.message(f"/start {payload}"))
        assert sent[0]["text"].startswith("Bonjour ! Je suis le robot d'accueil de PAT")
        assert sent[-1]["text"] == expected_last
        if payload == "faq_relapse":
            assert any("Le rétablissement n'est pas la guérison" in m["text"] for m in sent)
            assert api.sent("sendChatAction")  # several bubbles: typing first
        state = await _db_state(bot, 3131)
        assert state.source == ("src_flyer2026" if payload == "src_flyer2026" else None)


async def _db_state(bot: Bot, user_id: int) -> Any:
    state = await conversations.load_conversation(_db(bot), f"tg:{user_id}")
    assert state is not None
    return state


async def test_long_message_edits_and_duplicates_change_nothing(
    tg_settings: Settings, api: FakeBotAPI
) -> None:
    max_ = Telegram(user_id=2121)
    async with running(tg_settings, api) as bot:
        await bot.send(max_.message("/start"))
        await press(bot, max_, bot.last_with_buttons(), "Autre chose / parler à une personne")
        before = await _db_state(bot, 2121)
        sent = await bot.send(max_.message("a" * 3000))  # Telegram allows 4,096
        assert sent[0]["text"] == (
            "Votre message fait 3\u202f000 caractères ; la limite est de 2\u202f000. "
            "Pouvez-vous le raccourcir ?"
        )
        assert sent[-1]["text"].startswith("Votre message pour l'équipe PAT.")  # still open
        sent = await bot.send(max_.edited("Mon message modifié"))
        assert sent[0]["text"] == texts.EDITED
        after = await _db_state(bot, 2121)
        assert after.answers == before.answers and after.step == before.step
        update = max_.message("Mon vrai message")
        await bot.send(update)
        assert await bot.send(update) == []  # the same update again: ignored
        state = await _db_state(bot, 2121)
        assert state.step == "request.consent"


async def test_leaving_a_request_asks_first_and_old_buttons_do_nothing(
    tg_settings: Settings, api: FakeBotAPI
) -> None:
    """« ↩ Menu » or /start during a request with answers asks once; « Continuer ma
    demande » shows the same question again; an old « Oui, abandonner » does nothing."""
    ask = "Abandonner votre demande ? Vos réponses seront perdues."
    noa = Telegram(user_id=2323)
    async with running(tg_settings, api) as bot:
        await bot.send(noa.message("/start"))
        await press(bot, noa, bot.last_with_buttons(), "Une formation")
        sent = await press(bot, noa, bot.last_with_buttons(), "Une équipe")
        question = sent[-1]
        assert question["text"] == "Combien de personnes environ ? Écrivez un nombre."
        sent = await press(bot, noa, question, "↩ Menu")
        assert [m["text"] for m in sent] == [ask]
        asked = sent[-1]
        assert [label for label, _ in buttons(asked)] == ["Oui, abandonner", "Continuer ma demande"]
        sent = await press(bot, noa, asked, "Continuer ma demande")
        assert sent[-1]["text"] == question["text"]
        sent = await press(bot, noa, asked, "Oui, abandonner")  # pressed later: stale
        assert sent[0]["text"] == texts.STALE and sent[-1]["text"] == question["text"]
        state = await _db_state(bot, 2323)
        assert state.answers["profile"] == "team" and state.overlay == "none"
        sent = await bot.send(noa.message("/start"))
        assert [m["text"] for m in sent] == [ask]
        sent = await press(bot, noa, sent[-1], "Oui, abandonner")
        assert sent[0]["text"] == texts.CANCELLED and sent[-1]["text"] == MENU_Q
        state = await _db_state(bot, 2323)
        assert "profile" not in state.answers


async def test_commands_are_registered_and_work(tg_settings: Settings, api: FakeBotAPI) -> None:
    zoe = Telegram(user_id=1212)
    async with running(tg_settings, api) as bot:
        registered = api.sent("setMyCommands")
        assert registered, "set_my_commands was not called"
        names = [c["command"] for c in registered[0]["commands"]]
        assert names == ["start", "sos", "menu", "help", "privacy", "cancel", "language", "forget"]
        await bot.send(zoe.message("/start"))
        sent = await bot.send(zoe.message("/help"))
        assert sent[0]["text"].startswith("Je suis le robot d'accueil de PAT")
        sent = await bot.send(zoe.message("/privacy"))
        notice = "\n".join(m["text"] for m in sent)
        assert "L'asbl Smes" in notice and "chiffrée de bout en bout" in notice
        assert "après 7 jours" in notice and "30 jours après son envoi" in notice
        assert "contact@apd-gba.be" in notice and "{" not in notice
        await press(bot, zoe, bot.last_with_buttons(), "Une formation")
        sent = await bot.send(zoe.message("/cancel"))
        assert sent[0]["text"] == texts.CANCELLED
        sent = await bot.send(zoe.message("/menu"))
        assert sent[-1]["text"] == MENU_Q
        sent = await bot.send(zoe.message("/unknown"))
        assert sent[0]["text"] == texts.NOT_UNDERSTOOD  # at the menu: the menu again, kindly
        assert sent[-1]["text"] == MENU_Q


async def test_an_error_is_logged_without_personal_data_and_the_person_told(
    tg_settings: Settings,
    api: FakeBotAPI,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kim = Telegram(user_id=1313)
    async with running(tg_settings, api) as bot:
        await bot.send(kim.message("/start"))
        door = next(
            h.callback.__self__
            for hs in bot.app.handlers.values()
            for h in hs
            if hasattr(h.callback, "__self__")
        )

        async def broken(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError(f"a bug that quotes its input: {args!r}")

        monkeypatch.setattr(door.service, "handle_full", broken)
        sent = await bot.send(kim.message("kim@example.be"))
    assert sent[-1]["text"] == texts.ERROR
    assert "RuntimeError" in caplog.text
    assert "kim@example.be" not in caplog.text


async def test_staff_are_alerted_on_telegram_when_delivery_fails(
    tg_settings: Settings, api: FakeBotAPI
) -> None:
    from bot.delivery.outbox import Outbox
    from bot.delivery.transports import EmailDelivery

    class Down:
        async def send(self, ref: str, message: bytes) -> None:
            raise OSError("mail server down")

    eli = Telegram(user_id=1717)
    async with running(tg_settings, api) as bot:
        await bot.send(eli.message("/start"))
        for step in (
            "Autre chose / parler à une personne",
            "Bonjour",
            "J'accepte",
            "Eli",
            "Passer",
            "pair-aidante",
            "eli@example.be",
            "Passer",
            "Envoyer",
        ):
            await bot.send(eli.message(step))
        live = bot.built.outbox
        down = EmailDelivery(Down(), MAIL_FROM, MAIL_TO)
        failing = Outbox(live.db, down, live.catalogs, max_attempts=1)
        failing.chats, failing.staff_alert = live.chats, live.staff_alert
        api.clear()
        await failing.run_once()
        (record,) = await deliveries.list_requests(_db(bot))
    to_staff = [m for m in api.sent() if m["chat_id"] == "777"]
    to_eli = [m for m in api.sent() if m["chat_id"] == "1717"]
    assert record.status == "failed"
    assert len(to_staff) == 1 and record.ref in to_staff[0]["text"]
    assert "eli@example.be" not in to_staff[0]["text"]
    assert [m["text"] for m in to_eli] == [texts.NOT_DELIVERED.format(ref=record.ref)]


async def test_an_empty_chat_shows_who_pat_is_in_each_language(
    tg_settings: Settings, api: FakeBotAPI
) -> None:
    """Before /start, Telegram shows the bot's description; its profile and shared links show
    the short description. Both are set at start-up, per language and as the default."""
    async with running(tg_settings, api):
        descriptions = {
            c.get("language_code"): c["description"] for c in api.sent("setMyDescription")
        }
        shorts = {
            c.get("language_code"): c["short_description"]
            for c in api.sent("setMyShortDescription")
        }
    assert set(descriptions) == set(shorts) == {None, "fr", "nl", "en"}
    assert descriptions[None] == descriptions["fr"] == texts.BOT_DESCRIPTION
    assert descriptions["nl"].startswith("Hallo! Ik ben de onthaalrobot van PAT")
    assert descriptions["en"].startswith("Hello! I am the chatbot of PAT")
    for code, text in descriptions.items():
        assert "112" in text and "pat@smes.be" in text, code
        assert "112" in shorts[code], code


async def test_first_contact_language_comes_from_telegram(
    tg_settings: Settings, api: FakeBotAPI
) -> None:
    async with running(tg_settings, api) as bot:
        registered = {c.get("language_code"): c["commands"] for c in api.sent("setMyCommands")}
        assert registered["nl"][2] == {"command": "menu", "description": "Terug naar het menu"}
        assert registered["en"][2] == {"command": "menu", "description": "Back to the menu"}
        for lang in ("fr", "nl", "en"):  # the help lines: one command in every language
            assert registered[lang][1]["command"] == "sos"
        for code, expected in (
            ("nl-BE", "Wat kan ik voor u doen?"),
            ("en", "What can I do for you?"),
            ("de", MENU_Q),
            (None, MENU_Q),
        ):
            person = Telegram(user_id=abs(hash(str(code))) % 100_000 + 20_000)
            person.user["language_code"] = code
            sent = await bot.send(person.message("/start"))
            assert sent[-1]["text"] == expected, code


async def test_stats_for_staff_only(tg_settings: Settings, api: FakeBotAPI) -> None:
    staff, visitor = Telegram(user_id=777), Telegram(user_id=778)
    async with running(tg_settings, api) as bot:
        await bot.send(visitor.message("/start"))
        sent = await bot.send(staff.message("/stats 7"))
        assert sent[0]["text"].startswith("Statistiques PAT du ")
        assert "(7 jours)" in sent[0]["text"] and "Conversations commencées : 1" in sent[0]["text"]
        sent = await bot.send(visitor.message("/stats"))
        assert sent[-1]["text"] == MENU_Q  # anyone else: the normal menu


async def test_network_errors_are_retried(tg_settings: Settings, api: FakeBotAPI) -> None:
    ron = Telegram(user_id=1414)
    async with running(tg_settings, api) as bot:
        api.fail_next = 1
        sent = await bot.send(ron.message("/start"))
        assert sent[-1]["text"] == MENU_Q


async def test_long_polling_end_to_end(tg_settings: Settings, api: FakeBotAPI) -> None:
    """`pat-bot run`: polls the stand-in, answers, stops cleanly on request."""
    noa = Telegram(user_id=1515)
    stop = asyncio.Event()
    task = asyncio.create_task(run_telegram(tg_settings, stop))
    await api.updates.put(noa.message("/start"))
    for _ in range(100):
        if MENU_Q in api.texts():
            break
        await asyncio.sleep(0.05)
    assert MENU_Q in api.texts()
    assert tg_settings.heartbeat_path.exists()
    stop.set()
    assert await asyncio.wait_for(task, 10) == 0
    # A stopped bot is not healthy: the health check must not trust an old heartbeat.
    assert not tg_settings.heartbeat_path.exists()


async def test_webhook_mode_checks_the_secret_and_answers(
    tg_settings: Settings, api: FakeBotAPI
) -> None:
    import socket

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = tg_settings.model_copy(
        update={
            "telegram_webhook_url": "https://bot.example.invalid/telegram",
            "telegram_webhook_listen": "127.0.0.1",
            "telegram_webhook_port": port,
            "telegram_webhook_secret": SecretStr("s3cret-token"),
        }
    )
    stop = asyncio.Event()
    task = asyncio.create_task(run_telegram(settings, stop))
    url = f"http://127.0.0.1:{port}/telegram"
    update = Telegram(user_id=1616).message("/start")
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(100):
                if api.sent("setWebhook"):
                    break
                await asyncio.sleep(0.05)
            registered = api.sent("setWebhook")[0]
            assert registered["url"] == "https://bot.example.invalid/telegram"
            assert registered["secret_token"] == "s3cret-token"
            wrong = None
            for _ in range(100):  # the listener may start just after setWebhook is called
                try:
                    wrong = await client.post(
                        url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"}
                    )
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.05)
            assert wrong is not None
            assert wrong.status_code == 403
            right = await client.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
            )
            assert right.status_code == 200
            for _ in range(100):
                if MENU_Q in api.texts():
                    break
                await asyncio.sleep(0.05)
            assert api.texts().count(MENU_Q) == 1
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 10) == 0


async def test_run_serves_telegram_and_the_web_page_from_one_process(
    tg_settings: Settings, api: FakeBotAPI
) -> None:
    """`pat-bot run` with PAT_WEB_PORT: both channels, one process, one clean stop."""
    import httpx

    from tests.bot.delivery.test_smtp import free_port

    port = free_port()
    both = tg_settings.model_copy(update={"web_port": port})
    stop = asyncio.Event()
    task = asyncio.create_task(run_telegram(both, stop))
    await api.updates.put(Telegram(user_id=1616).message("/start"))
    async with httpx.AsyncClient() as client:
        for _ in range(100):
            try:
                page = await client.get(f"http://127.0.0.1:{port}/")
                break
            except httpx.ConnectError:
                await asyncio.sleep(0.05)
        assert page.status_code == 200 and "chat.js" in page.text
    for _ in range(100):
        if MENU_Q in api.texts():
            break
        await asyncio.sleep(0.05)
    assert MENU_Q in api.texts()
    stop.set()
    assert await asyncio.wait_for(task, 15) == 0


async def test_sos_at_every_step_shows_the_help_lines_and_comes_back_with_the_answers(
    tg_settings: Settings, api: FakeBotAPI
) -> None:
    """The safety net that does not depend on being understood: /sos (or /aide, /hulp) at
    every step of a request, then « Revenir où j'étais » shows the same question again."""
    eva = Telegram(user_id=1515)
    steps = [
        ("/start", None),
        ("press", "Une formation"),
        ("press", "Direction d'une organisation"),
        ("press", "Plusieurs personnes"),
        ("text", "8"),
        ("press", "Bruxelles"),
        ("text", "Parler du rétablissement"),
        ("press", "J'accepte"),
        ("text", "Eva Claes"),
    ]
    commands = ["/sos", "/aide", "/hulp"]
    async with running(tg_settings, api) as bot:
        for number, (kind, value) in enumerate(steps):
            if kind == "/start":
                sent = await bot.send(eva.message("/start"))
            elif kind == "press":
                sent = await press(bot, eva, bot.last_with_buttons(), str(value))
            else:
                sent = await bot.send(eva.message(str(value)))
            question = sent[-1]["text"]
            helped = await bot.send(eva.message(commands[number % 3]))
            assert helped[-1]["text"].startswith("Besoin d'aide maintenant ?")
            # Long numbers as Telegram's apps link them; the short ones as they are.
            for number_text in ("+32 800 32 123", "+32 70 245 245", "+32 800 99 340", "112"):
                assert number_text in helped[-1]["text"]
            back = await press(bot, eva, helped[-1], "↩ Revenir où j'étais")
            assert back[-1]["text"] == question
        state = await bot.built.service.state_of("tg:1515")
        assert state is not None and state.answers["region"] == "brussels"
        assert state.answers["name"] == "Eva Claes" and state.consent is not None


def test_every_long_number_the_bot_says_on_telegram_is_in_the_form_its_apps_link() -> None:
    """Telegram's apps make a phone number tappable when it starts with + and the country
    code; Belgian short numbers (112, 107…) cannot be written so and stay as they are."""
    from babel.messages.pofile import read_po

    from bot.channels.links import for_telegram, parts

    linked = re.compile(r"^\+\d{2} \d{2,3}(?: \d{2,3}){1,3}$")
    for lang in ("fr", "nl", "en"):
        path = REPO_ROOT / "locales" / lang / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            text = message.string or message.id
            if not isinstance(text, str) or not text:
                continue
            for piece, link in parts(for_telegram(text)):
                if link and link.startswith("tel:+"):
                    assert linked.match(piece), (lang, piece)
