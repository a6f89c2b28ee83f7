"""The web page as a person meets it (issue #28): one language at a time (the page's words,
``lang``, the widget), text boxes that fit the answer expected, one send control, pressed
keyboards folded into the answer, the consent written for the page, a reload that shows where
the person is, and long messages opened at their start. A real ``pat-bot web`` process and a
real headless Chromium, on a phone (390×844) and on a desktop; screenshots in
build/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from tests.bot.channels.test_web import WAIT, browser, press, shoot, type_text
from tests.bot.web_server import Site

__all__ = ["browser"]  # the fixture, shared with test_web.py


def said(driver: WebDriver) -> list[str]:
    """The bot's bubbles as shown, without the label only screen readers hear (read in one go
    by the page's script: no element goes stale while the page changes)."""
    found: list[str] = driver.execute_script(
        "return Array.from(document.querySelectorAll('#log .msg.bot')).map(function (m) {"
        " return Array.from(m.childNodes).slice(1).map(function (n) {"
        "  return n.textContent; }).join(''); });"
    )
    return found


def wait_said(driver: WebDriver, text: str) -> None:
    WebDriverWait(driver, WAIT).until(
        lambda d: any(text in m for m in said(d)), f"the bot never said {text!r}"
    )


def attr(driver: WebDriver, css: str, name: str) -> str | None:
    return driver.find_element(By.CSS_SELECTOR, css).get_attribute(name)


def page_lang(driver: WebDriver) -> str | None:
    return attr(driver, "html", "lang")


def box(driver: WebDriver) -> dict[str, Any]:
    """The text box as it is now: its element, type, keyboard and autofill, and focus."""
    found: dict[str, Any] = driver.execute_script(
        "var t = document.getElementById('text');"
        "return {tag: t.tagName.toLowerCase(), type: t.getAttribute('type'),"
        " inputmode: t.getAttribute('inputmode'), autocomplete: t.getAttribute('autocomplete'),"
        " focused: document.activeElement === t,"
        " label: document.querySelector('label[for=text]').textContent};"
    )
    return found


def wait_box(driver: WebDriver, autocomplete: str) -> dict[str, Any]:
    WebDriverWait(driver, WAIT).until(
        lambda d: box(d)["autocomplete"] == autocomplete, f"no text box for {autocomplete}"
    )
    return box(driver)


def send_controls(driver: WebDriver, label: str) -> int:
    """Visible buttons that say ``label`` (the composer's and the log's)."""
    return sum(
        1
        for b in driver.find_elements(By.TAG_NAME, "button")
        if b.is_displayed() and b.text == label
    )


def keyboards(driver: WebDriver) -> tuple[int, int]:
    """How many keyboards the log holds, and how many disabled buttons."""
    boxes = driver.find_elements(By.CSS_SELECTOR, "#log .choices")
    disabled = driver.find_elements(By.CSS_SELECTOR, "#log button:disabled")
    return len(boxes), len(disabled)


def yours(driver: WebDriver) -> list[str]:
    found: list[str] = driver.execute_script(
        "return Array.from(document.querySelectorAll('#log .msg.you')).map(function (m) {"
        " return m.lastChild.textContent; });"
    )
    return found


def active_id(driver: WebDriver) -> str:
    return str(
        driver.execute_script("return document.activeElement.id || document.activeElement.tagName")
    )


# -- 4. one language at a time ------------------------------------------------------------------


