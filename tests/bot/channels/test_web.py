"""The web channel in a real browser: a real ``pat-bot web`` process, driven through a headless
Chromium (Debian's chromium and chromium-driver) with Selenium; the widget is embedded in a
page served from another origin. Screenshots go to ``build/screenshots/`` to be looked at."""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from tests.bot.web_server import Site
from tests.helpers import REPO_ROOT

BIN = Path(sys.executable).parent / "pat-bot"
SHOTS = REPO_ROOT / "build" / "screenshots"
WAIT = 20.0


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.add_argument("--window-size=390,844")  # a phone first
    options.add_argument("--lang=fr-BE")  # a Belgian professional's browser
    options.add_experimental_option("prefs", {"intl.accept_languages": "fr-BE,fr"})
    try:
        driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    except WebDriverException as exc:  # say what to install, once
        raise AssertionError(
            "a headless Chromium is needed: apt-get install chromium chromium-driver "
            f"(make test does it: tests/install-browser.sh): {exc.msg}"
        ) from exc
    driver.set_page_load_timeout(WAIT)
    yield driver
    driver.quit()


def said(driver: WebDriver) -> list[str]:
    """The bot's bubbles as shown, read in one go by the page's script: no element goes stale
    while the page changes (an erasure empties the log)."""
    found: list[str] = driver.execute_script(
        "return Array.from(document.querySelectorAll('#log .msg.bot'))"
        ".map(function (m) { return m.innerText; });"
    )
    return found


def wait_said(driver: WebDriver, text: str) -> None:
    WebDriverWait(driver, WAIT).until(
        lambda d: any(text in m for m in said(d)), f"the bot never said {text!r}"
    )


def press(driver: WebDriver, label: str) -> None:
    def enabled(d: WebDriver) -> bool:
        return any(
            b.text == label and b.is_enabled()
            for b in d.find_elements(By.CSS_SELECTOR, "#log button")
        )

    # Old keyboards leave the page when new ones come: a button seen may be gone a moment later.
    stale = (StaleElementReferenceException,)
    WebDriverWait(driver, WAIT, ignored_exceptions=stale).until(enabled, f"no button {label!r}")
    # The log scrolls smoothly to each new message: on a busy machine a click can land while
    # it still moves. Bring the button to the middle at once, and try again a few times.
    for attempt in range(5):
        try:
            button = [
                b for b in driver.find_elements(By.CSS_SELECTOR, "#log button") if b.text == label
            ][-1]
            driver.execute_script(
                "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", button
            )
            button.click()
            return
        except (ElementClickInterceptedException, StaleElementReferenceException):
            if attempt == 4:
                raise
            time.sleep(0.2)


def type_text(driver: WebDriver, text: str) -> None:
    # The text box changes with the question (a one-line e-mail field, a text area): when it
    # changes under the typing, type again in the new one (it carries what was typed: cleared).
    for attempt in range(5):
        try:
            box = driver.find_element(By.ID, "text")
            box.clear()
            box.send_keys(text)
            driver.find_element(By.ID, "send").click()
            return
        except StaleElementReferenceException:
            if attempt == 4:
                raise
            time.sleep(0.2)


def shoot(driver: WebDriver, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"{name}.png"))


