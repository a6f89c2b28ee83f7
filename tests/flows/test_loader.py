"""Flow files are validated on load, and every problem is named by file, step and problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from flows.loader import FLOWS_DIR, FlowError, load_flows

GOOD_MAIN = """
id: main
title: "Accueil"
start: menu
steps:
  - id: menu
    kind: choice
    text: "Menu"
    options:
      - {id: a, label: "A", next: other.ask}
"""


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(FlowError) as info:
        load_flows(folder)
    return [str(p) for p in info.value.problems]


def test_the_shipped_flows_load() -> None:
    flows = load_flows(FLOWS_DIR)
    assert {"main", "faq", "training", "accompaniment", "intervision", "other", "request"} <= set(
        flows.flows
    )
    assert "main.menu" in flows.steps


def test_every_problem_is_reported_at_once_with_file_and_step(tmp_path: Path) -> None:
    write(tmp_path, "main.yml", GOOD_MAIN)
    write(
        tmp_path,
        "other.yml",
        """
id: other
title: "Autre"
start: ask
steps:
  - id: ask
    kind: input
    text: "Question ?"
    key: q
    validator: telepathy
    retry: "Encore ?"
    next: nowhere
  - id: ask
    kind: message
    text: "Doublon"
    next: ask
  - id: pick
    kind: choice
    text: "Choix"
    options:
      - {id: x, label: "X"}
  - id: odd
    kind: dance
    text: "?"
""",
    )
    found = problems_of(tmp_path)
    joined = "\n".join(found)
    assert "other.yml: step 'ask': duplicated step id" in joined
    assert "other.yml: step 'odd':" in joined and "dance" in joined
    # Only after the file itself is valid are references checked; fix the two errors above.
    write(
        tmp_path,
        "other.yml",
        """
id: other
title: "Autre"
start: ask
steps:
  - id: ask
    kind: input
    text: "Question ?"
    key: q
    validator: telepathy
    retry: "Encore ?"
    next: nowhere
  - id: pick
    kind: choice
    text: "Choix"
    options:
      - {id: x, label: "X"}
""",
    )
    joined = "\n".join(problems_of(tmp_path))
    assert "other.yml: step 'ask': next leads to unknown step 'nowhere'" in joined
    assert "other.yml: step 'ask': unknown validator 'telepathy'" in joined
    assert "other.yml: step 'pick': missing next: no 'next' for option(s) x" in joined


def test_missing_required_field_is_named(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.yml",
        GOOD_MAIN.replace('options:\n      - {id: a, label: "A", next: other.ask}', ""),
    )
    found = problems_of(tmp_path)
    assert any("main.yml: step 'menu': options" in p for p in found)


def test_a_loop_that_never_waits_is_refused(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.yml",
        """
id: main
title: "Accueil"
start: a
steps:
  - {id: a, kind: message, text: "A", next: b}
  - {id: b, kind: message, text: "B", next: a}
  - {id: menu, kind: choice, text: "M", options: [{id: x, label: "X", next: a}]}
""",
    )
    assert any("loop that never waits" in p for p in problems_of(tmp_path))


def test_yaml_syntax_error_and_duplicated_flow_id(tmp_path: Path) -> None:
    write(tmp_path, "main.yml", GOOD_MAIN.replace("next: other.ask", "next: menu"))
    write(tmp_path, "broken.yml", "id: [unclosed\n")
    write(tmp_path, "twin.yml", GOOD_MAIN.replace("next: other.ask", "next: menu"))
    found = problems_of(tmp_path)
    assert any(p.startswith("broken.yml: cannot be read as YAML") for p in found)
    assert any("twin.yml: flow id 'main' already used by main.yml" in p for p in found)


def test_conditional_next_needs_a_default(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.yml",
        """
id: main
title: "Accueil"
start: menu
steps:
  - id: menu
    kind: choice
    text: "M"
    key: k
    options: [{id: x, label: "X"}]
    next:
      - {when: {k: x}, goto: menu}
""",
    )
    assert any("needs a last branch without 'when'" in p for p in problems_of(tmp_path))


def test_option_ids_cannot_take_reserved_names(tmp_path: Path) -> None:
    write(tmp_path, "main.yml", GOOD_MAIN.replace("{id: a,", "{id: _menu,"))
    assert any("options.0.id" in p for p in problems_of(tmp_path))


def test_check_command_prints_every_problem_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "main.yml", GOOD_MAIN.replace("next: other.ask", "next: ghost"))
    write(tmp_path, "other.yml", "steps: 3\n")
    assert main(["check", "--dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "main.yml: step 'menu': option 'a' leads to unknown step 'ghost'" in err
    assert "other.yml: 'steps' must be a non-empty list" in err
    assert "2 problème(s) trouvé(s)." in err


def test_check_command_passes_on_the_shipped_flows(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    assert capsys.readouterr().out.startswith("OK : 7 parcours")
