"""Crash points (#25): a real `pat-bot` process is killed (SIGKILL) just before each call that
writes, syncs, truncates, renames, unlinks or sends during a submission, a /forget and a
delivery; the bot is started again, and what the person was shown, what PAT received and what
the data folder holds must still agree:

- submission: every reference shown to the person is stored and delivered exactly once (one
  `.eml`, written again only when the kill fell after it was in place, as a lost OK);
- /forget: once the bot has started again (and the person, when they were not told it was done,
  has asked again), no byte of their name, organisation, e-mail, phone or messages is left
  anywhere in the data folder: the database and its -wal and -shm, `.eml` files, temporary
  files;
- delivery: a pending request ends up delivered, in exactly one `.eml`;
- in all three: no temporary file holds personal data, and the database passes
  `PRAGMA integrity_check`.

How: tests/crash/killshim.c, preloaded into `pat-bot`, numbers those calls across all threads
and kills the process just before call number KILL_AT. A first run of each operation counts its
calls; then every call of the operation is a crash point, each in its own copy of a data folder
prepared once, several processes at a time. The calls of start-up (before the bot's first
message) are sampled, every tenth. The terminal summary gives, per scenario, the points tried,
the failures by invariant and the time taken; a failure names the first call numbers, what was
found, and how to replay one with KILL_AT.
"""

from __future__ import annotations

import os
import quopri
import re
import resource
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from flows import texts
from tests.bot.delivery.test_smtp import free_port

BIN = Path(sys.executable).parent / "pat-bot"
TIMEOUT = 60  # seconds: a process that takes longer is a failure of its point, not a wait
WORKERS = min(4, (os.cpu_count() or 1) + 1)  # points at once: their processes are CPU-bound
STARTUP_EVERY = 10  # one start-up call in ten is a crash point; every call of the operation is

REF = re.compile(r"R-\d{6}-[A-Z2-9]{4}")
RESTART = ["chat", "--lang", "fr"]  # the same person (one per data folder) opens the chat again

# The person: distinctive strings, so that any byte of them left in the data folder is found.
NAME = "Zorglub Quimper"
ORGANISATION = "ASBL Vertigoplex"
EMAIL = "zorglub.forget@example.org"
PHONE = "0470 99 88 77"
FIRST_MESSAGE = "Le xylophone bleu cherche une formation"
SECOND_MESSAGE = "Un pamplemousse violet voudrait un rappel"
PERSONAL = (
    "zorglub",
    "quimper",
    "vertigoplex",
    "forget@example",
    "xylophone bleu",
    "pamplemousse violet",
    # The phone as typed, as the bot formats it, and in the other ways it could be written.
    "0470 99 88 77",
    "+32 470 99 88 77",
    "+32470998877",
    "0032470998877",
    "0470998877",
    "470 99 88 77",
    "470998877",
    "99 88 77",
    "998877",
)


def request_lines(message: str, contact_by: str) -> list[str]:
    """From the menu to the summary of an "other" request (the summary's buttons not pressed)."""
    return [
        "Autre chose / parler à une personne",
        message,
        "J'accepte",
        NAME,
        ORGANISATION,
        "coordinateur",
        EMAIL,
        PHONE,
        contact_by,
    ]


# -- running pat-bot under the kill library ------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One call the kill library numbered: "<n> <function> <fd> <file>" in KILL_LOG."""

    number: int
    function: str
    fd: int
    target: str

    def kind(self, data: Path) -> str:
        """The call without what differs from run to run (folder, reference, pipe numbers)."""
        target = self.target.replace(str(data), "DATA")
        target = re.sub(r"(pipe|socket):\[\d+\]", r"\1", REF.sub("REF", target))
        return f"{self.function} {target}"

    def describe(self, data: Path) -> str:
        named = {1: "stdout", 2: "stderr"}.get(self.fd)
        where = named or self.target.replace(f"{data}/", "").replace(str(data), "the data folder")
        return f"{self.function} {where}"


@dataclass
class Done:
    """One `pat-bot` process: its status, what it printed, and the calls it made."""

    returncode: int
    stdout: str
    stderr: str
    calls: list[Call]

    @property
    def killed(self) -> bool:
        return self.returncode == -9