def test_the_whole_page_changes_language_at_once(web: tuple[int, Path], browser: WebDriver) -> None:
    port, _ = web
    browser.get(f"http://127.0.0.1:{port}/")
    wait_said(browser, "Que puis-je faire pour vous ?")
    assert page_lang(browser) == "fr" and browser.find_element(By.ID, "send").text == "Envoyer"
    french_title = browser.title
    # Dutch typed on the French page: the offer, in Dutch; staying is offered in French.
    type_text(browser, "Spreekt er iemand Nederlands bij jullie? Wat doet een ervaringsdeskundige?")
    wait_said(browser, "Wilt u liever in het Nederlands verdergaan?")
    labels = [b.text for b in browser.find_elements(By.CSS_SELECTOR, "#log .choices button")]
    assert labels == ["Nederlands", "Continuer en français"]
    shoot(browser, "page-language-offer-phone")
    press(browser, "Nederlands")
    wait_said(browser, "Prima, ik spreek voortaan Nederlands met u.")
    WebDriverWait(browser, WAIT).until(lambda d: page_lang(d) == "nl")
    title = browser.find_element(By.TAG_NAME, "h1").text
    assert title == browser.title != french_title
    assert browser.find_element(By.ID, "send").text == "Versturen"
    assert browser.find_element(By.ID, "forget").text == "Mijn gegevens wissen"
    assert browser.find_element(By.ID, "privacy").text == "Uw gegevens"
    assert attr(browser, "#text", "placeholder") == box(browser)["label"] != "Votre message"
    assert attr(browser, "#log", "aria-label") == title
    shoot(browser, "page-language-nl-phone")
    # The header's button, then English: the page follows again.
    browser.find_element(By.ID, "language").click()
    press(browser, "English")
    WebDriverWait(browser, WAIT).until(lambda d: page_lang(d) == "en")
    wait_said(browser, "I'll speak English with you from now on.")
    assert browser.find_element(By.ID, "send").text == "Send"
    assert browser.find_element(By.ID, "forget").text == "Erase my data"


def test_the_widget_follows_the_language_of_the_chat(
    web: tuple[int, Path], site: Site, browser: WebDriver
) -> None:
    port, _ = web
    page = (
        "<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><title>Smes</title></head>"
        "<body><h1>Smes</h1>"
        f"<script src='http://127.0.0.1:{port}/widget.js' data-lang='fr' defer></script>"
        "</body></html>"
    )
    (site.folder / "lang.html").write_text(page, encoding="utf-8")
    browser.set_window_size(1280, 800)
    browser.get(f"http://localhost:{site.port}/lang.html")
    opener = WebDriverWait(browser, WAIT).until(lambda d: d.find_element(By.ID, "pat-chat-open"))
    french = opener.text
    opener.click()
    browser.switch_to.frame(browser.find_element(By.CSS_SELECTOR, "#pat-chat-panel iframe"))
    wait_said(browser, "Que puis-je faire pour vous ?")
    browser.find_element(By.ID, "language").click()
    press(browser, "English")
    WebDriverWait(browser, WAIT).until(lambda d: page_lang(d) == "en")
    browser.switch_to.default_content()
    WebDriverWait(browser, WAIT).until(
        lambda d: d.find_element(By.ID, "pat-chat-panel").get_attribute("lang") == "en"
    )
    panel = browser.find_element(By.ID, "pat-chat-panel")
    opener = browser.find_element(By.ID, "pat-chat-open")
    assert opener.get_attribute("lang") == "en" and opener.text != french
    assert panel.get_attribute("aria-label") == opener.text.removeprefix("💬 ")
    frame = browser.find_element(By.CSS_SELECTOR, "#pat-chat-panel iframe")
    assert frame.get_attribute("title") == panel.get_attribute("aria-label")
    close = browser.find_element(By.CSS_SELECTOR, "#pat-chat-panel > button")
    assert close.get_attribute("aria-label") == "Close the chat"
    shoot(browser, "widget-language-en-desktop")


# -- 5, 6, 8, 10: a whole request on a phone ----------------------------------------------------


