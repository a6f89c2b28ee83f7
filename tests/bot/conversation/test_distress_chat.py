"""Distress in the real terminal chat (`pat-bot chat` processes): the examples of the issue get
the right tier, a professional's question about suicide gets its answer after one question,
and no distress text is kept anywhere in the data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows import texts
from tests.bot.channels.test_terminal_process import run_chat

LINES = texts.CRISIS.split("\n")[0]
SHELTER = texts.CRISIS_SHELTER.split("\n")[0]
OTHER = texts.CRISIS_OTHER.split("\n")[0]
CHECK = "est-ce que vous êtes en danger en ce moment ?"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("j'ai envie de me pendre", LINES),
        ("je suis en train de mourir", LINES),
        ("life is not worth living", CHECK),
        ("ik zie het niet meer zitten", CHECK),
        ("I took too many pills", LINES),
        ("je n'en peux plus, je veux que tout s'arrête", CHECK),
        ("je dors dehors cette nuit", SHELTER),
        ("mon collègue m'a dit qu'il voulait se pendre", OTHER),
    ],
)
def test_each_example_of_the_issue_gets_its_tier(tmp_path: Path, typed: str, expected: str) -> None:
    done = run_chat(tmp_path / "data", [typed])
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout
    if expected == CHECK:
        assert "1) Oui, j'ai besoin d'aide maintenant" in done.stdout
        assert "112" in done.stdout.split(CHECK)[1].split("\n")[1]  # on the same screen
        assert LINES not in done.stdout  # asked first, not told
    else:
        assert "112" in done.stdout and CHECK not in done.stdout
    assert "pair-aidant" not in done.stdout.split(expected)[1]  # never a FAQ answer to despair


def test_a_training_question_about_suicide_is_answered_after_one_question(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    question = "la question du suicide est-elle abordée dans la formation ?"
    done = run_chat(data, [question, "3"])
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "3) Non, c'est une question pour mon travail" in out
    assert LINES not in out
    # Then the question about PAT's trainings is answered (what PAT offers, or how to ask).
    answer = out.split("Non, c'est une question pour mon travail")[-1]
    assert "formation" in answer
    # The typed text is kept nowhere: not in the database, its log, or any file.
    for path in data.rglob("*"):
        if path.is_file():
            assert b"suicide" not in path.read_bytes(), path


def test_yes_shows_the_help_lines_and_a_way_on(tmp_path: Path) -> None:
    done = run_chat(tmp_path / "data", ["je n'en peux plus", "oui", "1"])
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.index(CHECK) < out.index(LINES)
    assert "0800 32 123" in out and "107" in out
    assert "1) ↩ Revenir où j'étais" in out  # the person chooses to go back…
    assert out.rstrip().endswith("7) 🌐 Langue · Taal · Language")  # …to where they were


def test_sos_in_the_terminal_at_any_step_and_back_with_the_answers(tmp_path: Path) -> None:
    """A real `pat-bot chat` process: /sos (and /aide, /hulp) from the menu and from inside a
    request show the help lines; « Revenir où j'étais » asks the same question again."""
    done = run_chat(
        tmp_path / "data",
        ["/sos", "1", "2", "/aide", "1", "2", "/hulp", "1", "1"],
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.count("Besoin d'aide maintenant ? Qui appeler :") == 3
    assert "0800 99 340" in out and "070 245 245" in out and "0800 30 030" in out
    # Back each time exactly where it was: the menu, then the training's first question,
    # then the next one, with the first answer kept.
    parts = out.split("Besoin d'aide maintenant ? Qui appeler :")
    assert "Que puis-je faire pour vous ?" in parts[1]
    assert "Vous êtes…" in parts[2] and "La formation serait pour…" in parts[3]
    assert "Moi seul·e" in parts[3]