class PatBot:
    """Runs `pat-bot` with the kill library preloaded, on a data folder."""

    def __init__(self, shim: Path, pycache: Path) -> None:
        self.shim = shim
        self.sample: Path | None = None  # a data folder with one request delivered (warm_up)
        self.base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PAT_", "KILL_")) and k != "LD_PRELOAD"
        }
        # Compiled modules in a folder of this run, written by `warm_up` and only read after:
        # writing a .pyc would shift the numbering of the calls between two runs.
        self.base["PYTHONPYCACHEPREFIX"] = str(pycache)
        # Output to a pipe, as for any script: written once per answer. (PYTHONUNBUFFERED would
        # write each line apart: more points, and no other state of the data folder.)
        self.base.pop("PYTHONUNBUFFERED", None)

    def warm_up(self, folder: Path) -> None:
        """A request sent, delivered, then erased: every module these tests need compiled."""
        writing = dict(self.base)
        self.base.pop("PYTHONDONTWRITEBYTECODE", None)
        data = folder / "data"
        lines = [*request_lines(FIRST_MESSAGE, "Par e-mail"), "Envoyer"]
        sent = self.run(data, ["chat", "--new", "--lang", "fr"], lines, folder / "1.log")
        self.sample = shutil.copytree(data, folder / "sample")
        erased = self.run(data, RESTART, ["/forget", "1"], folder / "2.log")
        assert sent.returncode == erased.returncode == 0, sent.stderr + erased.stderr
        self.base = dict(writing, PYTHONDONTWRITEBYTECODE="1")

    def run(
        self,
        data: Path,
        args: Sequence[str],
        lines: Sequence[str],
        log: Path,
        *,
        kill_at: int | None = None,
        settings: dict[str, str] | None = None,
    ) -> Done:
        env = dict(self.base, PAT_DATA_DIR=str(data), LD_PRELOAD=str(self.shim), KILL_LOG=str(log))
        env.update({f"PAT_{k.upper()}": v for k, v in (settings or {}).items()})
        if kill_at is not None:
            env["KILL_AT"] = str(kill_at)
        log.unlink(missing_ok=True)
        try:
            done = subprocess.run(
                [str(BIN), *args],
                input="".join(f"{line}\n" for line in lines),
                capture_output=True,
                text=True,
                env=env,
                timeout=TIMEOUT,
                check=False,
            )
            code, out, err = done.returncode, done.stdout, done.stderr
        except subprocess.TimeoutExpired as exc:
            code, out, err = -1, _text(exc.stdout), _text(exc.stderr) + "\n(did not end)"
        return Done(code, out, err, read_calls(log))


def _text(output: bytes | str | None) -> str:
    return output.decode(errors="replace") if isinstance(output, bytes) else output or ""


def read_calls(log: Path) -> list[Call]:
    calls = []
    for line in log.read_text(errors="replace").splitlines() if log.exists() else []:
        parts = line.split(" ", 3)
        if len(parts) >= 3 and parts[0].isdigit():
            calls.append(Call(int(parts[0]), parts[1], int(parts[2]), "".join(parts[3:])))
    return calls


def operation_start(calls: list[Call]) -> int:
    """The number of the first call after the bot's first message (its greeting, or the
    question it resumes at): the calls before it are start-up."""
    printed = False
    for call in calls:
        if call.function == "write" and call.fd == 1:
            printed = True
        elif printed:
            return call.number
    raise AssertionError("the bot printed nothing, or nothing after its first message")


# -- what the data folder holds -----------------------------------------------------------------


def integrity(data: Path) -> str:
    try:
        with closing(sqlite3.connect(data / "pat.sqlite3")) as conn:
            return "; ".join(str(r[0]) for r in conn.execute("PRAGMA integrity_check"))
    except sqlite3.DatabaseError as exc:  # not even readable as a database
        return f"{type(exc).__name__}: {exc}"


def requests(data: Path) -> dict[str, str]:
    """Reference → status of every request in the database."""
    with closing(sqlite3.connect(data / "pat.sqlite3")) as conn:
        return dict(conn.execute("SELECT ref, status FROM requests"))


def eml_files(data: Path) -> dict[str, list[str]]:
    """Reference (X-PAT-Reference) → names of the `.eml` files in the outbox that carry it."""
    found: dict[str, list[str]] = {}
    for path in sorted((data / "outbox").glob("*.eml")):
        mail = message_from_bytes(path.read_bytes(), policy=policy.default)
        found.setdefault(str(mail["X-PAT-Reference"]), []).append(path.name)
    return found


def personal_bytes(path: Path) -> list[str]:
    """The personal strings in a file: in its bytes, or once quoted-printable is decoded."""
    raw = path.read_bytes()
    readings = (raw.lower(), quopri.decodestring(raw).lower())
    return [s for s in PERSONAL if any(s.encode() in reading for reading in readings)]


