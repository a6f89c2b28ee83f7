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
    # Starting over drops the organisation already given: asked first, as everywhere (#28).
    fresh = run_chat(data, ["1"], "--new")
    assert fresh.stdout.startswith("Abandonner votre demande ? Vos réponses seront perdues.")
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


# Runs one command and reports its peak memory (RUSAGE_CHILDREN: the command is its only child).
_PEAK = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:], check=False).returncode\n"
    "sys.stderr.write(f'\\npeak-kib={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n')\n"
    "sys.exit(code)\n"
)


def chat_and_peak(data_dir: Path, stdin: bytes) -> tuple[str, int]:
    """What `pat-bot chat` said to ``stdin``, and its peak resident memory in KiB."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAT_")}
    env["PAT_DATA_DIR"] = str(data_dir)
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, str(BIN), "chat"],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=180,  # generous: it answers within seconds; it used to take minutes
        check=False,
    )
    err = done.stderr.decode()
    assert done.returncode == 0 and "Traceback" not in err, err
    return done.stdout.decode(), int(err.rsplit("peak-kib=", 1)[1])


def test_a_64_mb_line_is_answered_at_once_and_never_held(tmp_path: Path) -> None:
    """Found by a hostile tester: a 1 MB line took 4.8 s and a 64 MB one more than a minute:
    the whole line was read, then searched for button labels, topics and offers before the
    engine found it too long. Now a line is read up to a bound, the rest dropped unread."""
    too_long = "Votre message fait 67\u202f108\u202f864 caractères"  # all of it counted
    huge = b"bonjour " * (8 * 1024 * 1024)  # 64 MiB, one line
    out, peak = chat_and_peak(tmp_path / "huge", huge + b"\n5\n")
    assert out.count(too_long) == 1
    assert "Votre message pour l'équipe PAT" in out.split(too_long)[1]  # "5" came next
    _, usual = chat_and_peak(tmp_path / "usual", b"bonjour\n5\n")
    assert peak - usual < 16 * 1024, (peak, usual)  # KiB: far less than the line


def test_leaving_a_request_asks_first_in_the_terminal(tmp_path: Path) -> None:
    """« ↩ Menu » (its number) and /menu during a request with answers ask once; « Continuer
    ma demande » shows the same question again; « Oui, abandonner » goes to the menu."""
    ask = "Abandonner votre demande ? Vos réponses seront perdues.\n"
    choices = "1) Oui, abandonner\n2) Continuer ma demande\n"
    done = run_chat(tmp_path / "data", ["3", "2", "ASBL Les Ponts", "7", "2", "/menu", "1"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.count(ask + choices) == 2  # once for « ↩ Menu », once for /menu
    resumed = "Nous reprenons là où nous en étions.\n\nDans quel secteur travaillez-vous ?"
    assert resumed in done.stdout.split(ask)[1]  # continue: the same question again
    last = done.stdout.split(ask)[-1]
    assert "C'est annulé : rien n'a été envoyé et vos réponses sont effacées." in last
    assert done.stdout.rstrip().endswith("7) 🌐 Langue · Taal · Language")  # the menu


def test_an_over_long_line_is_refused_with_its_length_in_dutch(tmp_path: Path) -> None:
    done = run_chat(tmp_path / "data", ["5", "x" * 2997, "Goedendag"], "--lang", "nl")
    assert done.returncode == 0, done.stderr
    refused = "Uw bericht telt 2.997 tekens; het maximum is 2.000. Kunt u het inkorten?\n"
    assert refused in done.stdout
    after = done.stdout.split(refused)[1]
    assert after.lstrip().startswith("Uw bericht voor het PAT-team")  # the question again
    assert "naar het PAT-team worden gestuurd?" in after  # then "Goedendag" is taken as the message


def test_danger_in_a_line_too_long_to_keep_is_still_read(tmp_path: Path) -> None:
    """The distress check comes first, even for a text too long to keep, and reads as much of
    it as of a Telegram message (4,096 characters): the terminal's bound does not cut that."""
    done = run_chat(tmp_path / "data", ["bla " * 750 + "j'ai envie de me pendre"])
    assert done.returncode == 0, done.stderr
    # The help lines at once, or the check with them (a word said again weighs once).
    assert "112" in done.stdout and "0800 32 123" in done.stdout
    assert "trop long" not in done.stdout
