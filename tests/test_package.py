"""The built wheel, installed into a fresh virtual environment, works from any folder.

It carries its languages (the catalogs are package data), its flows, lexicons and migrations.
The test has no network beyond 127.0.0.1: the wheel is built from a copy of the sources with the
build backend of this environment (``--no-build-isolation``), installed with ``--no-deps``, and
the fresh environment borrows this one's dependencies through a ``.pth`` line. Only the
project's own files come from the wheel, which is what this test is about.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.helpers import REPO_ROOT

SOURCES = ["bot", "flows", "storage", "locales", "pyproject.toml", "README.md"]
TIMEOUT = 120


def run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,  # the chat ends at once, after its welcome
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel installed; returns its bin folder."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "src"
    source.mkdir()
    for name in SOURCES:
        path = REPO_ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, source / name)
    dist = root / "dist"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    run(*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", dist, source, cwd=root)
    (wheel,) = dist.glob("pat_bot-*.whl")
    venv = root / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=root)
    python = venv / "bin" / "python"
    run(*pip, "--python", python, "install", "--no-deps", wheel, cwd=root)
    fresh_site = run(
        python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=root
    )
    Path(fresh_site.strip(), "dependencies.pth").write_text(
        sysconfig.get_path("purelib") + "\n", encoding="utf-8"
    )
    return venv / "bin"


def env_for(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAT_")}
    env.pop("PYTHONPATH", None)
    env.update({"PAT_DATA_DIR": str(tmp / "data"), **extra})
    return env


def test_the_wheel_carries_every_data_file(installed: Path, tmp_path: Path) -> None:
    code = (
        "import bot, flows, storage, locales\n"
        "from bot.channels.web.pages import SCRIPTS\n"
        "from importlib.resources import files\n"
        "print(bot.__file__)\n"
        "for lang in ('fr', 'nl', 'en'):\n"
        "    print(files('locales').joinpath(lang, 'LC_MESSAGES', 'messages.po').is_file())\n"
        "print(len(list(files('storage').joinpath('migrations').iterdir())) > 5)\n"
        "print(files('flows').joinpath('lexicon', 'nl.yml').is_file())\n"
        "for name in ('index.html', 'chat.css', 'widget.js', *SCRIPTS):\n"
        "    print(files('bot.channels').joinpath('webui', name).is_file())\n"
    )
    lines = run(installed / "python", "-c", code, cwd=tmp_path, env=env_for(tmp_path)).split()
    assert Path(lines[0]).is_relative_to(installed.parent)  # the wheel's copy, not the sources
    assert lines[1:] == ["True"] * 13  # 3 catalogs, migrations, lexicon, 8 files of the page


@pytest.mark.parametrize(
    ("lang", "welcome"),
    [
        ("nl", "Hallo! Ik ben de onthaalrobot van PAT"),
        ("en", "Hello! I'm the chatbot of PAT"),
        ("fr", "Bonjour ! Je suis le robot d'accueil de PAT"),
    ],
)
def test_installed_bot_speaks_each_language_from_another_folder(
    installed: Path, tmp_path: Path, lang: str, welcome: str
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = run(
        installed / "pat-bot", "chat", "--lang", lang, "--new", cwd=elsewhere, env=env_for(tmp_path)
    )
    assert out.startswith(welcome)


def test_installed_bot_checks_its_flows(installed: Path, tmp_path: Path) -> None:
    out = run(installed / "pat-bot", "check", cwd=tmp_path, env=env_for(tmp_path))
    assert out.startswith("OK : ") and "parcours" in out


def test_a_missing_catalog_stops_start_up_in_one_line(installed: Path, tmp_path: Path) -> None:
    only_french = tmp_path / "catalogs"
    shutil.copytree(REPO_ROOT / "locales" / "fr", only_french / "fr")
    done = subprocess.run(
        [str(installed / "pat-bot"), "chat"],
        cwd=tmp_path,
        env=env_for(tmp_path, PAT_LOCALES_DIR=str(only_french)),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert "the nl catalog is missing" in line and "PAT_LOCALES_DIR" in line


def pins(lock: Path) -> dict[str, Version]:
    found: dict[str, Version] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith((" ", "#")):
            name, version = line.split(" ")[0].split("==")
            found[canonicalize_name(name)] = Version(version)
    return found


@pytest.mark.parametrize(
    ("lock", "extra"), [("requirements.lock", None), ("requirements-dev.lock", "dev")]
)
def test_the_lock_files_pin_every_dependency_within_its_range(lock: str, extra: str | None) -> None:
    """After a change to pyproject.toml's dependencies, `make lock` must be run."""
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [Requirement(r) for r in project["dependencies"]]
    if extra:
        wanted += [Requirement(r) for r in project["optional-dependencies"][extra]]
    pinned = pins(REPO_ROOT / lock)
    for requirement in wanted:
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{name} is not in {lock}: run `make lock`"
        assert pinned[name] in requirement.specifier, f"{name} {pinned[name]} in {lock}"
    lines = (REPO_ROOT / lock).read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if "==" in line and not line.startswith((" ", "#")):
            assert "--hash=sha256:" in lines[number + 1], line  # pip --require-hashes