def personal_files(data: Path) -> dict[str, list[str]]:
    """Every file of the data folder that holds a byte of the person → what it holds."""
    return {
        str(path.relative_to(data)): found
        for path in sorted(p for p in data.rglob("*") if p.is_file())
        if (found := personal_bytes(path))
    }


def personal_rows(data: Path) -> list[str]:
    """Rows of any table that still name the person (what the file's bytes could split)."""
    left = []
    with closing(sqlite3.connect(data / "pat.sqlite3")) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                text = " ".join(str(value) for value in row).lower()
                if found := [s for s in PERSONAL if s in text]:
                    left.append(f"table {table} holds {found}")
    return left


def temporary_with_personal_data(data: Path) -> list[str]:
    return [
        f"{path.relative_to(data)} holds {found}"
        for path in sorted(data.rglob("*.tmp"))
        if (found := personal_bytes(path))
    ]


class Stopwatch:
    """Wall time, and the processor time of the processes run meanwhile (what two idle cores
    would need: the machine may be busy with other work)."""

    def __init__(self) -> None:
        self.wall = time.monotonic()
        self.cpu = self._children()

    @staticmethod
    def _children() -> float:
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        return used.ru_utime + used.ru_stime

    def __str__(self) -> str:
        wall, cpu = time.monotonic() - self.wall, self._children() - self.cpu
        return f"{wall:.0f} s ({cpu:.0f} s of processor time in pat-bot processes)"


# -- one crash point ----------------------------------------------------------------------------


@dataclass
class Point:
    number: int  # the call the process was killed before
    data: Path  # its copy of the prepared folder (kept when it failed)
    killed: Done
    expected: Call | None  # that call in the counting run
    problems: dict[str, str] = field(default_factory=dict)  # invariant → what was found
    rewrites: int = 0  # `.eml` written again by the restart after a kill once it was in place

    def call(self) -> Call | None:
        """The call the process was killed before, from its own log."""
        calls = [c for c in self.killed.calls if c.number == self.number]
        return calls[0] if calls else None

    def drifted(self, counting: Path) -> bool:
        """Killed before another call than the one counted under that number."""
        call = self.call()
        return (
            call is not None
            and self.expected is not None
            and call.kind(self.data) != self.expected.kind(counting)
        )

    def describe(self) -> str:
        call = self.call()
        return call.describe(self.data) if call is not None else "(not reached)"


Check = Callable[[Path, Done, Point], None]


