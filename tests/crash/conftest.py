"""Fixtures of the crash-point tests: the kill library built with gcc, and the summary of each
scenario (points tried, failures, time) printed at the end of the run, also without ``-s``."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SHIM_SOURCE = Path(__file__).resolve().parent / "killshim.c"
_REPORT = pytest.StashKey[list[str]]()


@pytest.fixture(scope="session")
def killshim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/crash/killshim.c compiled into a shared library, once per run."""
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.fail(
            "the crash-point tests need gcc to build tests/crash/killshim.c "
            "(Debian: apt-get install gcc)",
            pytrace=False,
        )
    out = tmp_path_factory.mktemp("killshim") / "killshim.so"
    flags = ["-O2", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC"]
    built = subprocess.run(
        [gcc, *flags, "-o", str(out), str(SHIM_SOURCE), "-ldl"],
        capture_output=True,
        text=True,
        check=False,
    )
    if built.returncode != 0:
        pytest.fail(f"gcc could not build {SHIM_SOURCE}:\n{built.stderr}", pytrace=False)
    return out


@pytest.fixture(scope="session")
def crash_report(request: pytest.FixtureRequest) -> list[str]:
    """Lines for the "crash points" section of the terminal summary."""
    return request.config.stash.setdefault(_REPORT, [])


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    lines = config.stash.get(_REPORT, [])
    if lines:
        terminalreporter.section("crash points")
        for line in lines:
            terminalreporter.write_line(line)
