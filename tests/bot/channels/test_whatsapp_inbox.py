"""The WhatsApp channel after a hostile test (#29): messages kept across a kill and a stop
(the inbox), first messages, « STOP », reactions, malformed signed bodies, bursts and the
order of the delivery notice. A real ``pat-bot web`` process, signed webhooks over HTTP, the
Graph API stand-in (tests/bot/channels/whatsapp_graph.py)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.channels.whatsapp.words import STOP_LINE
from bot.conversation.i18n import Catalogs
from flows import texts
from tests.bot.channels.whatsapp_graph import Graph, Person, post, sign, texts_of, webhook
from tests.bot.channels.whatsapp_graph import whatsapp_bot as bot_on
from tests.bot.delivery.test_smtp import free_port, smtp_server
from tests.bot.web_server import WAIT

NUMBER = "32470123456"
CRISIS_LINE = "0800 32 123"  # in the distress answer, not in the welcome
DISTRESS = "je vais me tuer ce soir"


@pytest.fixture
def graph() -> Graph:
    return Graph()


def waiting_rows(data: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(data / "pat.sqlite3") as db:
        return db.execute("SELECT chat_key, kind FROM inbox ORDER BY id").fetchall()


def wait_for(graph: Graph, wa_id: str, count: int) -> None:
    deadline = time.monotonic() + WAIT
    while len(graph.to(wa_id)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(graph.to(wa_id)) >= count, texts_of(graph.to(wa_id))


def crisis_answers(graph: Graph, wa_id: str) -> int:
    return sum(CRISIS_LINE in texts_of([m]) for m in graph.to(wa_id))


@pytest.mark.parametrize("stop", ["kill", "terminate"])
def test_messages_waiting_when_the_bot_stops_are_answered_once_after(
    tmp_path: Path, graph: Graph, stop: str
) -> None:
    """Meta answered 200 never sends again: a call for help waiting its turn (Meta slow) when
    the bot is killed (SIGKILL) or stopped (SIGTERM, systemctl restart) is answered at the
    next start, once."""
    data = tmp_path / "data"
    graph.delay = 1.0  # each message to Meta takes a second: the welcome takes three
    with bot_on(data, graph) as bot:
        ana = Person(bot, NUMBER)
        for typed in ("Bonjour", "menu", DISTRESS):
            assert post(bot, webhook(ana.message("text", text={"body": typed}))).status_code == 200
        wait_for(graph, NUMBER, 1)  # the welcome is being sent; the rest waits
        if stop == "kill":
            bot.process.kill()
        else:
            bot.process.terminate()
        assert bot.process.wait(WAIT) in (-9, 0)
    assert crisis_answers(graph, NUMBER) == 0
    left = waiting_rows(data)
    assert (f"wa:+{NUMBER}", "text") in left and len(left) >= 2  # « menu », the call for help
    graph.delay = 0.0
    with bot_on(data, graph) as bot:
        wait_for(graph, NUMBER, 4)
        Person(bot, NUMBER).answers(0)  # until the bot is quiet
        assert crisis_answers(graph, NUMBER) == 1
        assert waiting_rows(data) == []
    assert not any(NUMBER in line or "tuer" in line for line in bot.log)


def test_erasure_takes_the_messages_still_waiting(tmp_path: Path, graph: Graph) -> None:
    with bot_on(tmp_path / "data", graph) as bot:
        ana = Person(bot, NUMBER)
        said = ana.says("effacer")
        kind, reply = next(
            ("button_reply", b["reply"]["id"])
            for b in said[-1]["interactive"]["action"]["buttons"]
            if b["reply"]["title"].startswith("Oui")
        )
        yes = ana.message("interactive", interactive={"type": kind, kind: {"id": reply}})
        later = ana.message("text", text={"body": "Le xylophone bleu"})
        assert post(bot, webhook(yes, later)).status_code == 200  # both wait, then « oui »
        said = ana.says("menu")  # after them: « xylophone » was never handled
        assert [texts_of([m]).split(" :")[0] for m in said] == [
            "C'est fait",
            "Que puis-je faire pour vous ?",
            "Que puis-je faire pour vous ?",
        ]
        assert waiting_rows(bot.data) == []
    with sqlite3.connect(bot.data / "pat.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM inbox").fetchone() == (0,)
    assert b"xylophone" not in (bot.data / "pat.sqlite3").read_bytes()


def test_a_first_message_is_read_after_the_welcome_unless_it_is_a_greeting(
    tmp_path: Path, graph: Graph
) -> None:
    with bot_on(tmp_path / "data", graph) as bot:
        for number, typed in (("32470000001", "Bonjour !"), ("32470000002", "Hello PAT")):
            said = Person(bot, number).says(typed)
            assert len(said) == 3 and "Que puis-je faire pour vous ?" in texts_of(said[-1:])
        said = Person(bot, "32470000003").says("x" * 5000)
        assert texts_of(said[3:]).startswith("Votre message fait 5\u202f000 caractères")
        said = Person(bot, "32470000004").says("Je voudrais effacer mon message d'avant")
        assert len(said) > 3, texts_of(said)


@pytest.mark.parametrize("typed", ["STOP", "Stop", "stop."])
def test_stop_is_answered_in_one_honest_line(tmp_path: Path, graph: Graph, typed: str) -> None:
    with bot_on(tmp_path / "data", graph) as bot:
        ana = Person(bot, NUMBER)
        ana.says("Bonjour")
        (said,) = ana.says(typed)
    assert texts_of([said]) == STOP_LINE
    assert "J'ai compris" not in texts_of(graph.to(NUMBER))
    for locale in ("nl", "en"):  # said in each language
        assert Catalogs().get(locale).gettext(STOP_LINE) != STOP_LINE


def test_reactions_are_ignored_silently(tmp_path: Path, graph: Graph) -> None:
    with bot_on(tmp_path / "data", graph) as bot:
        ana = Person(bot, NUMBER)
        ana.says("Bonjour")
        for emoji in ("❤️", "👍", ""):  # "": a reaction removed
            target = {"message_id": "wamid.out1", "emoji": emoji}
            assert post(bot, webhook(ana.message("reaction", reaction=target))).status_code == 200
        said = ana.says("menu")  # handled after the reactions: nothing came in between
    assert texts_of(said) == "Que puis-je faire pour vous ?"
    assert texts.NON_TEXT not in texts_of(graph.to(NUMBER))


def raw_post(url: str, body: bytes) -> httpx.Response:
    headers = {"content-type": "application/json", "x-hub-signature-256": sign(body)}
    return httpx.post(url, content=body, headers=headers, timeout=WAIT)


def test_malformed_signed_bodies_lose_nothing_else(tmp_path: Path, graph: Graph) -> None:
    """Deep JSON, huge timestamps, digits that are not ASCII, fields of the wrong type: that
    message is left out, never a 500, a traceback or the rest of the call."""
    with bot_on(tmp_path / "data", graph) as bot:
        assert raw_post(bot.url, b"[" * 60_000 + b"]" * 60_000).status_code == 200
        assert raw_post(bot.url, b'{"a":' * 5000 + b"1" + b"}" * 5000).status_code == 200

        def text(wa_id: str, **fields: Any) -> dict[str, Any]:
            return {**Person(bot, wa_id).message("text", text={"body": "Bonjour"}), **fields}

        bad = [
            text("32470000004", timestamp="9" * 5000),
            text("32470000005", timestamp="9" * 400),
            text("32470000006", **{"from": "٣٢٤٧٠١٢٣٤٥٦"}),
            text("32470000007", text={"body": {"a": 1}}),
            text("32470000008", text="Bonjour"),
            text("32470000009", id=12345),
        ]
        good = text("32470000010")
        assert post(bot, webhook(*bad, good)).status_code == 200
        Person(bot, "32470000010").answers(3)
    assert {m["to"] for m in graph.sent} == {"32470000010"}
    assert sum("message ignored" in line for line in bot.log) == len(bad)


def test_a_signed_body_up_to_a_mebibyte_is_read(tmp_path: Path, graph: Graph) -> None:
    with bot_on(tmp_path / "data", graph) as bot:
        ana = Person(bot, NUMBER)
        body = webhook(ana.message("text", text={"body": "Bonjour"}))
        body["padding"] = "x" * (900 * 1024)  # Meta adds what it likes; we read messages
        assert post(bot, body).status_code == 200
        ana.answers(3)
        too_big = {"padding": "x" * (1024 * 1024 + 1)}
        assert post(bot, too_big).status_code == 413


async def test_a_burst_waits_for_meta_instead_of_failing(graph: Graph) -> None:
    """More sends at once than connections to Meta, Meta slow: they wait their turn, at most
    ``max_sends`` under way, and none fails (before, our own pool timed out after 10 s and
    that was read as Meta unreachable)."""
    import asyncio

    from bot.channels.whatsapp.api import GraphAPI
    from tests.bot.channels.whatsapp_graph import NUMBER_ID, TOKEN

    graph.delay = 0.2
    api = GraphAPI(graph.url, NUMBER_ID, TOKEN, max_sends=4)
    assert api.client.timeout.pool is None  # waiting for our own pool is never Meta's fault
    try:
        texts_sent = [{"type": "text", "text": {"body": f"n°{i}"}} for i in range(40)]
        await asyncio.gather(*(api.send(f"3247200{i:04d}", m) for i, m in enumerate(texts_sent)))
    finally:
        await api.close()
    assert len(graph.sent) == 40 and graph.most == 4


def test_the_notice_comes_after_the_turn_and_the_24_hour_note_only_by_e_mail(
    tmp_path: Path, graph: Graph
) -> None:
    from tests.bot.channels.test_whatsapp import ask_for_a_person, wait_told

    note = "Bon à savoir : WhatsApp ne me laisse vous écrire ici"
    graph.delay = 0.2  # the notice is ready while the turn's messages still go
    with bot_on(tmp_path / "filed", graph) as bot:  # no e-mail server: filed, told at once
        ana = Person(bot, NUMBER)
        said = texts_of(ask_for_a_person(ana))
        ref = wait_told(bot.data)
        ana.answers(0)
        last = texts_of(graph.to(NUMBER)[-1:])
    assert note not in said  # untrue here: the notice comes at once
    assert ref in last and "bien enregistrée" in last  # after the menu, not between
    port = free_port()
    smtp = {"PAT_SMTP_HOST": "127.0.0.1", "PAT_SMTP_PORT": str(port), "PAT_SMTP_SECURITY": "none"}
    with smtp_server(port) as sink, bot_on(tmp_path / "mail", graph, **smtp) as bot:
        bob = Person(bot, "32470999999")
        said = texts_of(ask_for_a_person(bob))
        ref = wait_told(bot.data)
        bob.answers(0)
        last = texts_of(graph.to("32470999999")[-1:])
    assert note in said and said.index(ref) < said.index(note)
    assert ref in last and "est bien arrivée" in last
    assert len(sink.messages()) == 1