@dataclass
class Scenario:
    """An operation run on a copy of ``prepared``, killed at each point, then checked."""

    name: str
    bot: PatBot
    prepared: Path
    work: Path
    args: list[str]
    lines: list[str]
    check: Check  # runs what follows the kill (a restart…), fills the point's problems
    after: str = "start the bot again (pat-bot chat --lang fr < /dev/null)"  # what `check` runs

    def count(self) -> tuple[Path, Done]:
        """The operation once, to the end, counting its calls."""
        data = self.work / "counting"
        shutil.copytree(self.prepared, data)
        return data, self.bot.run(data, self.args, self.lines, self.work / "counting.log")

    def point(self, number: int, counted: list[Call]) -> Point:
        data = self.work / f"at-{number}"
        shutil.copytree(self.prepared, data)
        log = self.work / f"at-{number}.log"
        killed = self.bot.run(data, self.args, self.lines, log, kill_at=number)
        expected = counted[number - 1] if number <= len(counted) else None
        point = Point(number, data, killed, expected)
        if killed.returncode not in (-9, 0):
            point.problems["killed run"] = f"ended with {killed.returncode}: {killed.stderr[-300:]}"
        try:
            self.check(data, killed, point)
        except Exception as exc:  # a folder the checks cannot even read is a failure of its point
            point.problems["readable after the restart"] = f"{type(exc).__name__}: {exc}"
        if not point.problems:
            shutil.rmtree(data)
            log.unlink(missing_ok=True)
        return point

    def run_points(self, counted: list[Call]) -> tuple[list[Point], int]:
        start = operation_start(counted)
        numbers = [*range(1, start, STARTUP_EVERY), *range(start, len(counted) + 1)]
        with ThreadPoolExecutor(WORKERS) as pool:
            points = list(pool.map(lambda n: self.point(n, counted), numbers))
        return points, start

    def report(
        self, points: list[Point], start: int, counted: list[Call], took: Stopwatch, out: list[str]
    ) -> None:
        """One summary line, then fail with the first failing points."""
        inside = len(counted) - start + 1
        failed = [p for p in points if p.problems]
        by_invariant = Counter(name for p in points for name in p.problems)
        drift = sum(1 for p in points if p.drifted(self.work / "counting"))
        line = (
            f"{self.name}: {len(points)} points tried ({inside} calls inside the operation, "
            f"{len(points) - inside} of {start - 1} start-up calls sampled) in {took}, "
            f"{WORKERS} at a time; {len(failed)} failed"
        )
        if by_invariant:
            line += " (" + ", ".join(f"{name}: {n}" for name, n in by_invariant.items()) + ")"
        not_reached = sum(1 for p in points if not p.killed.killed)
        rewrites = sum(p.rewrites for p in points)
        extras = [
            f"{not_reached} not reached (the process ended first)" if not_reached else "",
            f"{drift} killed at another call than counted" if drift else "",
            f"{rewrites} .eml written again after a kill once it was in place" if rewrites else "",
        ]
        out.append("; ".join([line, *[e for e in extras if e]]))
        if failed:
            details = "\n".join(
                f"  KILL_AT={p.number} (before {p.describe()}): "
                + "; ".join(f"{name}: {found}" for name, found in p.problems.items())
                for p in failed[:5]
            )
            typed = " ".join(shlex.quote(line) for line in self.lines)
            replay = (
                f"cp -r {self.prepared} /tmp/at-n && printf '%s\\n' {typed} | "
                f"env -u PYTHONUNBUFFERED PYTHONDONTWRITEBYTECODE=1 LD_PRELOAD={self.bot.shim} "
                f"KILL_AT=<n> PAT_DATA_DIR=/tmp/at-n pat-bot {' '.join(self.args)}; then "
                f"{self.after} (the library: gcc -shared -fPIC -o killshim.so "
                f"tests/crash/killshim.c; this run's folders: {self.work}/at-<n>)"
            )
            pytest.fail(
                f"{self.name}: {len(failed)} of {len(points)} crash points broke an invariant, "
                f"killed before calls {spans([p.number for p in failed])}; the first "
                f"{min(5, len(failed))}:\n{details}\nreplay one: {replay}",
                pytrace=False,
            )


def spans(numbers: list[int]) -> str:
    """1, 2, 3, 7 → "1–3, 7"."""
    out: list[list[int]] = []
    for n in sorted(numbers):
        if out and n == out[-1][-1] + 1:
            out[-1].append(n)
        else:
            out.append([n])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in out)


# -- the checks after a kill ---------------------------------------------------------------------


def check_delivered_once(data: Path, runs: list[Done], point: Point) -> None:
    """Every reference shown or stored is stored, delivered, in one `.eml` file, written a
    second time only when the kill fell after the first one was in place."""
    killed = runs[0]
    stored = requests(data)
    files = eml_files(data)
    shown = set(REF.findall(killed.stdout))
    for ref in sorted(shown | set(stored)):
        renames = [
            (i, c)
            for i, run in enumerate(runs)
            for c in run.calls
            if c.function == "rename" and f"{ref}.eml" in c.target
        ]
        if ref not in stored:
            point.problems["shown reference stored"] = f"{ref} shown, not in the database"
            continue
        if stored[ref] != "delivered":
            point.problems["delivered"] = f"{ref} is {stored[ref]} after the restart"
        if files.get(ref, []) != [f"{ref}.eml"]:
            point.problems["one .eml per reference"] = f"{ref}: {files.get(ref, [])}"
        before_kill = any(i == 0 for i, _ in renames)
        if len(renames) > 2 or (len(renames) == 2 and not before_kill):
            point.problems["sent twice only after a lost OK"] = (
                f"{ref} written {len(renames)} times"
            )
        elif len(renames) == 2:
            point.rewrites += 1
    check_common(data, point)


def check_common(data: Path, point: Point) -> None:
    if left := temporary_with_personal_data(data):
        point.problems["no .tmp with personal data"] = "; ".join(left)
    if (found := integrity(data)) != "ok":
        point.problems["integrity_check"] = found


def restart_and_check_delivery(bot: PatBot, work: Path) -> Check:
    def check(data: Path, killed: Done, point: Point) -> None:
        restart = bot.run(data, RESTART, [], work / f"at-{point.number}.restart.log")
        if restart.returncode != 0:
            point.problems["restart"] = f"ended with {restart.returncode}: {restart.stderr[-300:]}"
        check_delivered_once(data, [killed, restart], point)

    return check


