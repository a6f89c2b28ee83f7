"""Pictures of the e-mails PAT staff receive, one per offer, to look at before a release.

    .venv/bin/python -m tests.mail_preview mail-preview/

Four invented requests (accompaniment from Liège, training, an intervision in Dutch, an
"other" request) go through real ``pat-bot chat`` processes into an empty data folder; each
e-mail is written as ``<offer>.eml`` and its HTML part as ``<offer>.html``, then drawn to
``<offer>.png`` by Chromium (headless) when it is installed. Nothing leaves this machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

BIN = Path(sys.executable).parent / "pat-bot"
SCENARIOS: dict[str, tuple[str, list[str]]] = {
    "accompaniment": (
        "fr",
        [
            *("3", "2", "Le Méridien", "1", "Liège", "2", "2", "2", "1", "3", "9", "Passer"),
            *("1", "Anne Lemaire", "directrice", "anne.lemaire@example.be", "0470 12 34 56"),
            *("2", "1"),
        ],
    ),
    "training": (
        "fr",
        [
            *("2", "2", "2", "6", "1", "Comprendre le rôle des pair-aidant·e·s dans l'équipe."),
            *("1", "Karim Benali", "CPAS de Schaerbeek", "coordinateur", "k.benali@example.be"),
            *("Passer", "1"),
        ],
    ),
    "intervision": (
        "nl",
        [
            *("4", "1", "1", "1070", "Dinsdagnamiddag, om de twee weken."),
            *("1", "Sofie Peeters", "Huis Zonder Naam vzw", "ervaringsdeskundige"),
            *("sofie.peeters@example.be", "0485 11 22 33", "1", "1"),
        ],
    ),
    "other": (
        "fr",
        [
            *("5", "J'ai reçu votre flyer : pouvez-vous venir présenter PAT à notre équipe ?"),
            *("1", "Léa Martin", "Passer", "assistante sociale", "lea.martin@example.be"),
            *("Passer", "1"),
        ],
    ),
}


def make(offer: str, locale: str, lines: list[str], out: Path) -> Path:
    """One request through a real terminal chat; returns its .eml, copied into ``out``."""
    data = Path(tempfile.mkdtemp(prefix=f"pat-{offer}-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAT_")}
    env["PAT_DATA_DIR"] = str(data)
    subprocess.run(
        [str(BIN), "chat", "--lang", locale],
        input="\n".join(lines) + "\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    (eml,) = (data / "outbox").glob("R-*.eml")
    target = out / f"{offer}.eml"
    shutil.copyfile(eml, target)
    shutil.rmtree(data)
    return target


def html_of(eml: Path) -> str:
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    part = message.get_body(("html",))
    assert part is not None and isinstance(part, EmailMessage)
    return str(part.get_content())


def draw(html: Path, png: Path) -> bool:
    """Chromium's picture of a page (phone-wide, as staff often read mail); False without it."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        return False
    subprocess.run(
        [
            *(browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"),
            *(f"--screenshot={png}", "--window-size=480,1400", html.resolve().as_uri()),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    return png.is_file()


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    for offer, (locale, lines) in SCENARIOS.items():
        eml = make(offer, locale, lines, out)
        page = out / f"{offer}.html"
        page.write_text(html_of(eml), encoding="utf-8")
        drawn = draw(page, out / f"{offer}.png")
        print(f"{offer}: {eml}, {page}" + (f", {out / f'{offer}.png'}" if drawn else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "mail-preview")))
