"""The WhatsApp channel end to end: a real ``pat-bot web`` process with the WhatsApp settings,
signed webhook calls posted to it over HTTP as Meta makes them, and a Graph API stand-in on
127.0.0.1 that records what the bot sends (tests/bot/channels/whatsapp_graph.py)."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from bot.conversation.i18n import Catalogs
from bot.settings import Settings
from tests.bot.channels.test_web_handoff_browser import as_card, staff_get
from tests.bot.channels.whatsapp_graph import (
    NUMBER_ID,
    SECRET,
    TOKEN,
    VERIFY,
    Bot,
    Graph,
    Person,
    choices,
    find_choice,
    post,
    sign,
    texts_of,
    webhook,
    whatsapp_bot,
)
from tests.bot.delivery.test_smtp import free_port, smtp_server
from tests.bot.staff.test_handoff import ANNE, BOB, GROUP, in_group, relay, running
from tests.bot.staff.test_handoff import press as press_tg
from tests.bot.web_server import WAIT
from tests.botapi import FakeBotAPI

NUMBER = "32470123456"
DAY = 24 * 3600


@pytest.fixture
def graph() -> Graph:
    return Graph()


def smtp(port: int) -> dict[str, str]:
    """Requests sent by e-mail (to a server on ``port``): the only case where the notice may
    come late, so the only one where the request's end says it may not come here."""
    return {"PAT_SMTP_HOST": "127.0.0.1", "PAT_SMTP_PORT": str(port), "PAT_SMTP_SECURITY": "none"}


def within_limits(message: dict[str, Any]) -> None:
    """What WhatsApp accepts: titles, rows, bodies and buttons within its limits."""
    if message["type"] == "text":
        assert 0 < len(message["text"]["body"]) <= 4096
        return
    if message["type"] != "interactive":
        return
    inner = message["interactive"]
    assert 0 < len(inner["body"]["text"]) <= 1024
    if inner["type"] == "button":
        buttons = inner["action"]["buttons"]
        assert 1 <= len(buttons) <= 3
        assert all(len(b["reply"]["title"]) <= 20 for b in buttons)
        return
    assert len(inner["action"]["button"]) <= 20
    rows = [r for s in inner["action"]["sections"] for r in s["rows"]]
    assert 1 <= len(rows) <= 10
    for row in rows:
        assert len(row["title"]) <= 24 and len(row.get("description", "")) <= 72
        assert len(row["id"]) <= 200
        if "description" in row:  # shortened at a word boundary, from the label's own words
            assert row["title"].endswith("…")
            assert row["description"].startswith(row["title"][:-1].rstrip())
            kept = row["title"][:-1].rstrip()
            rest = row["description"][len(kept) :]
            assert rest[:1] in (" ", ",", "·", "/", "-", "–"), row


def all_within_limits(graph: Graph) -> None:
    for message in graph.sent:
        within_limits(message)


def told_about(data: Path) -> list[tuple[str, str | None]]:
    with sqlite3.connect(data / "pat.sqlite3") as db:
        return db.execute("SELECT ref, person_told FROM requests").fetchall()