def restart_and_check_forget(bot: PatBot, work: Path) -> Check:
    def check(data: Path, killed: Done, point: Point) -> None:
        # The bot starts again. A person who was not told that all is erased comes back and
        # asks again: in that same process, after its start-up work (one process less).
        told = texts.FORGOTTEN in killed.stdout
        again = [] if told else ["/forget", "1"]
        restart = bot.run(data, RESTART, again, work / f"at-{point.number}.restart.log")
        if restart.returncode != 0:
            point.problems["restart"] = f"ended with {restart.returncode}: {restart.stderr[-300:]}"
        elif not told and texts.FORGOTTEN not in restart.stdout:
            point.problems["told it is done"] = "a second /forget did not say so"
        if left := personal_files(data):  # bytes first: opening the database may change them
            point.problems["no personal byte left"] = "; ".join(
                f"{name} holds {found}" for name, found in left.items()
            )
        if rows := personal_rows(data):
            point.problems["no personal row left"] = "; ".join(rows)
        check_common(data, point)

    return check


# -- the scenarios ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bot(killshim: Path, tmp_path_factory: pytest.TempPathFactory) -> PatBot:
    bot = PatBot(killshim, tmp_path_factory.mktemp("pycache"))
    bot.warm_up(tmp_path_factory.mktemp("warm-up"))
    return bot


def smtp_down() -> dict[str, str]:
    """Settings whose delivery fails at once: nothing listens on that port of 127.0.0.1."""
    return {"smtp_host": "127.0.0.1", "smtp_port": str(free_port()), "smtp_security": "none"}


def crash_points(
    scenario: Scenario, counting: Done, landmark: str, took: Stopwatch, report: list[str]
) -> None:
    """Kill the operation at each of its calls (``landmark``, a call it must make, proves the
    counted window holds it), then report and fail on the first broken invariants."""
    start = operation_start(counting.calls)
    inside = [f"{c.function} {c.target}" for c in counting.calls[start - 1 :]]
    assert any(re.search(landmark, call) for call in inside), (landmark, inside)
    points, start = scenario.run_points(counting.calls)
    scenario.report(points, start, counting.calls, took, report)


def test_submission(bot: PatBot, tmp_path: Path, crash_report: list[str]) -> None:
    took = Stopwatch()
    prepared, work = tmp_path / "prepared", tmp_path / "points"
    work.mkdir()
    # Set-up, once: the person's request up to its summary. The operation: "Envoyer".
    setup = bot.run(
        prepared,
        ["chat", "--new", "--lang", "fr"],
        request_lines(FIRST_MESSAGE, "Par e-mail"),
        tmp_path / "setup.log",
    )
    assert "Voici votre demande. Tout est juste ?" in setup.stdout, setup.stdout[-500:]
    check = restart_and_check_delivery(bot, work)
    scenario = Scenario("submission", bot, prepared, work, RESTART, ["Envoyer"], check)
    data, counting = scenario.count()
    refs = set(REF.findall(counting.stdout))
    assert len(refs) == 1, counting.stdout[-500:]
    assert eml_files(data) == {ref: [f"{ref}.eml"] for ref in refs}
    crash_points(scenario, counting, r"^rename .*\.eml\.tmp$", took, crash_report)


def test_forget(bot: PatBot, tmp_path: Path, crash_report: list[str]) -> None:
    took = Stopwatch()
    prepared, work = tmp_path / "prepared", tmp_path / "points"
    work.mkdir()
    # Set-up, once: a first request, delivered (an .eml in the outbox); a second one waiting,
    # its server down, to be tried again in an hour or so (not during the test).
    first = bot.run(
        prepared,
        ["chat", "--new", "--lang", "fr"],
        [*request_lines(FIRST_MESSAGE, "Par e-mail"), "Envoyer"],
        tmp_path / "setup1.log",
    )
    second = bot.run(
        prepared,
        RESTART,
        [*request_lines(SECOND_MESSAGE, "Par téléphone"), "Envoyer"],
        tmp_path / "setup2.log",
        settings={**smtp_down(), "delivery_base_delay": "86400"},
    )
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert sorted(requests(prepared).values()) == ["delivered", "pending"]
    held = personal_files(prepared)  # what the search finds before the erasure
    assert {*PERSONAL[:6], "+32 470 99 88 77"} <= set(held["pat.sqlite3"]), held
    [eml] = [name for name in held if name.endswith(".eml")]
    assert {"zorglub", "quimper", "forget@example", "+32470998877"} <= set(held[eml]), held
    # The operation: /forget, and the button that confirms.
    check = restart_and_check_forget(bot, work)
    after = (
        "start the bot again: printf '/forget\\n1\\n' | pat-bot chat --lang fr when the killed "
        "run did not say all was erased, else pat-bot chat --lang fr < /dev/null"
    )
    scenario = Scenario("/forget", bot, prepared, work, RESTART, ["/forget", "1"], check, after)
    data, counting = scenario.count()
    assert "1) Oui, tout effacer" in counting.stdout and texts.FORGOTTEN in counting.stdout
    assert personal_files(data) == {}, "a /forget without a crash leaves personal data"
    crash_points(scenario, counting, r"^unlink .*/outbox/R-.*\.eml$", took, crash_report)


