"""Faults, bad settings and races, with real `pat-bot` processes: each ends within seconds
with one clear line, and nothing is lost, doubled or left damaged."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path

import certifi
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from storage.db import MIGRATIONS_DIR
from tests.bot.delivery.test_smtp import free_port
from tests.bot.web_server import wait_for_port

BIN = Path(sys.executable).parent / "pat-bot"
TIMEOUT = 30  # seconds: every process here ends much sooner, or the test fails

# Up to the summary of an "other" request in the terminal chat, then send it.
TO_SUMMARY = [
    "5",
    "Pouvez-vous me rappeler ?",
    "J'accepte",
    "Sam Peeters",
    "Passer",
    "coordinateur",
    "sam@example.be",
    "Passer",
]


def env_for(data: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAT_")}
    env["PAT_DATA_DIR"] = str(data)
    env.update({f"PAT_{k.upper()}": v for k, v in settings.items()})
    return env


def pat_bot(
    data: Path,
    *args: str,
    lines: list[str] | None = None,
    stdin: bytes | None = None,
    settings: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    started = time.monotonic()
    done = subprocess.run(
        [str(BIN), *args],
        input=stdin if stdin is not None else ("\n".join(lines or []) + "\n").encode(),
        capture_output=True,
        env=env_for(data, **(settings or {})),
        timeout=TIMEOUT,
        check=False,
    )
    assert time.monotonic() - started < TIMEOUT
    return done


def one_line(stderr: bytes) -> str:
    lines = [line for line in stderr.decode().splitlines() if line.strip()]
    assert len(lines) == 1, lines  # one clear line, no traceback
    assert "Traceback" not in lines[0]
    return lines[0]


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def requests_in(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT ref FROM requests ORDER BY ref")]


# -- start-up failures: one line, exit at once --------------------------------------------------


def test_a_corrupt_database_file_stops_at_once_with_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "pat.sqlite3").write_bytes(random.Random(1).randbytes(20_000))
    for command in (["chat"], ["outbox"], ["stats"]):
        done = pat_bot(data, *command)
        assert done.returncode == 1
        assert "is damaged" in one_line(done.stderr)


def test_a_data_folder_that_cannot_be_created_is_a_refused_setting(tmp_path: Path) -> None:
    """Exit 2, as for any refused setting: no restart makes a folder possible there (a hostile
    tester found /proc/nope exiting 1, which systemd restarts for ever)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for data in (blocker / "data", Path("/proc/nope")):  # inside a file; where no folder goes
        for command in ("chat", "outbox", "web"):
            done = pat_bot(data, command)
            assert done.returncode == 2, done.stderr
            line = one_line(done.stderr)
            assert line.startswith(f"pat-bot: PAT_DATA_DIR={str(data)!r} is refused: ")
            assert line.endswith("Allowed: a folder this user may write in.")
        assert not data.exists()


def modes(folder: Path) -> dict[str, str]:
    """Permission bits of a folder and of everything in it, by relative path."""
    found = {".": oct(folder.stat().st_mode & 0o777)}
    for path in folder.rglob("*"):
        found[str(path.relative_to(folder))] = oct(path.stat().st_mode & 0o777)
    return found


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The umask of `make run` in a usual shell (022), whatever the test runner's is."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.mark.usefixtures("open_umask")
def test_personal_data_is_for_the_bots_user_alone(tmp_path: Path) -> None:
    """Found by a hostile tester: under `make run` the data folder was 0755 and its files
    0644, so any local user could read names, e-mails and phones."""
    data = tmp_path / "new" / "data"
    done = pat_bot(data, "chat", lines=[*TO_SUMMARY, "Envoyer"])
    assert "référence R-" in done.stdout.decode()
    found = modes(data)
    assert {"pat.sqlite3", "outbox"} <= set(found)
    assert any(name.endswith(".eml") for name in found)
    for name, mode in found.items():
        is_folder = (data / name).is_dir()
        assert mode == ("0o700" if is_folder else "0o600"), (name, mode)
    assert modes(tmp_path / "new")["."] == "0o700"  # a parent it made too

    # A folder that was there keeps its permissions; what the bot adds is still its own.
    older = tmp_path / "older"
    older.mkdir(mode=0o750)
    (older / "notes.txt").write_text("the operator's")
    os.chmod(older / "notes.txt", 0o640)
    done = pat_bot(older, "chat", lines=[*TO_SUMMARY, "Envoyer"])
    assert "référence R-" in done.stdout.decode()
    found = modes(older)
    assert (found["."], found["notes.txt"]) == ("0o750", "0o640")
    assert (found["pat.sqlite3"], found["outbox"]) == ("0o600", "0o700")
    assert {mode for name, mode in found.items() if name.endswith(".eml")} == {"0o600"}