def test_a_whole_request_on_the_standalone_page(web: tuple[int, Path], browser: WebDriver) -> None:
    port, data = web
    browser.get(f"http://127.0.0.1:{port}/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    wait_said(browser, "Que puis-je faire pour vous ?")
    log = browser.find_element(By.ID, "log")
    assert log.get_attribute("aria-live") == "polite"  # new messages are read out
    press(browser, "Questions sur la pair-aidance")
    press(browser, "Et s'il ou elle rechute ?")
    wait_said(browser, "Le rétablissement n'est pas la guérison")
    type_text(browser, "/menu")
    press(browser, "Une formation")
    press(browser, "Direction d'une organisation")
    press(browser, "Plusieurs personnes")
    type_text(browser, "6")
    press(browser, "Bruxelles")
    type_text(browser, "Comprendre le rôle des pair-aidant·e·s")
    press(browser, "J'accepte")
    type_text(browser, "<b>Ana</b> Lima")
    # A reload in the middle: the conversation resumes where it was.
    browser.refresh()
    wait_said(browser, "Nous reprenons là où nous en étions.")
    wait_said(browser, "Pour quelle organisation ?")
    type_text(browser, "CPAS de Schaerbeek")
    type_text(browser, "directrice")
    type_text(browser, "ana@")
    wait_said(browser, "adresse e-mail")
    type_text(browser, "ana@example.be")
    press(browser, "Passer")
    wait_said(browser, "Voici votre demande. Tout est juste ?")
    summary = said(browser)[-1]
    assert "<b>Ana</b> Lima" in summary  # shown as typed, never as HTML
    assert not browser.find_elements(By.CSS_SELECTOR, "#log b")
    shoot(browser, "page-phone-summary")
    press(browser, "Envoyer")
    wait_said(browser, "est enregistrée sous la référence R-")
    with sqlite3.connect(data / "pat.sqlite3") as db:
        (payload,) = db.execute("SELECT payload FROM requests").fetchone()
    assert json.loads(payload)["channel"] == "web"  # for staff: the e-mail and the JSON
    # A distress message gets the help lines at once.
    type_text(browser, "je veux mourir")
    wait_said(browser, "112")
    browser.set_window_size(1280, 800)
    shoot(browser, "page-desktop")
    # "Effacer mes données" does what /forget does.
    browser.find_element(By.ID, "forget").click()
    press(browser, "Oui, tout effacer")
    wait_said(browser, "C'est fait : j'ai tout effacé.")
    with sqlite3.connect(data / "pat.sqlite3") as db:
        kept = " ".join(row[0] for row in db.execute("SELECT state FROM conversations"))
        consents = db.execute("SELECT COUNT(*) FROM consents").fetchone()[0]
    assert "Lima" not in kept and "ana@example.be" not in kept and consents == 0  # forgotten
    # ... and nothing of it stays on the screen (a shared computer): only the answer is left.
    on_screen = browser.find_element(By.ID, "log").text
    assert "C'est fait : j'ai tout effacé." in on_screen
    assert "Lima" not in on_screen and "ana@example.be" not in on_screen
    # A reload then starts afresh: the welcome, no « reprenons », no reference.
    browser.refresh()
    wait_said(browser, "Que puis-je faire pour vous ?")
    again = " ".join(said(browser))
    assert "Nous reprenons" not in again and "référence" not in again


def test_the_widget_on_another_origin_in_dutch(
    web: tuple[int, Path], site: Site, browser: WebDriver
) -> None:
    port, _ = web
    page = (
        "<!DOCTYPE html><html lang='nl'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>Smes</title></head><body><h1>Smes · PAT</h1><p>Onze diensten…</p>"
        f"<script src='http://127.0.0.1:{port}/widget.js' data-lang='nl' defer></script>"
        "</body></html>"
    )
    (site.folder / "page.html").write_text(page, encoding="utf-8")
    browser.get(f"http://localhost:{site.port}/page.html")
    opener = WebDriverWait(browser, WAIT).until(lambda d: d.find_element(By.ID, "pat-chat-open"))
    assert opener.get_attribute("aria-expanded") == "false"
    opener.click()
    assert opener.get_attribute("aria-expanded") == "true"
    frame = browser.find_element(By.CSS_SELECTOR, "#pat-chat-panel iframe")
    browser.switch_to.frame(frame)
    wait_said(browser, "Wat kan ik voor u doen?")
    press(browser, "Vragen over ervaringsdeskundigheid")
    browser.switch_to.default_content()
    shoot(browser, "widget-phone")
    browser.set_window_size(1280, 800)
    browser.refresh()
    WebDriverWait(browser, WAIT).until(lambda d: d.find_element(By.ID, "pat-chat-open")).click()
    browser.switch_to.frame(browser.find_element(By.CSS_SELECTOR, "#pat-chat-panel iframe"))
    wait_said(browser, "We gaan verder waar we gebleven waren.")  # the same session
    browser.switch_to.default_content()
    shoot(browser, "widget-desktop")


def test_a_language_chosen_in_the_chat_outlives_a_reload(
    web: tuple[int, Path], browser: WebDriver
) -> None:
    port, _ = web
    browser.get(f"http://127.0.0.1:{port}/")
    wait_said(browser, "Que puis-je faire pour vous ?")
    browser.find_element(By.ID, "language").click()
    press(browser, "English")
    wait_said(browser, "I'll speak English with you from now on.")
    browser.refresh()
    WebDriverWait(browser, WAIT).until(
        lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    )
    wait_said(browser, "What can I do for you?")
    assert browser.find_element(By.ID, "send").text == "Send"


def test_escape_inside_the_widget_closes_it(
    web: tuple[int, Path], site: Site, browser: WebDriver
) -> None:
    from selenium.webdriver.common.keys import Keys

    port, _ = web
    page = (
        "<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><title>Smes</title></head>"
        f"<body><script src='http://127.0.0.1:{port}/widget.js' defer></script></body></html>"
    )
    (site.folder / "esc.html").write_text(page, encoding="utf-8")
    browser.set_window_size(1280, 800)
    browser.get(f"http://localhost:{site.port}/esc.html")
    opener = WebDriverWait(browser, WAIT).until(lambda d: d.find_element(By.ID, "pat-chat-open"))
    opener.click()
    browser.switch_to.frame(browser.find_element(By.CSS_SELECTOR, "#pat-chat-panel iframe"))
    wait_said(browser, "Que puis-je faire pour vous ?")
    browser.find_element(By.ID, "text").send_keys(Keys.ESCAPE)
    browser.switch_to.default_content()
    WebDriverWait(browser, WAIT).until(
        lambda d: d.find_element(By.ID, "pat-chat-open").get_attribute("aria-expanded") == "false"
    )
    assert browser.switch_to.active_element.get_attribute("id") == "pat-chat-open"


def test_the_help_button_is_in_the_header_at_every_step_and_numbers_are_tel_links(
    web: tuple[int, Path], browser: WebDriver
) -> None:
    """The safety net that does not depend on being understood, on a phone: the header's
    help button at every step, the numbers tappable (tel:), and back with the answers."""
    port, _ = web
    browser.get(f"http://127.0.0.1:{port}/")
    wait_said(browser, "Que puis-je faire pour vous ?")
    sos = browser.find_element(By.ID, "sos")
    assert sos.text == "🆘 Besoin d'aide maintenant ?" or "Besoin d'aide" in sos.text
    press(browser, "Une formation")
    press(browser, "Direction d'une organisation")
    wait_said(browser, "La formation serait pour…")
    browser.find_element(By.ID, "sos").click()
    wait_said(browser, "Qui appeler")
    shoot(browser, "help_now_phone")
    links = {
        a.text: a.get_attribute("href")
        for a in browser.find_elements(By.CSS_SELECTOR, "#log .msg.bot a")
    }
    assert links["112"] == "tel:112"
    assert links["107"] == "tel:107"
    assert links["0800 32 123"] == "tel:+3280032123"
    assert links["070 245 245"] == "tel:+3270245245"
    assert links["0800 99 340"] == "tel:+3280099340"
    mail = [
        a.get_attribute("href")
        for a in browser.find_elements(By.CSS_SELECTOR, "#log .msg.bot a")
        if a.text == "pat@smes.be"
    ]
    assert mail and mail[0] == "mailto:pat@smes.be"  # the welcome's address, too
    press(browser, "↩ Revenir où j'étais")
    WebDriverWait(browser, WAIT).until(
        lambda d: "La formation serait pour…" in said(d)[-1],
        f"not back where it was: {said(browser)[-2:]}",
    )
    press(browser, "Moi seul·e")
    wait_said(browser, "Dans quelle région êtes-vous ?")
    # Distress typed in the person's own words, then the check's three answers.
    type_text(browser, "je n'en peux plus")
    wait_said(browser, "est-ce que vous êtes en danger en ce moment ?")
    press(browser, "Non, mais ça ne va pas")
    wait_said(browser, "Vous n'avez pas à garder ça pour vous")
    check = [
        a.get_attribute("href")
        for a in browser.find_elements(By.CSS_SELECTOR, "#log .msg.bot a")
        if a.text in ("107", "0800 32 123")
    ]
    assert "tel:107" in check and "tel:+3280032123" in check
    WebDriverWait(browser, WAIT).until(
        lambda d: "Dans quelle région êtes-vous ?" in said(d)[-1], "not back"
    )