def test_a_request_on_a_phone_fields_consent_one_send_and_a_reload(
    web: tuple[int, Path], browser: WebDriver
) -> None:
    port, _ = web
    browser.get(f"http://127.0.0.1:{port}/")
    wait_said(browser, "Que puis-je faire pour vous ?")
    intro = browser.find_element(By.CSS_SELECTOR, ".intro")
    assert not intro.is_displayed()  # the welcome says it: a program, not a person
    press(browser, "Une formation")
    wait_said(browser, "Vous êtes…")
    # A tap does not open the phone's keyboard: focus on the new buttons, not the text box.
    assert not box(browser)["focused"] and active_id(browser) == "BUTTON"
    press(browser, "Direction d'une organisation")
    press(browser, "Plusieurs personnes")
    wait_said(browser, "Combien de personnes environ ?")
    numbers = box(browser)
    assert numbers["inputmode"] == "numeric" and numbers["focused"]  # typing is expected
    type_text(browser, "6")
    press(browser, "Bruxelles")
    type_text(browser, "Comprendre le rôle des pair-aidant·e·s")
    wait_said(browser, "Êtes-vous d'accord pour que vos coordonnées")
    # The consent, written for this page: its cookie, a button to the notice, no Telegram.
    bubbles = said(browser)
    question = next(i for i, b in enumerate(bubbles) if b.startswith("Êtes-vous d'accord"))
    assert "RGPD, art. 9" in bubbles[question - 2] or "RGPD, art. 9" in bubbles[question - 1]
    assert "Êtes-vous d'accord" not in bubbles[question - 1]  # the question stands alone
    assert any(
        "cookie relie votre navigateur à cette conversation, jusqu'à 7 jours" in b for b in bubbles
    )
    text = " ".join(bubbles)
    assert "Telegram" not in text and "/privacy" not in text
    shoot(browser, "page-consent-phone")
    press(browser, "Vos données, en détail")
    wait_said(browser, "« Effacer mes données », en haut de ce chat")
    wait_said(browser, "par adresse IP")  # the page's limits per address
    assert "/forget" not in " ".join(said(browser)) and "Telegram" not in " ".join(said(browser))
    WebDriverWait(browser, WAIT).until(lambda d: said(d)[-1].startswith("Êtes-vous d'accord"))
    press(browser, "J'accepte")
    name = wait_box(browser, "name")
    assert name["tag"] == "input" and name["focused"]
    type_text(browser, "Ana Lima")
    assert wait_box(browser, "organization")["tag"] == "input"
    type_text(browser, "CPAS de Schaerbeek")
    assert wait_box(browser, "organization-title")["tag"] == "input"
    type_text(browser, "directrice")
    email = wait_box(browser, "email")
    assert (email["type"], email["inputmode"]) == ("email", "email")
    shoot(browser, "page-email-phone")
    type_text(browser, "ana@")  # the page does not refuse it: the bot explains
    wait_said(browser, "Exemple : prenom.nom@exemple.be")
    type_text(browser, "ana@example.be")
    phone = wait_box(browser, "tel")
    assert (phone["type"], phone["inputmode"]) == ("tel", "tel")
    press(browser, "Passer")
    wait_said(browser, "Voici votre demande. Tout est juste ?")
    # One send control: the summary's; the composer gives way.
    assert send_controls(browser, "Envoyer") == 1
    assert not browser.find_element(By.ID, "composer").is_displayed()
    # The keyboards pressed are gone, the answers shown as the person's: no pile of old buttons.
    assert keyboards(browser) == (1, 0)
    assert "Une formation" in yours(browser) and "Bruxelles" in yours(browser)
    menu = [b for b in browser.find_elements(By.CSS_SELECTOR, "#log button") if "Menu" in b.text]
    arrow = menu[0].find_element(By.CSS_SELECTOR, "span")
    assert arrow.text.strip() == "↩" and arrow.get_attribute("aria-hidden") == "true"
    shoot(browser, "page-summary-phone")
    press(browser, "Envoyer")
    wait_said(browser, "est enregistrée sous la référence R-")
    ref = re.search(r"R-\w+-\w+", said(browser)[-3] + said(browser)[-2] + " ".join(said(browser)))
    assert ref is not None
    assert box(browser)["tag"] == "textarea"  # free text again
    wait_said(browser, f"Votre demande {ref.group(0)} est bien enregistrée.")  # the notice
    # A reload: the reference and the notice, then the menu; never the welcome again.
    browser.refresh()
    wait_said(browser, f"sous la référence {ref.group(0)}")
    wait_said(browser, "Que puis-je faire pour vous ?")
    after = said(browser)
    assert not any(b.startswith("Bonjour !") for b in after)
    assert any(f"Votre demande {ref.group(0)} est bien enregistrée." in b for b in after)
    assert browser.find_element(By.CSS_SELECTOR, ".intro").is_displayed()  # no welcome above
    assert active_id(browser) == "BODY"  # a page just opened: focus is not moved for them
    shoot(browser, "page-reload-after-request-phone")
    browser.set_window_size(1280, 800)
    shoot(browser, "page-reload-after-request-desktop")


