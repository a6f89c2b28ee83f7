"""The web page works, or says why; and the focus stays in the open widget.

A real ``pat-bot web`` process (its log read), a real headless Chromium that maps the test
names ``*.pat.test`` to 127.0.0.1 (so that the page is served under a name that is not local,
over plain HTTP, as on a server without HTTPS), and real Tab key presses."""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from bot.channels.web.diagnose import is_local, startup_line
from tests.bot.channels.test_web import WAIT, shoot, wait_said
from tests.bot.delivery.test_smtp import free_port
from tests.bot.web_server import BIN, Site, wait_for_port


def chromium(**prefs: object) -> WebDriver:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.add_argument("--window-size=390,844")
    options.add_argument("--lang=fr-BE")
    # Names that are not local, for a page over plain HTTP; still only 127.0.0.1.
    options.add_argument("--host-resolver-rules=MAP *.pat.test 127.0.0.1")
    options.add_experimental_option("prefs", {"intl.accept_languages": "fr-BE,fr", **prefs})
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    driver.set_page_load_timeout(WAIT)
    return driver


@pytest.fixture
def mapped() -> Iterator[WebDriver]:
    driver = chromium()
    yield driver
    driver.quit()


@pytest.fixture
def served(tmp_path: Path, site: Site) -> Iterator[tuple[int, Path]]:
    """A real pat-bot web process whose log is kept: its port and its log file."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAT_")}
    env.update(
        PAT_DATA_DIR=str(tmp_path / "data"),
        PAT_WEB_PORT=str(port),
        PAT_WEB_ALLOWED_ORIGINS=f"http://localhost:{site.port}",
    )
    log = tmp_path / "web.log"
    with log.open("wb") as err:
        process = subprocess.Popen([str(BIN), "web"], env=env, stderr=err)
        try:
            wait_for_port(port)
            yield port, log
        finally:
            process.terminate()
            process.wait(timeout=WAIT)
    assert process.returncode == 0, log.read_text()


def kind_line(driver: WebDriver) -> str:
    WebDriverWait(driver, WAIT).until(
        lambda d: d.find_element(By.ID, "status").is_displayed(), "no line for the person"
    )
    return str(driver.find_element(By.ID, "status").text)


def test_plain_http_at_a_name_that_is_not_local_says_why(
    served: tuple[int, Path], mapped: WebDriver
) -> None:
    port, log = served
    assert f"web channel on http://127.0.0.1:{port}/ (plain HTTP" in log.read_text()
    mapped.get(f"http://chat.pat.test:{port}/")
    line = kind_line(mapped)
    assert "le chat ne fonctionne pas ici" in line and "pat@smes.be" in line
    link = mapped.find_element(By.CSS_SELECTOR, "#status a")
    assert link.get_attribute("href") == "mailto:pat@smes.be"
    assert not mapped.find_element(By.ID, "text").is_enabled()  # nothing to type into in vain
    # The help lines need no session: the header's button still shows them, 112 a tel: link.
    mapped.find_element(By.ID, "sos").click()
    wait_said(mapped, "Danger immédiat")
    links = [a.get_attribute("href") for a in mapped.find_elements(By.CSS_SELECTOR, "#log a")]
    assert "tel:112" in links and "tel:+3280032123" in links
    shoot(mapped, "no-session-phone")
    mapped.refresh()  # a second person, the same cause: one line in the log
    kind_line(mapped)
    mapped.set_window_size(1280, 800)
    shoot(mapped, "no-session-desktop")
    said = log.read_text()
    assert said.count("opened over plain HTTP at a name that is not local (chat.pat.test)") == 1
    # The same page at a local address works: browsers treat it as secure.
    mapped.get(f"http://localhost:{port}/")
    wait_said(mapped, "Que puis-je faire pour vous ?")
    assert not mapped.find_element(By.ID, "status").is_displayed()


def test_a_widget_on_a_site_not_allowed_says_so_instead_of_a_grey_frame(
    served: tuple[int, Path], site: Site, mapped: WebDriver
) -> None:
    port, log = served
    page = (
        "<!DOCTYPE html><html lang='nl'><head><meta charset='utf-8'><title>Elders</title>"
        "</head><body><h1>Een andere site</h1>"
        f"<script src='http://127.0.0.1:{port}/widget.js' data-lang='nl' defer></script>"
        "</body></html>"
    )
    (site.folder / "other.html").write_text(page, encoding="utf-8")
    mapped.get(f"http://other.pat.test:{site.port}/other.html")  # not in the allowed origins
    WebDriverWait(mapped, WAIT).until(lambda d: d.find_element(By.ID, "pat-chat-open")).click()
    message = WebDriverWait(mapped, WAIT).until(lambda d: d.find_element(By.ID, "pat-chat-refused"))
    assert "kan hier niet worden geopend" in message.text, message.text
    links = [a.get_attribute("href") for a in message.find_elements(By.TAG_NAME, "a")]
    assert links == ["tel:112", "mailto:pat@smes.be"]  # danger first, then PAT
    assert not mapped.find_elements(By.CSS_SELECTOR, "#pat-chat-panel iframe")
    assert mapped.switch_to.active_element.get_attribute("id") == "pat-chat-refused"
    shoot(mapped, "widget-refused-phone")
    assert "tried to show the widget (http://other.pat.test:" in log.read_text()


def test_cookies_blocked_in_the_widget_get_the_same_kind_line(
    served: tuple[int, Path], site: Site
) -> None:
    """A browser that refuses cookies (here all of them: Chromium keeps a partitioned cookie
    even when it blocks other sites' cookies): the chat in the frame says why."""
    port, log = served
    page = (
        "<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><title>Smes</title></head>"
        f"<body><script src='http://127.0.0.1:{port}/widget.js' defer></script></body></html>"
    )
    (site.folder / "blocked.html").write_text(page, encoding="utf-8")
    driver = chromium(**{"profile.default_content_setting_values.cookies": 2})
    try:
        driver.get(f"http://localhost:{site.port}/blocked.html")
        WebDriverWait(driver, WAIT).until(lambda d: d.find_element(By.ID, "pat-chat-open")).click()
        frame = WebDriverWait(driver, WAIT).until(
            lambda d: d.find_element(By.CSS_SELECTOR, "#pat-chat-panel iframe")
        )
        driver.switch_to.frame(frame)
        assert "Vous pouvez écrire à l'équipe de PAT" in kind_line(driver)
        driver.switch_to.default_content()
        shoot(driver, "widget-no-cookie-phone")
    finally:
        driver.quit()
    assert "the widget's frame came without its session cookie" in log.read_text()


def test_the_start_up_line_says_what_it_can_know() -> None:
    level, line = startup_line("0.0.0.0", 8080)
    assert level == logging.WARNING and "HTTPS reverse proxy" in line
    level, line = startup_line("::1", 8080)
    assert level == logging.INFO and line.startswith("web channel on http://[::1]:8080/")
    assert is_local("localhost") and is_local("chat.localhost") and is_local("127.0.0.2")
    assert not is_local("chat.pat.test") and not is_local("10.0.0.1")


def where(driver: WebDriver) -> str:
    """Where the focus is: 'close' (the panel's ×), 'chat:<id or tag>', or 'host:<id or tag>'."""
    driver.switch_to.default_content()
    host = driver.switch_to.active_element
    if host.tag_name == "iframe":
        driver.switch_to.frame(host)
        inner = driver.switch_to.active_element
        name = inner.get_attribute("id") or inner.tag_name
        driver.switch_to.default_content()
        return f"chat:{name}"
    if host.get_attribute("aria-label") == "Fermer le chat":
        return "close"
    return f"host:{host.get_attribute('id') or host.tag_name}"


def test_the_focus_stays_in_the_open_widget(
    web: tuple[int, Path], site: Site, mapped: WebDriver
) -> None:
    port, _ = web
    page = (
        "<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><title>Smes</title></head>"
        "<body><a id='before' href='#a'>Accueil</a>"
        f"<script src='http://127.0.0.1:{port}/widget.js' defer></script>"
        "<a id='contact' href='#c'>Nous contacter</a></body></html>"
    )
    (site.folder / "trap.html").write_text(page, encoding="utf-8")
    mapped.set_window_size(1280, 800)
    mapped.get(f"http://localhost:{site.port}/trap.html")
    opener = WebDriverWait(mapped, WAIT).until(lambda d: d.find_element(By.ID, "pat-chat-open"))
    opener.click()
    mapped.switch_to.frame(mapped.find_element(By.CSS_SELECTOR, "#pat-chat-panel iframe"))
    wait_said(mapped, "Que puis-je faire pour vous ?")
    keys = ActionChains(mapped)
    seen = []
    for _ in range(40):  # round the whole panel (17 stops) twice, by real key presses
        keys.send_keys(Keys.TAB).perform()
        seen.append(where(mapped))
    assert not [s for s in seen if s.startswith("host:")], seen
    assert seen.count("close") >= 2, " ".join(seen)
    at = seen.index("close")
    assert seen[at - 1] == "chat:send" and seen[at + 1] == "chat:sos", seen
    # Backwards: from × to the chat's last control, and from its first back to ×.
    while where(mapped) != "close":
        keys.send_keys(Keys.TAB).perform()
    keys.key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
    assert where(mapped) == "chat:send"
    while where(mapped) != "chat:sos":
        keys.key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
    keys.key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
    assert where(mapped) == "close"
    shoot(mapped, "widget-focus-close-desktop")
    keys.send_keys(Keys.ENTER).perform()  # × closes: the focus returns to the opener
    assert where(mapped) == "host:pat-chat-open"
    assert opener.get_attribute("aria-expanded") == "false"
