"""`pat-bot chat` as a real process: the terminal contract that scripts rely on."""

from __future__ import annotations

import os
import subprocess
import sys
from email import message_from_bytes, policy
from pathlib import Path

BIN = Path(sys.executable).parent / "pat-bot"


def run_chat(data_dir: Path, lines: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAT_")}
    env["PAT_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [str(BIN), "chat", *args],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_full_request_in_the_terminal_writes_an_eml(tmp_path: Path) -> None:
    data = tmp_path / "data"
    lines = [
        "2",
        "1",
        "1",
        "Bruxelles",
        "Comprendre le rétablissement",
        "J'accepte",
        "Sam Peeters",
        "Passer",
        "pair-aidant",
        "sam@example.be",
        "Passer",
        "Envoyer",
    ]
    done = run_chat(data, lines)
    assert done.returncode == 0, done.stderr
    assert "Que puis-je faire pour vous ?\n1) Questions sur la pair-aidance\n" in done.stdout
    assert "est enregistrée sous la référence R-" in done.stdout
    emls = list((data / "outbox").glob("*.eml"))
    assert len(emls) == 1
    mail = message_from_bytes(emls[0].read_bytes(), policy=policy.default)
    assert str(mail["Subject"]).startswith("[PAT][FR] Formation · Bruxelles · Sam Peeters · #R-")
    assert "sam@example.be" not in done.stderr  # nothing personal in logs


def test_resume_after_the_process_ends_mid_conversation(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = run_chat(data, ["3", "2", "ASBL Les Ponts"])
    assert first.returncode == 0, first.stderr
    assert first.stdout.rstrip().endswith("7) ↩ Menu")  # waiting at the sector question
    second = run_chat(data, [])
    assert second.returncode == 0, second.stderr
    assert "Nous reprenons là où nous en étions.\n\nDans quel secteur travaillez-vous ?" in (
        second.stdout
    )
    fresh = run_chat(data, [], "--new")
    assert "Bonjour ! Je suis le robot d'accueil de PAT" in fresh.stdout


def test_end_of_input_at_once_exits_cleanly(tmp_path: Path) -> None:
    done = run_chat(tmp_path / "data", [])
    assert done.returncode == 0
    assert done.stdout.startswith("Bonjour !")


def test_prompt_is_shown_when_stdin_is_a_terminal(tmp_path: Path) -> None:
    import pty

    primary, secondary = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAT_")}
    env["PAT_DATA_DIR"] = str(tmp_path / "data")
    proc = subprocess.Popen(
        [str(BIN), "chat"], stdin=secondary, stdout=subprocess.PIPE, env=env, text=True
    )
    os.close(secondary)
    try:
        os.write(primary, b"1\n\x04")  # one answer, then Ctrl-D (end of input)
        out, _ = proc.communicate(timeout=60)
    finally:
        os.close(primary)
    assert proc.returncode == 0
    assert "\n> Quelle est votre question ?" in out


def test_lang_option_speaks_dutch_and_switches_a_resumed_conversation(tmp_path: Path) -> None:
    data = tmp_path / "data"
    done = run_chat(data, ["3", "2"], "--lang", "nl")
    assert done.returncode == 0
    assert "Wat kan ik voor u doen?\n1) Vragen over ervaringsdeskundigheid\n" in done.stdout
    assert done.stdout.rstrip().endswith("Hoe heet uw organisatie?\n[↩ Menu]")
    again = run_chat(data, [], "--lang", "en")
    assert "Done: I'll speak English with you from now on." in again.stdout
    assert "What is your organisation's name?" in again.stdout
