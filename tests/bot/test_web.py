"""The web channel in a real browser: a real ``pat-bot web`` process, driven through a headless
Chromium (Debian's chromium and chromium-driver) with Selenium; the widget is embedded in a
page served from another origin. Screenshots go to ``build/screenshots/`` to be looked at."""

from __future__ import annotations

import http.server
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from tests.helpers import REPO_ROOT

BIN = Path(sys.executable).parent / "pat-bot"
SHOTS = REPO_ROOT / "build" / "screenshots"
WAIT = 20.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for_port(port: int) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


class Site:
    """A page on another origin (http://localhost:PORT) that embeds the widget."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(  # noqa: E731
            *a, directory=str(folder), **k
        )
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    folder = tmp_path / "site"
    folder.mkdir()
    served = Site(folder)
    yield served
    served.server.shutdown()


@pytest.fixture
def web(tmp_path: Path, site: Site) -> Iterator[tuple[int, Path]]:
    """A real pat-bot web process; yields its port and data folder."""
    port = free_port()
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAT_")}
    env.update(
        PAT_DATA_DIR=str(data),
        PAT_WEB_PORT=str(port),
        PAT_WEB_ALLOWED_ORIGINS=f"http://localhost:{site.port}",
    )
    process = subprocess.Popen(
        [str(BIN), "web"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        wait_for_port(port)
        yield port, data
    finally:
        process.terminate()
        _, err = process.communicate(timeout=WAIT)
        assert process.returncode == 0, err.decode()
        assert b"Traceback" not in err, err.decode()


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
            f"(.ci/run does it): {exc.msg}"
        ) from exc
    driver.set_page_load_timeout(WAIT)
    yield driver
    driver.quit()


def said(driver: WebDriver) -> list[str]:
    return [m.text for m in driver.find_elements(By.CSS_SELECTOR, "#log .msg.bot")]


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

    WebDriverWait(driver, WAIT).until(enabled, f"no button {label!r}")
    [b for b in driver.find_elements(By.CSS_SELECTOR, "#log button") if b.text == label][-1].click()


def type_text(driver: WebDriver, text: str) -> None:
    box = driver.find_element(By.ID, "text")
    box.send_keys(text)
    driver.find_element(By.ID, "send").click()


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