def stages(dockerfile: str) -> dict[str, list[str]]:
    """The Dockerfile's instructions by stage (the last stage is called "final")."""
    found: dict[str, list[str]] = {}
    current: list[str] = []
    joined = dockerfile.replace("\\\n", " ")
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("FROM "):
            words = line.split()
            current = found.setdefault(words[3] if len(words) > 3 else "final", [])
        current.append(line)
    return found


def test_the_dockerfile_pins_its_base_and_installs_the_lock_before_the_sources() -> None:
    dockerfile = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim@sha256:[0-9a-f]{64}$", dockerfile, re.M)
    by_stage = stages(dockerfile)
    assert set(by_stage) == {"dependencies", "wheel", "final"}
    assert all(lines[0].startswith("FROM ${PYTHON_IMAGE}") for lines in by_stage.values())
    dependencies = " ".join(by_stage["dependencies"])
    assert "--require-hashes" in dependencies and "requirements.lock" in dependencies
    assert "COPY bot" not in dependencies  # the sources never invalidate this stage
    wheel = by_stage["wheel"]
    lock_at = next(i for i, line in enumerate(wheel) if "requirements-build.lock" in line)
    sources_at = next(i for i, line in enumerate(wheel) if line.startswith("COPY bot"))
    assert lock_at < sources_at
    final = " ".join(by_stage["final"])
    assert "COPY --from=dependencies /opt/venv /opt/venv" in final
    assert final.index("--from=dependencies") < final.index("from=wheel")
    assert "COPY bot" not in final and "COPY . " not in final  # no sources in the image
    for needed in ("USER pat", "STOPSIGNAL SIGTERM", "HEALTHCHECK", 'CMD ["pat-bot", "run"]'):
        assert needed in final


def test_compose_runs_the_bot_with_its_volume_and_env_file() -> None:
    compose = yaml.safe_load((REPO_ROOT / "compose.yaml").read_text(encoding="utf-8"))
    bot = compose["services"]["bot"]
    assert bot["build"] == "." and bot["env_file"] == ".env"
    assert bot["volumes"] == ["pat-data:/data"] and "pat-data" in compose["volumes"]
    assert bot["restart"] == "unless-stopped"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_the_systemd_unit_is_valid(installed: Path, tmp_path: Path) -> None:
    unit = (REPO_ROOT / "pat-bot.service").read_text(encoding="utf-8")
    assert "ExecStart=/opt/pat-bot/bin/pat-bot run" in unit  # as the README installs it
    assert "RestartPreventExitStatus=2" in unit  # a refused setting is not restarted forever
    here = unit.replace("/opt/pat-bot/bin/pat-bot", str(installed / "pat-bot")).replace(
        "EnvironmentFile=/etc/", "EnvironmentFile=-/etc/"
    )
    (tmp_path / "pat-bot.service").write_text(here, encoding="utf-8")
    done = subprocess.run(
        ["systemd-analyze", "verify", str(tmp_path / "pat-bot.service")],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0 and "pat-bot.service" not in done.stderr, done.stderr
