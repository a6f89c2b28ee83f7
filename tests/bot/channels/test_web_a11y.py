"""An automated accessibility check of the web page and the widget: axe-core (pinned in
tests/package-lock.json, installed by tests/install-browser.sh, i.e. ``make test``) injected
into the tests' real Chromium, run on each screen of a request at WCAG 2.2 A and AA.

axe finds what a program can find (contrast, names, roles, structure); it does not replace the
keyboard and screen-reader walks of tests/bot/channels/test_web.py and the reviews."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from tests.bot.channels.test_web import WAIT, browser, press, said, shoot, type_text, wait_said
from tests.bot.web_server import Site

__all__ = ["browser"]

AXE = Path(__file__).parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def violations(driver: WebDriver) -> list[dict[str, Any]]:
    """axe's violations on the document ``driver`` is in (its frames are checked apart)."""
    assert AXE.exists(), "axe-core is missing: run `make browser` (tests/install-browser.sh)"
    if not driver.execute_script("return typeof window.axe === 'object';"):
        # WebDriver's scripts are not the page's: the page's CSP does not apply to them.
        driver.execute_script(AXE.read_text(encoding="utf-8"))
    driver.set_script_timeout(WAIT)
    result: dict[str, Any] = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, iframes: false})"
        "  .then(function (r) { done({passed: r.passes.length, found: r.violations.map("
        "    function (v) { return {id: v.id, help: v.help, nodes: v.nodes.map(function (n) {"
        "      return n.target.join(' ') + ': ' + n.failureSummary; })}; })}); })"
        "  .catch(function (e) { done({passed: 0, found: [{id: 'axe-error', help: String(e)}]}); });",
        TAGS,
    )
    found: list[dict[str, Any]] = result["found"]
    assert found or result["passed"] > 5, "axe checked next to nothing: did it run?"
    return found


def check(driver: WebDriver, screen: str) -> None:
    """No violation on this screen (the report names each rule and element)."""
    found = violations(driver)
    assert not found, f"{screen}: " + json.dumps(found, ensure_ascii=False, indent=1)


def test_each_screen_of_a_request_has_no_axe_violation(
    web: tuple[int, Path], browser: WebDriver
) -> None:
    port, _ = web
    browser.get(f"http://127.0.0.1:{port}/")
    wait_said(browser, "Que puis-je faire pour vous ?")
    check(browser, "welcome")
    press(browser, "Une formation")
    wait_said(browser, "Vous êtes…")
    check(browser, "a choice")
    press(browser, "Direction d'une organisation")
    press(browser, "Plusieurs personnes")
    wait_said(browser, "Combien de personnes")
    check(browser, "free text")
    type_text(browser, "6")
    press(browser, "Bruxelles")
    type_text(browser, "Comprendre le rôle des pair-aidant·e·s")
    wait_said(browser, "Êtes-vous d'accord")
    check(browser, "consent")
    press(browser, "J'accepte")
    type_text(browser, "Ana Lima")
    type_text(browser, "CPAS de Schaerbeek")
    type_text(browser, "directrice")
    type_text(browser, "ana@example.be")
    press(browser, "Passer")
    wait_said(browser, "Voici votre demande. Tout est juste ?")
    check(browser, "summary")
    press(browser, "Envoyer")
    wait_said(browser, "est enregistrée sous la référence R-")
    check(browser, "confirmation")
    browser.find_element(By.ID, "sos").click()
    wait_said(browser, "Qui appeler")
    check(browser, "help")
    browser.set_window_size(1280, 800)
    check(browser, "help, desktop")


def test_a_multiple_choice_has_no_axe_violation(web: tuple[int, Path], browser: WebDriver) -> None:
    port, _ = web
    browser.get(f"http://127.0.0.1:{port}/")
    wait_said(browser, "Que puis-je faire pour vous ?")
    press(browser, "Accompagner mon organisation")
    press(browser, "Commencer ma demande")
    type_text(browser, "CPAS de Schaerbeek")
    press(browser, "Santé mentale")
    type_text(browser, "1030")
    for label in ("Nous découvrons l'idée", "10 à 25", "Oui"):
        press(browser, label)
    wait_said(browser, "Quelles questions se pose votre équipe ?")
    press(browser, "Le risque de rechute")  # one ticked, the others not
    WebDriverWait(browser, WAIT).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#log button[aria-pressed='true']")
    )
    check(browser, "a multiple choice")
    shoot(browser, "a11y-multi-phone")
    assert "Quelles questions" in said(browser)[-1]


def test_the_open_widget_has_no_axe_violation(
    web: tuple[int, Path], site: Site, browser: WebDriver
) -> None:
    port, _ = web
    page = (
        "<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>Smes</title></head><body><main><h1>Smes · PAT</h1><p>Nos services…</p></main>"
        f"<script src='http://127.0.0.1:{port}/widget.js' defer></script></body></html>"
    )
    (site.folder / "a11y.html").write_text(page, encoding="utf-8")
    for size in ((390, 844), (1280, 800)):
        browser.set_window_size(*size)
        browser.get(f"http://localhost:{site.port}/a11y.html")
        WebDriverWait(browser, WAIT).until(lambda d: d.find_element(By.ID, "pat-chat-open"))
        check(browser, f"host page, widget closed {size}")
        browser.find_element(By.ID, "pat-chat-open").click()
        frame = WebDriverWait(browser, WAIT).until(
            lambda d: d.find_element(By.CSS_SELECTOR, "#pat-chat-panel iframe")
        )
        check(browser, f"host page, widget open {size}")
        browser.switch_to.frame(frame)
        wait_said(browser, "Que puis-je faire pour vous ?")
        check(browser, f"the chat in the widget {size}")
        browser.switch_to.default_content()
