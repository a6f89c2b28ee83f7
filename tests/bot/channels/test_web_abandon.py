"""Nothing thrown away without asking on the web page (#28, point 3), in a real headless
Chromium against a real ``pat-bot web`` process: « ↩ Menu » during a request asks first; a
long text gets a counter near the limit and, over it, a kind refusal with its length, the text
kept in the box to be shortened (never cut)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from tests.bot.channels.test_web import WAIT, press, said, shoot, wait_said
from tests.bot.channels.test_web import browser as browser  # the fixture

ASK = "Abandonner votre demande ? Vos réponses seront perdues."


def plain(text: str | None) -> str:
    """Spaces as spaces (French numbers are written with a narrow no-break space)."""
    return (text or "").replace("\u202f", " ").replace("\xa0", " ")


def fill(driver: WebDriver, text: str) -> WebElement:
    """The text put in the box as a paste does (one input event), then one key typed."""
    box = driver.find_element(By.ID, "text")
    driver.execute_script(
        "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'));",
        box,
        text[:-1],
    )
    box.send_keys(text[-1])
    return box


def test_menu_during_a_request_asks_first(web: tuple[int, Path], browser: WebDriver) -> None:
    port, _ = web
    browser.get(f"http://127.0.0.1:{port}/")
    wait_said(browser, "Que puis-je faire pour vous ?")
    press(browser, "Une formation")
    press(browser, "Direction d'une organisation")
    wait_said(browser, "La formation serait pour…")
    press(browser, "↩ Menu")
    wait_said(browser, ASK)
    shoot(browser, "abandon-phone")
    assert ASK in said(browser)[-1]  # the newest bubble, with its two buttons
    press(browser, "Continuer ma demande")
    WebDriverWait(browser, WAIT).until(
        lambda d: "La formation serait pour…" in said(d)[-1], "not back at the question"
    )
    old = [
        b
        for b in browser.find_elements(By.CSS_SELECTOR, "#log button")
        if b.text == "Oui, abandonner"
    ]
    assert not old  # the answered question folded into the answer: nothing left to press
    mine = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "#log .msg.you")]
    assert any("Continuer ma demande" in m for m in mine)
    press(browser, "↩ Menu")
    WebDriverWait(browser, WAIT).until(lambda d: ASK in said(d)[-1], "not asked again")
    browser.set_window_size(1280, 800)
    shoot(browser, "abandon-desktop")
    press(browser, "Oui, abandonner")
    wait_said(browser, "C'est annulé : rien n'a été envoyé et vos réponses sont effacées.")
    WebDriverWait(browser, WAIT).until(
        lambda d: "Que puis-je faire pour vous ?" in said(d)[-1], "not at the menu"
    )


def test_a_long_text_gets_a_counter_and_is_refused_never_cut(
    web: tuple[int, Path], browser: WebDriver
) -> None:
    port, data = web
    browser.get(f"http://127.0.0.1:{port}/")
    wait_said(browser, "Que puis-je faire pour vous ?")
    press(browser, "Autre chose / parler à une personne")
    wait_said(browser, "Votre message pour l'équipe PAT.")
    box = browser.find_element(By.ID, "text")
    assert box.get_attribute("maxlength") is None  # the browser cuts nothing
    counter = browser.find_element(By.ID, "count")
    spoken = browser.find_element(By.ID, "count-said")
    assert spoken.get_attribute("aria-live") == "polite"
    fill(browser, "a" * 1700)
    assert not counter.is_displayed()  # far from the limit: nothing shown
    fill(browser, "a" * 1950)
    assert counter.is_displayed() and plain(counter.text) == "1 950 / 2 000"
    told = plain(spoken.get_attribute("textContent"))
    assert told == "1 949 caractères sur 2 000"  # said when it appeared (the paste)…
    box.send_keys("b")
    assert plain(counter.text) == "1 951 / 2 000"
    assert plain(spoken.get_attribute("textContent")) == told  # …not at every key
    bubbles = len(browser.find_elements(By.CSS_SELECTOR, "#log .msg"))
    pasted = ("Nous voudrions comprendre le rôle des pair-aidant·e·s. " * 60)[:2991] + "EINDE."
    assert len(pasted) == 2997  # the reviewer's text
    fill(browser, pasted)
    assert plain(counter.text) == "2 997 / 2 000" and "over" in (
        counter.get_attribute("class") or ""
    )
    assert box.get_attribute("aria-invalid") == "true"
    assert (
        plain(spoken.get_attribute("textContent")) == "2 996 caractères sur 2 000"
    )  # over: said once
    browser.find_element(By.ID, "send").click()
    refusal = (
        "Votre message fait 2 997 caractères ; la limite est de 2 000. Pouvez-vous le raccourcir ?"
    )
    WebDriverWait(browser, WAIT).until(lambda d: plain(said(d)[-1]).endswith(refusal))
    shoot(browser, "too-long-phone")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#log .msg")) == bubbles + 1  # not sent
    assert box.get_attribute("value") == pasted  # kept whole, to be shortened
    shortened = pasted[:1994] + "EINDE."
    fill(browser, shortened)
    assert box.get_attribute("aria-invalid") is None
    browser.find_element(By.ID, "send").click()
    wait_said(browser, "Êtes-vous d'accord pour que")  # taken: the consent comes next
    assert not counter.is_displayed() and box.get_attribute("value") == ""
    with sqlite3.connect(data / "pat.sqlite3") as db:
        states = [json.loads(row[0]) for row in db.execute("SELECT state FROM conversations")]
    assert [s["answers"]["message"] for s in states] == [shortened]  # whole, never cut
