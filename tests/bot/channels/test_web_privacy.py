"""The web page's privacy notice in a real browser (review 2026-12-06, privacy finding 6): a
header button at every step opens it, on a phone, and it tells the page's own facts (the
cookie, the limits per address) and nothing of Telegram."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import httpx
import pytest
import websocket
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from tests.bot.channels.test_web import WAIT, browser, press, said, shoot, wait_said
from tests.bot.delivery.test_smtp import free_port
from tests.bot.web_server import BIN, wait_for_port

__all__ = ["browser"]  # the fixture, shared with test_web.py


def test_the_header_opens_the_notice_on_a_phone(web: tuple[int, Path], browser: WebDriver) -> None:
    port, _ = web
    browser.get(f"http://127.0.0.1:{port}/")
    wait_said(browser, "Que puis-je faire pour vous ?")
    tools = browser.find_elements(By.CSS_SELECTOR, ".tools button")
    assert [b.get_attribute("id") for b in tools] == ["sos", "language", "privacy", "forget"]
    assert all(b.is_displayed() for b in tools)
    wide = browser.execute_script(
        "return document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )
    assert wide is False  # four buttons, and still no sideways scrolling on a phone
    press(browser, "Une formation")
    wait_said(browser, "Je préfère ne pas le dire")  # the art. 9 line, before the question
    browser.find_element(By.ID, "privacy").click()
    wait_said(browser, "un cookie relie votre navigateur")
    shoot(browser, "privacy-phone")
    notice = " ".join(said(browser))
    assert "adresse IP" in notice and "ni dans mes journaux" in notice
    assert "Telegram" not in notice and "nom d'utilisateur" not in notice
    WebDriverWait(browser, WAIT).until(
        lambda d: "Vous êtes…" in said(d)[-1], "the question is not asked again"
    )


CLIENT = "203.0.113.7"  # a documentation address, as the reverse proxy reports it


def test_the_address_is_neither_logged_nor_stored(tmp_path: Path) -> None:
    """What the notice says of the page: the client's address is used for the limits, in
    memory, and written nowhere: not in the log (even at DEBUG, for a WebSocket accepted or
    refused and an HTTP request), not in the database, not in the request e-mail."""
    port = free_port()
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAT_")}
    env.update(PAT_DATA_DIR=str(data), PAT_WEB_PORT=str(port), PAT_LOG_LEVEL="DEBUG")
    process = subprocess.Popen(
        [str(BIN), "web"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    via = {"X-Forwarded-For": CLIENT}
    try:
        wait_for_port(port)
        page = httpx.get(f"http://127.0.0.1:{port}/?lang=fr", headers=via, timeout=10)
        sid = page.headers["set-cookie"].split(";")[0].split("=", 1)[1]
        with pytest.raises(websocket.WebSocketBadStatusException):  # refused: no session
            websocket.create_connection(
                f"ws://127.0.0.1:{port}/ws", header=[f"X-Forwarded-For: {CLIENT}"], timeout=10
            )
        ws = websocket.create_connection(
            f"ws://127.0.0.1:{port}/ws?lang=fr",
            header=[f"Cookie: __Host-pat_session={sid}", f"X-Forwarded-For: {CLIENT}"],
            origin=f"http://127.0.0.1:{port}",
            timeout=10,
        )
        said: list[str] = []
        for event in (
            {"t": "start"},
            *(
                {"t": "text", "text": text}
                for text in (
                    "Autre chose / parler à une personne",
                    "Pouvez-vous m'appeler ?",
                    "J'accepte",
                    "Ana Lima",
                    "Passer",
                    "éducatrice",
                    "ana@example.be",
                    "Passer",
                    "Envoyer",
                )
            ),
        ):
            ws.send(json.dumps(event))
            said = [m["text"] for m in json.loads(ws.recv())["messages"]]
        ws.close()
        assert any("est enregistrée sous la référence" in s for s in said), said
        fallback = httpx.post(
            f"http://127.0.0.1:{port}/api/event",
            json={"t": "privacy"},
            cookies={"__Host-pat_session": sid},
            headers={**via, "Origin": f"http://127.0.0.1:{port}"},
            timeout=10,
        )
        assert "un cookie relie votre navigateur" in fallback.text
    finally:
        process.terminate()
        _, err = process.communicate(timeout=20)
    log = err.decode()
    assert "DEBUG" in log or "INFO" in log  # the log was on, and verbose
    assert CLIENT not in log
    for path in data.rglob("*"):
        if path.is_file():
            assert CLIENT.encode() not in path.read_bytes(), path