def test_a_read_only_data_folder_stops_at_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert pat_bot(data, "chat").returncode == 0  # a valid database first
    probe = subprocess.run(
        ["unshare", "--mount", "sh", "-c", f"mount --bind -o ro {data} {data}"],
        capture_output=True,
        check=False,
    )
    if probe.returncode != 0:
        pytest.skip("no read-only bind mount here (needs unshare and mount)")
    env = env_for(data)
    done = subprocess.run(
        ["unshare", "--mount", "sh", "-c", f'mount --bind -o ro "{data}" "{data}" && "{BIN}" chat'],
        input=b"",
        capture_output=True,
        env=env,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 1
    assert "read-only" in one_line(done.stderr) or "may write in" in one_line(done.stderr)


def test_a_full_disk_at_start_up_stops_at_once(tmp_path: Path) -> None:
    done = pat_bot(tmp_path / "data", "chat", settings={"db_max_pages": "100"})
    # 100 pages are enough to start: the limit is reached later (next test). With fewer pages
    # than the migrations need, start-up says so in one line.
    assert done.returncode == 0
    small = tmp_path / "small"
    small.mkdir()
    with sqlite3.connect(small / "pat.sqlite3") as conn:
        conn.execute("CREATE TABLE filler (x BLOB)")
        conn.execute("INSERT INTO filler VALUES (zeroblob(500000))")
    done = pat_bot(small, "chat", settings={"db_max_pages": "100"})
    assert done.returncode == 1
    assert "is full" in one_line(done.stderr)
    assert integrity(small / "pat.sqlite3") == "ok"


def test_a_full_disk_when_sending_loses_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    # A long message: the request needs new pages of its own (overflow pages), and there are none.
    long = [*TO_SUMMARY[:1], "é" * 1990, *TO_SUMMARY[2:]]
    done = pat_bot(data, "chat", lines=long)
    assert b"Voici votre demande" in done.stdout
    with sqlite3.connect(data / "pat.sqlite3") as conn:
        conn.execute("VACUUM")  # no free page left inside the file
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    done = pat_bot(data, "chat", lines=["Envoyer"], settings={"db_max_pages": str(pages)})
    assert done.returncode == 0  # the chat goes on: one kind line, then the end of input
    assert "Oups, quelque chose s'est mal passé de mon côté" in done.stdout.decode()
    assert b"Traceback" not in done.stderr
    assert b"database or disk is full" in done.stderr  # the real cause, in the log
    assert b"cannot rollback" not in done.stderr
    assert requests_in(data / "pat.sqlite3") == []
    again = pat_bot(data, "chat", lines=["Envoyer"])  # room again: the answers were kept
    assert "est enregistrée sous la référence R-" in again.stdout.decode()
    assert len(requests_in(data / "pat.sqlite3")) == 1
    assert integrity(data / "pat.sqlite3") == "ok"


def test_six_processes_starting_at_once_on_an_empty_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = env_for(data)
    processes = [
        subprocess.Popen(
            [str(BIN), "outbox"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(6)
    ]
    for process in processes:
        _out, err = process.communicate(timeout=TIMEOUT)
        assert process.returncode == 0, err
        assert b"Traceback" not in err
    with sqlite3.connect(data / "pat.sqlite3") as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM schema_migrations")]
    assert len(names) == len(set(names)) == len(list(MIGRATIONS_DIR.glob("*.sql")))
    assert integrity(data / "pat.sqlite3") == "ok"


def test_invalid_utf8_and_lone_surrogates_on_stdin(tmp_path: Path) -> None:
    stdin = b"\xff\xfe\xfd\n" + "\ud800".encode("utf-8", "surrogatepass") + b"\n/menu\n"
    done = pat_bot(tmp_path / "data", "chat", stdin=stdin)
    assert done.returncode == 0, done.stderr
    assert b"Traceback" not in done.stderr
    assert done.stdout.decode().count("Que puis-je faire pour vous ?") >= 2


# -- bad settings: exit 2 with one line ---------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "value", "said"),
    [
        ("retention_days", "-1", "from 1 to 3650"),
        ("abandoned_days", "0", "from 1 to 3650"),
        ("rate_limit_per_minute", "0", "from 1 to 1000"),
        ("max_requests_per_day", "0", "from 1 to 100"),
        ("mail_to", "not-an-email", "one e-mail address"),
        ("mail_from", "bad<<", "an address"),
        ("smtp_timeout", "-5", "above 0"),
        ("smtp_port", "abc", "a port number from 1 to 65535"),
        ("smtp_security", "maybe", "none, starttls or tls"),
        ("default_locale", "de", "one of fr, nl, en"),
        ("log_level", "LOUD", "DEBUG, INFO, WARNING or ERROR"),
        ("staff_ids", "12,abc", "Telegram user ids"),
        ("delivery_max_attempts", "0", "from 1 to 100"),
        ("telegram_webhook_port", "99999", "a port number from 1 to 65535"),
        # Found by a hostile tester (2026-12-06): these were taken as they were.
        ("smtp_host", "bad host name!", "not a host name or an IP address"),
        ("web_host", "0.0.0.0:8080", "not a host name or an IP address"),
        ("web_trusted_proxies", "foo,bar", "'foo' is not an IP address or network"),
        ("web_trusted_proxies", "*", "would believe any client's X-Forwarded-For"),
        ("mail_to", "pät@smes.be", "need SMTPUTF8, which the bot does not use"),
        ("mail_from", "Robot PAT <pät@smes.be>", "need SMTPUTF8, which the bot does not use"),
        ("smtp_ca_file", "/etc", "a folder, not a file"),
    ],
)
def test_every_bad_setting_is_named_in_one_line(
    tmp_path: Path, setting: str, value: str, said: str
) -> None:
    done = pat_bot(tmp_path / "data", "outbox", settings={setting: value})
    assert done.returncode == 2
    line = one_line(done.stderr)
    assert line.startswith(f"pat-bot: PAT_{setting.upper()}=")
    assert said in line


def test_a_data_dir_that_is_a_file_is_named(tmp_path: Path) -> None:
    afile = tmp_path / "file"
    afile.write_text("x")
    done = pat_bot(afile, "chat")
    assert done.returncode == 2
    assert (
        "PAT_DATA_DIR" in one_line(done.stderr) and "a file, not a folder" in done.stderr.decode()
    )


def test_a_ca_file_is_read_at_start_up_and_named(tmp_path: Path) -> None:
    """Found by a hostile tester: a folder was blamed on PAT_DATA_DIR, a missing file said only
    ``FileNotFoundError``, and both exited 1, so systemd restarted the bot for ever."""
    not_pem = tmp_path / "not.pem"
    not_pem.write_text("no certificate here\n")
    for value, said in [
        (str(tmp_path), "a folder, not a file"),
        (str(tmp_path / "missing.pem"), "no such file"),
        (str(not_pem), "no PEM certificate in it"),
    ]:
        for command in ("outbox", "chat"):
            done = pat_bot(tmp_path / "data", command, settings={"smtp_ca_file": value})
            assert done.returncode == 2, done.stderr
            line = one_line(done.stderr)
            assert line.startswith(f"pat-bot: PAT_SMTP_CA_FILE={value!r} is refused: {said}.")
            assert "PAT_DATA_DIR" not in line
    good = pat_bot(tmp_path / "data", "outbox", settings={"smtp_ca_file": certifi.where()})
    assert good.returncode == 0, good.stderr


# -- shutdown -------------------------------------------------------------------------------------


def test_a_client_that_never_finishes_its_body_is_one_line_at_shutdown(tmp_path: Path) -> None:
    """Found by a hostile tester: SIGTERM while a client holds a request open left a 40-line
    ``Traceback … CancelledError: Task cancelled, timeout graceful shutdown exceeded``."""
    port = free_port()
    env = env_for(tmp_path / "data", web_port=str(port))
    web = subprocess.Popen([str(BIN), "web"], env=env, stderr=subprocess.PIPE)
    try:
        wait_for_port(port)
        host = f"127.0.0.1:{port}"
        stuck = socket.create_connection(("127.0.0.1", port))
        stuck.sendall(
            f"POST /api/event HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\n"
            f"Cookie: __Host-pat_session={'s' * 32}\r\nContent-Type: application/json\r\n"
            'Content-Length: 100\r\n\r\n{"t":'.encode()  # and never the rest
        )
        half = socket.create_connection(("127.0.0.1", port))
        half.sendall(f"GET / HTTP/1.1\r\nHost: {host}\r\n".encode())  # headers never end
        time.sleep(0.5)  # the first request is now waiting for its body
        web.send_signal(signal.SIGTERM)
        _, err = web.communicate(timeout=TIMEOUT)
        stuck.close()
        half.close()
    finally:
        if web.returncode is None:
            web.kill()
            web.wait()
    log = err.decode()
    assert web.returncode == 0, log
    assert "Traceback" not in log and "CancelledError" not in log, log
    assert "a web connection still open at shutdown was cut off" in log
    assert len(log.splitlines()) <= 5, log  # start-up lines, uvicorn's "Cancel 1 task", ours


# -- races: never sent twice --------------------------------------------------------------------


class SlowSink:
    """An SMTP server that takes its time before accepting each message."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.message_ids: list[str] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        await asyncio.sleep(self.seconds)
        content = envelope.original_content or b""
        mail = message_from_bytes(content, policy=policy.default)
        self.message_ids.append(str(mail["Message-ID"]))
        return "250 OK"


def test_outbox_retry_all_racing_a_slow_server_sends_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    port = free_port()
    sink = SlowSink(3.0)
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        smtp = {"smtp_host": "127.0.0.1", "smtp_port": str(port), "smtp_security": "none"}
        # A request stored while the server is down (the chat ends before the worker sends).
        down = {**smtp, "smtp_port": str(free_port())}  # nothing listens there
        stored = pat_bot(data, "chat", lines=[*TO_SUMMARY, "Envoyer"], settings=down)
        assert "référence R-" in stored.stdout.decode()
        env = env_for(data, **smtp)
        first = subprocess.Popen(
            [str(BIN), "outbox", "retry", "--all"], env=env, stdout=subprocess.PIPE
        )
        time.sleep(1.0)  # the first is now waiting for the slow server
        second = pat_bot(data, "outbox", "retry", "--all", settings=smtp)
        out, _ = first.communicate(timeout=TIMEOUT)
    finally:
        controller.stop()
    assert b"le robot en marche l'envoie en ce moment" in second.stdout
    assert " : envoyée à l'équipe".encode() in out
    assert len(sink.message_ids) == 1  # one e-mail, not two
    assert integrity(data / "pat.sqlite3") == "ok"


def test_killed_at_random_points_after_send_loses_and_doubles_nothing(tmp_path: Path) -> None:
    """Reference shown ⇔ request stored; every stored request is delivered exactly once."""
    rng = random.Random(7)
    for round_ in range(6):
        data = tmp_path / f"data{round_}"
        pat_bot(data, "chat", lines=TO_SUMMARY)
        process = subprocess.Popen(
            [str(BIN), "chat"],
            env=env_for(data),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert process.stdin is not None
        process.stdin.write(b"Envoyer\n")
        process.stdin.flush()
        time.sleep(rng.uniform(0.3, 2.0))
        process.send_signal(signal.SIGKILL)
        out, _ = process.communicate(timeout=TIMEOUT)
        shown = "référence R-" in out.decode(errors="replace")
        stored = requests_in(data / "pat.sqlite3")
        if shown:
            assert len(stored) == 1
        assert integrity(data / "pat.sqlite3") == "ok"
        pat_bot(data, "outbox", "retry", "--all")  # delivers whatever was stored, once
        emls = list((data / "outbox").glob("*.eml"))
        assert sorted(e.stem for e in emls) == stored  # exactly one e-mail per request
        if stored and not shown:  # killed between the commit and the answer: told later
            later = pat_bot(data, "chat").stdout.decode()
            assert f"Votre demande {stored[0]} est bien enregistrée." in later