def test_a_reload_mid_request_shows_the_question_and_a_dutch_summary_has_no_french_colon(
    web: tuple[int, Path], browser: WebDriver
) -> None:
    port, _ = web
    browser.set_window_size(1280, 800)
    browser.get(f"http://127.0.0.1:{port}/")
    wait_said(browser, "Que puis-je faire pour vous ?")
    press(browser, "Autre chose / parler à une personne")
    type_text(browser, "Une question pour l'équipe")
    press(browser, "J'accepte")
    type_text(browser, "Jan Peeters")
    browser.refresh()
    wait_said(browser, "Nous reprenons là où nous en étions.")
    wait_said(browser, "Pour quelle organisation ?")
    assert box(browser)["autocomplete"] == "organization"  # the question's own text box
    assert any(b.text == "Passer" for b in browser.find_elements(By.CSS_SELECTOR, "#log button"))
    press(browser, "Passer")
    type_text(browser, "coördinator")
    type_text(browser, "jan@example.be")
    press(browser, "Passer")
    wait_said(browser, "Voici votre demande. Tout est juste ?")
    browser.find_element(By.ID, "language").click()
    press(browser, "Nederlands")
    wait_said(browser, "Hier is uw aanvraag. Klopt alles?")
    WebDriverWait(browser, WAIT).until(lambda d: page_lang(d) == "nl")
    items = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#log .msg.bot li")]
    items = items[len(items) // 2 :]  # the summary again, in Dutch
    assert any(i.startswith("Naam: Jan Peeters") for i in items), items
    assert not any(" : " in i for i in items)
    assert send_controls(browser, "Versturen") == 1
    assert keyboards(browser) == (1, 0)
    shoot(browser, "page-summary-nl-desktop")


def test_a_long_answer_opens_at_its_start(web: tuple[int, Path], browser: WebDriver) -> None:
    port, _ = web
    browser.get(f"http://127.0.0.1:{port}/")
    wait_said(browser, "Que puis-je faire pour vous ?")
    before = len(said(browser))
    browser.find_element(By.ID, "privacy").click()  # a dozen bubbles, taller than a phone
    wait_said(browser, "Autorité de protection des données")

    def first_new_at_top(d: WebDriver) -> bool:
        return bool(
            d.execute_script(
                "var log = document.getElementById('log');"
                "var m = log.querySelectorAll('.msg.bot')[arguments[0]];"
                "var top = m.getBoundingClientRect().top - log.getBoundingClientRect().top;"
                "return top >= 0 && top < 40 && log.scrollTop > 0;",
                before,
            )
        )

    WebDriverWait(browser, WAIT).until(first_new_at_top, "the long answer opened elsewhere")
    first = said(browser)[before]
    assert first.startswith("Qui est responsable de vos données ?")
    shoot(browser, "page-long-answer-phone")
    # The header takes little room on a phone: the conversation has most of the screen.
    header = browser.find_element(By.CSS_SELECTOR, ".bar").size["height"]
    log = browser.find_element(By.ID, "log").size["height"]
    screen = browser.execute_script("return window.innerHeight")
    assert header <= 0.15 * screen and log >= 0.7 * screen, (header, log, screen)