def test_delivery(bot: PatBot, tmp_path: Path, crash_report: list[str]) -> None:
    took = Stopwatch()
    prepared, work = tmp_path / "prepared", tmp_path / "points"
    work.mkdir()
    # Set-up, once: a request whose delivery failed (its server down), due again at once.
    setup = bot.run(
        prepared,
        ["chat", "--new", "--lang", "fr"],
        [*request_lines(FIRST_MESSAGE, "Par e-mail"), "Envoyer"],
        tmp_path / "setup.log",
        settings={**smtp_down(), "delivery_base_delay": "0", "delivery_max_attempts": "100"},
    )
    assert setup.returncode == 0, setup.stderr
    assert list(requests(prepared).values()) == ["pending"] and eml_files(prepared) == {}
    # The operation: the background worker of the next bot delivers it, into the .eml folder.
    check = restart_and_check_delivery(bot, work)
    scenario = Scenario("delivery", bot, prepared, work, RESTART, [], check)
    data, counting = scenario.count()
    assert list(requests(data).values()) == ["delivered"] and len(eml_files(data)) == 1
    crash_points(scenario, counting, r"^rename .*\.eml\.tmp$", took, crash_report)


def test_the_checks_see_what_they_look_for(bot: PatBot, tmp_path: Path) -> None:
    """A point passes only when its checks looked: on a folder with one delivered request they
    find a reference shown but not stored, a missing `.eml`, a second delivery that no lost OK
    explains, the person in the database's rows, an e-mail address cut by quoted-printable in a
    temporary file, and a damaged database."""
    assert bot.sample is not None
    data = shutil.copytree(bot.sample, tmp_path / "data")
    [ref] = requests(data)

    def problems(*runs: Done) -> dict[str, str]:
        point = Point(1, data, runs[0], None)
        check_delivered_once(data, list(runs), point)
        return point.problems

    rename = Call(7, "rename", -1, f"{data}/outbox/.{ref}.eml.tmp")
    assert problems(Done(-9, f"référence {ref}.", "", []), Done(0, "", "", [rename])) == {}
    assert problems(Done(-9, "", "", [rename]), Done(0, "", "", [rename])) == {}  # a lost OK
    twice = problems(Done(-9, "", "", []), Done(0, "", "", [rename, rename]))
    assert twice == {"sent twice only after a lost OK": f"{ref} written 2 times"}
    assert problems(Done(-9, "… R-991231-ZZZZ …", "", [])) == {
        "shown reference stored": "R-991231-ZZZZ shown, not in the database"
    }
    assert personal_rows(data) and "pat.sqlite3" in personal_files(data)
    (data / "outbox" / f"{ref}.eml").rename(data / "outbox" / f".{ref}.eml.tmp")
    found = problems(Done(-9, "", "", []))
    assert found.keys() == {"one .eml per reference", "no .tmp with personal data"}, found
    assert found["one .eml per reference"] == f"{ref}: []"
    assert found["no .tmp with personal data"].startswith(f"outbox/.{ref}.eml.tmp holds ['zorg")
    (data / "outbox" / f".{ref}.eml.tmp").write_bytes(b"Reply-To: <zz.forget@exa=\nmple.org>\n")
    assert temporary_with_personal_data(data) == [f"outbox/.{ref}.eml.tmp holds ['forget@example']"]
    assert integrity(data) == "ok"
    with (data / "pat.sqlite3").open("r+b") as db:
        db.seek(4096 + 8)  # inside the second page, after its header
        db.write(b"\xff" * 64)
    assert integrity(data) != "ok"
