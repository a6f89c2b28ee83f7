"""A web hand-off end to end: a person on the page (a real ``pat-bot web`` process, a headless
Chromium) and Anne, of PAT's staff, on Telegram (the real Application against the Bot API
stand-in), on one data folder as ``pat-bot web`` and the Telegram bot run in production."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from bot.settings import Settings
from storage import handoffs
from tests.bot.channels.test_telegram import Bot
from tests.bot.channels.test_web import WAIT, browser, press, shoot, type_text, wait_said
from tests.bot.staff.test_handoff import ANNE, BOB, GROUP, in_group, relay, running
from tests.bot.staff.test_handoff import press as press_tg
from tests.bot.web_server import web_process
from tests.botapi import FakeBotAPI

__all__ = ["browser"]  # the fixture


def staff_said(driver: WebDriver) -> list[str]:
    """The bubbles of a person from PAT, read in one go (nothing goes stale meanwhile)."""
    found: list[str] = driver.execute_script(
        "return Array.from(document.querySelectorAll('#log .msg.staff'))"
        ".map(function (m) { return m.innerText; });"
    )
    return found


def waiting_for_pages(data: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(data / "pat.sqlite3") as db:
        rows = db.execute("SELECT text, attempts FROM relay WHERE to_key LIKE 'web:%'").fetchall()
    return [(text, attempts) for text, attempts in rows]


async def staff_get(bot: Bot) -> list[dict[str, Any]]:
    """What the web process queued for staff, once it has (it writes without answering)."""
    for _ in range(int(WAIT / 0.1)):
        sent = await relay(bot)
        if sent:
            return sent
        await asyncio.sleep(0.1)
    raise AssertionError("nothing reached staff")


def ask_to_be_answered_here(driver: WebDriver, port: int) -> None:
    driver.get(f"http://127.0.0.1:{port}/")
    wait_said(driver, "Que puis-je faire pour vous ?")
    press(driver, "Autre chose / parler à une personne")
    type_text(driver, "Pouvez-vous m'aider à présenter PAT à ma direction ?")
    press(driver, "J'accepte")
    type_text(driver, "Ana Lima")
    press(driver, "Passer")
    type_text(driver, "éducatrice")
    type_text(driver, "ana@example.be")
    press(driver, "Passer")
    wait_said(driver, "Comment préférez-vous être contacté·e ?")
    press(driver, "Ici, dans ce chat")  # offered: staff can answer on the page now
    press(driver, "Envoyer")
    wait_said(driver, "est enregistrée sous la référence R-")


async def test_a_web_hand_off_with_the_page_closed_and_reopened_then_forget(
    settings: Settings, api: FakeBotAPI, browser: WebDriver
) -> None:
    data = settings.data_dir
    staff = {
        "PAT_STAFF_CHAT_ID": str(GROUP),
        "PAT_STAFF_IDS": f"{ANNE},{BOB}",
        "PAT_RATE_LIMIT_PER_MINUTE": "1000",
    }
    tg_settings = settings.model_copy(
        update={
            "telegram_token": SecretStr("123456:TEST-TOKEN"),
            "telegram_api_url": api.base_url,
            "staff_ids": [ANNE, BOB],
            "staff_chat_id": GROUP,
        }
    )
    anne = in_group(ANNE, "Anne")
    with web_process(data, **staff) as port:
        ask_to_be_answered_here(browser, port)
        async with running(tg_settings, api) as bot:
            (card,) = await relay(bot)
            assert "page web" in card["text"] and "Ana Lima" not in card["text"]
            ref = card["text"].split()[3]
            await press_tg(bot, anne, card, "Répondre dans le chat")
            await relay(bot)  # « Anne répond »
            await bot.send(anne.message("Bonjour Ana, je peux vous appeler demain ?"))
            # On the page: Anne's bubble, signed, apart from the bot's, with the end button.
            WebDriverWait(browser, WAIT).until(lambda d: staff_said(d), "Anne never reached it")
            bubble = browser.find_element(By.CSS_SELECTOR, "#log .msg.staff")
            assert bubble.find_element(By.CSS_SELECTOR, ".who").text == "💬 Anne, de l'équipe PAT :"
            assert "Bonjour Ana, je peux vous appeler demain ?" in bubble.text
            assert "Vous parlez maintenant avec une personne de l'équipe PAT" in bubble.text
            end = bubble.find_element(By.CSS_SELECTOR, "button")
            assert end.text == "Terminer la conversation" and end.is_enabled()
            shoot(browser, "handoff-phone")
            # Ana answers from the page: reminded once that a person reads it; Anne gets it.
            type_text(browser, "Oui, demain à 10 h")
            wait_said(browser, "C'est transmis à Anne, de l'équipe PAT")
            (to_anne,) = await relay(bot)
            assert to_anne["text"] == f"💬 {ref} · la personne écrit :\nOui, demain à 10 h"
            # The page is closed; Anne writes: it waits, not a failed try.
            browser.get("about:blank")
            await bot.send(anne.message("Vous êtes toujours là ?", reply_to_message=as_card(card)))
            assert waiting_for_pages(data) == [
                ("💬 Anne, de l'équipe PAT :\nVous êtes toujours là ?", 0)
            ]
            # Ana comes back: where she was, then Anne's message, once; then it is gone.
            browser.get(f"http://127.0.0.1:{port}/")
            WebDriverWait(browser, WAIT).until(
                lambda d: any("Vous êtes toujours là ?" in m for m in staff_said(d)),
                "the waiting message never showed",
            )
            WebDriverWait(browser, WAIT).until(lambda _: waiting_for_pages(data) == [])
            assert sum("Vous êtes toujours là ?" in m for m in staff_said(browser)) == 1
            ends = browser.find_elements(By.CSS_SELECTOR, "#log .msg.staff button")
            assert [b.is_enabled() for b in ends] == [True]  # a new page: only what waited
            type_text(browser, "Oui !")
            (to_anne,) = await staff_get(bot)
            assert to_anne["text"] == f"💬 {ref} · la personne écrit :\nOui !"
            # /forget during the hand-off: it ends, staff are told, nothing of it stays.
            browser.find_element(By.ID, "forget").click()
            press(browser, "Oui, tout effacer")
            wait_said(browser, "C'est fait")
            (told,) = await relay(bot)
            assert told["text"].startswith(f"{ref} : la personne a demandé l'effacement")
            assert await handoffs.get(bot.built.db, ref) is None
            assert waiting_for_pages(data) == []


def as_card(card: dict[str, Any]) -> dict[str, Any]:
    """The card, as Telegram shows it inside Anne's reply to it."""
    return {
        "message_id": 600,
        "date": 0,
        "chat": {"id": GROUP, "type": "supergroup", "title": "Équipe PAT"},
        "from": {"id": 999000, "is_bot": True, "first_name": "PAT"},
        "text": card["text"],
    }