def wait_told(data: Path) -> str:
    """The reference of the one request, once the outbox has dealt with telling the person."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        rows = told_about(data)
        if rows and rows[0][1] is not None:
            return rows[0][0]
        time.sleep(0.2)
    raise AssertionError(f"the person was never dealt with: {told_about(data)}")


def ask_for_a_person(ana: Person, locale: str = "fr") -> list[dict[str, Any]]:
    """A whole request in ``locale``, through the menu (a list) and reply buttons, up to its
    reference."""
    said = up_to_the_summary(ana, locale)
    return ana.press(Catalogs().get(locale).gettext("Envoyer"), said)


def up_to_the_summary(ana: Person, locale: str = "fr") -> list[dict[str, Any]]:
    t = Catalogs().get(locale).gettext
    said = ana.says("Bonjour")
    assert "PAT" in texts_of(said) and said[-1]["interactive"]["type"] == "list"
    if locale != "fr":
        said = ana.says({"nl": "taal", "en": "language"}[locale])  # a command as a word
        said = ana.press({"nl": "Nederlands", "en": "English"}[locale], said)
    said = ana.press(t("Autre chose / parler à une personne"), said)
    said = ana.says("Pouvez-vous m'aider à présenter PAT à ma direction ?")
    said = ana.press(t("J'accepte"), said)
    said = ana.says("Ana Lima")
    said = ana.press(t("Passer"), said)
    assert said[-1]["interactive"]["type"] == "button"  # Passer, Menu: reply buttons
    said = ana.says("éducatrice")
    said = ana.says("ana@example.be")
    said = ana.press(t("Passer"), said)
    assert "Ana Lima" in texts_of(said) and "ana@example.be" in texts_of(said)  # the summary
    return said


@pytest.mark.parametrize("locale", ["fr", "nl", "en"])
def test_a_whole_request_in_each_language(tmp_path: Path, graph: Graph, locale: str) -> None:
    port = free_port()
    with smtp_server(port) as sink, whatsapp_bot(tmp_path / "data", graph, **smtp(port)) as bot:
        ana = Person(bot, NUMBER)
        said = ask_for_a_person(ana, locale)
        text = texts_of(said)
        assert "R-" in text
        ref = next(w for w in text.split() if w.startswith("R-")).rstrip(".")
        # No template set: said at the end of the request that the notice may not come here.
        note = (
            Catalogs()
            .get(locale)
            .gettext(
                "Bon à savoir : WhatsApp ne me laisse vous écrire ici que dans les 24 heures qui "
                "suivent votre dernier message. Passé ce délai, je ne pourrai pas vous dire ici que "
                "votre demande est arrivée. Sans nouvelles, écrivez à pat@smes.be avec votre "
                "référence."
            )
        )
        assert note in text and text.index(ref) < text.index(note)
        assert wait_told(bot.data) == ref
        # Within the window: the notice, as text (with the answer to « Envoyer », or after it).
        assert (text + texts_of(ana.answers(0))).count(ref) == 2
        (mail,) = [m.as_string() for m in sink.messages()]
        assert "WhatsApp" in mail and NUMBER not in mail  # the number never leaves the bot
    all_within_limits(graph)
    assert set(graph.auth) == {f"Bearer {TOKEN}"}
    assert not any(NUMBER in line for line in bot.log)
    assert not any("Ana" in line or "ana@" in line for line in bot.log)


def test_the_handshake_and_signatures_refuse_strangers(tmp_path: Path, graph: Graph) -> None:
    with whatsapp_bot(tmp_path / "data", graph) as bot:
        query = {"hub.mode": "subscribe", "hub.challenge": "1158201444"}
        ok = httpx.get(bot.url, params={**query, "hub.verify_token": VERIFY})
        assert ok.status_code == 200 and ok.text == "1158201444"
        wrong = httpx.get(bot.url, params={**query, "hub.verify_token": "not-ours-at-all"})
        assert wrong.status_code == 403 and "1158201444" not in wrong.text
        body = webhook(Person(bot, NUMBER).message("text", text={"body": "je veux mourir"}))
        assert post(bot, body, signature=sign(b"another body")).status_code == 403
        assert post(bot, body, signature="").status_code == 403
        assert post(bot, body, signature=sign(b"x", secret="not-the-secret")).status_code == 403
        big = {"padding": "x" * (1024 * 1024 + 1)}
        assert post(bot, big).status_code == 413
        # A signed message for another number of the app is not ours to answer.
        other = webhook(
            Person(bot, "32499000000").message("text", text={"body": "Bonjour"}), number_id="555"
        )
        assert post(bot, other).status_code == 200
        # Then a real one: answered, and it is the first thing this number ever got.
        ana = Person(bot, NUMBER)
        assert "PAT" in texts_of(ana.says("Bonjour"))
    assert [m for m in graph.sent if m["to"] == "32499000000"] == []
    assert "0800 32 123" not in texts_of(graph.to(NUMBER))  # « je veux mourir » never read
    assert any("bad or missing signature" in line for line in bot.log)
    assert not any("mourir" in line or NUMBER in line for line in bot.log)


def test_a_replayed_message_is_ignored(tmp_path: Path, graph: Graph) -> None:
    with whatsapp_bot(tmp_path / "data", graph) as bot:
        ana = Person(bot, NUMBER)
        ana.says("Bonjour")
        pressed = ana.message(
            "interactive",
            interactive={"type": "list_reply", "list_reply": {"id": "1:faq", "title": "Q"}},
        )
        first = ana.send(pressed)
        assert first
        again = post(bot, webhook(pressed))  # Meta sends the same message again
        assert again.status_code == 200
        later = ana.says("menu")  # handled after the replay (one person's messages in order)
        assert "Que puis-je faire pour vous ?" in texts_of(later)
        assert texts_of(first).split("\n")[0] not in texts_of(later)
        assert "Ce bouton ne correspond plus" not in texts_of(later)  # not even as a stale one


def test_images_and_voice_notes_are_answered_kindly(tmp_path: Path, graph: Graph) -> None:
    with whatsapp_bot(tmp_path / "data", graph) as bot:
        ana = Person(bot, NUMBER)
        ana.says("Bonjour")
        for kind, content in (
            ("image", {"image": {"id": "1", "mime_type": "image/jpeg"}}),
            ("audio", {"audio": {"id": "2", "mime_type": "audio/ogg", "voice": True}}),
        ):
            said = ana.send(ana.message(kind, **content))
            assert said[0]["text"]["body"].startswith("Je ne lis que le texte")
            assert "Que puis-je faire pour vous ?" in texts_of(said[1:])  # the question again


def test_a_call_for_help_gets_the_crisis_lines_even_as_a_first_message(
    tmp_path: Path, graph: Graph
) -> None:
    with whatsapp_bot(tmp_path / "data", graph) as bot:
        said = texts_of(Person(bot, NUMBER).says("je veux mourir"))
    assert "112" in said and "0800 32 123" in said
    assert not any("mourir" in line for line in bot.log)


def every_value(data: Path, but: str = "") -> str:
    """Every value of every table of the database (but one), as text."""
    with sqlite3.connect(data / "pat.sqlite3") as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        rows = [str(row) for t in tables if t != but for row in db.execute(f'SELECT * FROM "{t}"')]
    return "\n".join(rows)


def conversation_of(data: Path, key: str) -> dict[str, Any] | None:
    with sqlite3.connect(data / "pat.sqlite3") as db:
        row = db.execute("SELECT state FROM conversations WHERE chat_key = ?", (key,)).fetchone()
    return json.loads(row[0]) if row else None


def test_the_word_effacer_erases_everything_with_the_number(tmp_path: Path, graph: Graph) -> None:
    with whatsapp_bot(tmp_path / "data", graph) as bot:
        ana = Person(bot, NUMBER)
        ask_for_a_person(ana)
        wait_told(bot.data)
        ana.answers(0)
        assert NUMBER in every_value(bot.data)
        said = ana.says("Effacer")
        assert "efface tout ce que je garde" in texts_of(said)
        said = ana.press("Oui, tout effacer", said)
        assert "C'est fait" in texts_of(said)
        # The number is gone from the request (anonymised), the consent, the hand-off tables;
        # what remains is the conversation going on now (the menu just shown), blank, as on
        # every channel, deleted after PAT_ABANDONED_DAYS without a message.
        assert NUMBER not in every_value(bot.data, but="conversations")
        state = conversation_of(bot.data, f"wa:+{NUMBER}")
        assert state is not None and state["answers"] == {} and state["consent"] is None


def test_the_notice_outside_the_24_hour_window_without_a_template(
    tmp_path: Path, graph: Graph
) -> None:
    port = free_port()
    with smtp_server(port), whatsapp_bot(tmp_path / "data", graph, **smtp(port)) as bot:
        ana = Person(bot, NUMBER, ago=DAY + 3600)  # their messages reach us a day late
        said = texts_of(ask_for_a_person(ana))
        assert "ne me laisse vous écrire ici que dans les 24 heures" in said
        ref = wait_told(bot.data)
        assert told_about(bot.data) == [(ref, "delivered")]  # dealt with, never retried
        assert ana.bot.graph.to(NUMBER)[ana.seen :] == []  # and nothing sent
    assert any("outside the 24-hour window, no template" in line for line in bot.log)


def test_the_notice_outside_the_24_hour_window_as_the_template(
    tmp_path: Path, graph: Graph
) -> None:
    with whatsapp_bot(
        tmp_path / "data", graph, PAT_WHATSAPP_TEMPLATE_DELIVERED="demande_arrivee"
    ) as bot:
        ana = Person(bot, NUMBER, ago=DAY + 3600)
        said = texts_of(ask_for_a_person(ana, "nl"))
        assert "24 uur" not in said  # a template can bring the notice: nothing to warn of
        ref = wait_told(bot.data)
        ana.answers(0)
    (template,) = [m for m in graph.to(NUMBER) if m["type"] == "template"]
    assert template["template"]["name"] == "demande_arrivee"
    assert template["template"]["language"] == {"code": "nl"}
    (body,) = template["template"]["components"]
    assert body["parameters"] == [{"type": "text", "text": ref}]


def test_meta_refusing_outside_the_window_is_read_as_such(tmp_path: Path, graph: Graph) -> None:
    """After a restart the bot does not know when the person last wrote: Meta says (131047)."""
    with whatsapp_bot(tmp_path / "data", graph) as bot:
        ana = Person(bot, NUMBER)
        said = up_to_the_summary(ana)
        graph.refuse[NUMBER] = 131047  # from now on, Meta refuses: the window has closed
        kind, send_id = find_choice(said, "Envoyer")
        pressed = {"type": kind, kind: {"id": send_id, "title": "Envoyer"}}
        assert (
            post(bot, webhook(ana.message("interactive", interactive=pressed))).status_code == 200
        )
        ref = wait_told(bot.data)
        assert told_about(bot.data) == [(ref, "delivered")]  # dealt with, not retried forever
    assert any("reply not sent: WhatsApp24hWindowClosed" in line for line in bot.log)
    assert any("outside the 24-hour window, no template" in line for line in bot.log)


async def test_a_hand_off_both_ways_and_outside_the_window(
    settings: Settings, api: FakeBotAPI, graph: Graph
) -> None:
    """Ana on WhatsApp (the pat-bot web process), Anne of PAT's staff on Telegram (the real
    Application against the Bot API stand-in), on one data folder."""
    tg_settings = settings.model_copy(
        update={
            "telegram_token": SecretStr("123456:TEST-TOKEN"),
            "telegram_api_url": api.base_url,
            "staff_ids": [ANNE, BOB],
            "staff_chat_id": GROUP,
        }
    )
    staff = {"PAT_STAFF_CHAT_ID": str(GROUP), "PAT_STAFF_IDS": f"{ANNE},{BOB}"}
    anne = in_group(ANNE, "Anne")
    with whatsapp_bot(settings.data_dir, graph, **staff) as bot:
        ana = Person(bot, NUMBER)
        said = ana.says("Bonjour")
        said = ana.press("Autre chose / parler à une personne", said)
        said = ana.says("Pouvez-vous m'aider à présenter PAT à ma direction ?")
        said = ana.press("J'accepte", said)
        for typed in ("Ana Lima", "Passer", "éducatrice", "ana@example.be", "Passer"):
            said = ana.says(typed)
        assert "Comment préférez-vous être contacté·e ?" in texts_of(said)
        said = ana.press("Ici, dans ce chat", said)  # offered: staff can answer here now
        said = ana.press("Envoyer", said)
        assert "R-" in texts_of(said)
        async with running(tg_settings, api) as tg:
            (card,) = await staff_get(tg)
            assert "WhatsApp" in card["text"] and NUMBER not in card["text"]
            ref = card["text"].split()[3]
            await press_tg(tg, anne, card, "Répondre dans le chat")
            await relay(tg)  # « Anne répond »
            await tg.send(anne.message("Bonjour Ana, je peux vous appeler demain ?"))
            (bubble,) = ana.answers()
            body = texts_of([bubble])
            assert body.startswith("💬 Anne, de l'équipe PAT :\nBonjour Ana, je peux vous")
            assert "Vous parlez maintenant avec une personne de l'équipe PAT" in body
            assert [label for _, _, label in choices(bubble)] == ["Terminer"]
            said = ana.says("Oui, demain à 10 h")
            assert "C'est transmis à Anne, de l'équipe PAT" in texts_of(said)
            (to_anne,) = await staff_get(tg)
            assert to_anne["text"] == f"💬 {ref} · la personne écrit :\nOui, demain à 10 h"
            # Meta refuses: the window has closed. Anne is told, not left waiting.
            graph.refuse[NUMBER] = 131047
            await tg.send(anne.message("Vous êtes toujours là ?", reply_to_message=as_card(card)))
            (told,) = await staff_get(tg)
            assert told["text"].startswith(f"{ref} : votre message n'a pas pu être remis")
            assert "WhatsApp24hWindowClosed" in told["text"]
            # Ana writes again (the window opens again) and ends the conversation.
            del graph.refuse[NUMBER]
            said = ana.press("Terminer", [bubble])
            assert "La conversation avec l'équipe PAT est terminée" in texts_of(said)
            (ended,) = await staff_get(tg)
            assert ref in ended["text"]
    all_within_limits(graph)
    assert not any(NUMBER in line or "demain" in line for line in bot.log)


def test_a_bot_without_all_four_settings_says_which_and_stops(tmp_path: Path) -> None:
    import subprocess

    from tests.bot.web_server import BIN

    env = {"PAT_DATA_DIR": str(tmp_path / "data"), "PAT_WHATSAPP_TOKEN": "x", "PATH": "/usr/bin"}
    run = subprocess.run([str(BIN), "web"], env=env, capture_output=True, timeout=WAIT)
    assert run.returncode != 0
    (line,) = run.stderr.decode().strip().splitlines()
    assert "PAT_WHATSAPP_PHONE_NUMBER_ID" in line and "x" not in line.split("=")[1][:8]


__all__ = ["Bot", "choices"]


async def test_run_serves_telegram_the_page_and_whatsapp_from_one_process(
    settings: Settings, api: FakeBotAPI, graph: Graph
) -> None:
    """`pat-bot run` with PAT_WEB_PORT and the WhatsApp settings: the webhook beside the page,
    one process, one clean stop (the channel's connection to Meta closed with it)."""
    import asyncio

    from bot.cli.serve import run_telegram
    from tests.bot.delivery.test_smtp import free_port

    port = free_port()
    every = settings.model_copy(
        update={
            "telegram_token": SecretStr("123456:TEST-TOKEN"),
            "telegram_api_url": api.base_url,
            "web_port": port,
            "whatsapp_token": SecretStr(TOKEN),
            "whatsapp_phone_number_id": NUMBER_ID,
            "whatsapp_app_secret": SecretStr(SECRET),
            "whatsapp_verify_token": SecretStr(VERIFY),
            "whatsapp_api_url": graph.url,
        }
    )
    stop = asyncio.Event()
    task = asyncio.create_task(run_telegram(every, stop))
    url = f"http://127.0.0.1:{port}/whatsapp/webhook"
    query = {"hub.mode": "subscribe", "hub.challenge": "42", "hub.verify_token": VERIFY}
    async with httpx.AsyncClient() as client:
        for _ in range(200):
            try:
                shake = await client.get(url, params=query)
                break
            except httpx.ConnectError:
                await asyncio.sleep(0.05)
        assert shake.status_code == 200 and shake.text == "42"
        page = await client.get(f"http://127.0.0.1:{port}/")
        assert page.status_code == 200 and "chat.js" in page.text
        stamp = str(int(time.time()))
        message: dict[str, Any] = {"from": NUMBER, "id": "wamid.run", "timestamp": stamp}
        message.update(type="text", text={"body": "Bonjour"})
        body = json.dumps(webhook(message)).encode()
        headers = {"x-hub-signature-256": sign(body), "content-type": "application/json"}
        assert (await client.post(url, content=body, headers=headers)).status_code == 200
    for _ in range(200):
        if len(graph.to(NUMBER)) >= 3:
            break
        await asyncio.sleep(0.05)
    assert "Que puis-je faire pour vous ?" in texts_of(graph.to(NUMBER))
    stop.set()
    assert await asyncio.wait_for(task, 15) == 0
