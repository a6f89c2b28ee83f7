"""Trying the hand-off locally: a real ``pat-bot chat`` and a real ``pat-bot staff`` process on
the same data folder, talking through the relay queue."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

BIN = Path(sys.executable).parent / "pat-bot"
TIMEOUT = 30.0


class Process:
    """A pat-bot process whose output is read line by line in a thread."""

    def __init__(self, data: Path, *args: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PAT_")}
        env["PAT_DATA_DIR"] = str(data)
        self.proc = subprocess.Popen(
            [str(BIN), *args],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def expect(self, pattern: str) -> str:
        """The first new line matching ``pattern``; fails after TIMEOUT seconds."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            self.seen.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(f"no line matching {pattern!r} in {self.seen[-20:]}")

    def write(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def close(self) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        return self.proc.wait(timeout=TIMEOUT)


def test_chat_and_staff_console_talk_through_the_relay(tmp_path: Path) -> None:
    data = tmp_path / "data"
    desk = Process(data, "staff", "--name", "Anne")
    chat: Process | None = None
    try:
        desk.expect("Console de l'équipe PAT, au nom de Anne")
        deadline = time.monotonic() + TIMEOUT
        while not (data / "staff-console").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        chat = Process(data, "chat")
        chat.expect("Que puis-je faire pour vous")
        for line in ["5", "Pouvez-vous venir présenter PAT ?", "1", "Léa Martin", "Passer"]:
            chat.write(line)
        for line in ["assistante sociale", "lea.martin@example.be", "Passer"]:
            chat.write(line)
        chat.expect(r"^2\) Ici, dans ce chat$")
        chat.write("2")
        chat.expect("Contact préféré : Ici, dans ce chat")
        chat.write("1")
        ref = re.findall(r"R-\d{6}-[A-Z0-9]{4}", chat.expect("référence R-"))[0]
        desk.expect(f"Nouvelle demande {ref}")
        desk.expect(f"/reply {ref}")
        desk.write(f"/reply {ref} Bonjour Léa, ici Anne.")
        chat.expect("💬 Anne, de l'équipe PAT :")
        chat.expect("Bonjour Léa, ici Anne.")
        chat.expect(r"^1\) Terminer la conversation$")
        chat.write("Merci Anne !")
        chat.expect("C'est transmis à Anne, de l'équipe PAT")
        desk.expect(f"{ref} · la personne écrit :")
        desk.expect("^Merci Anne !$")
        chat.write("1")
        chat.expect("La conversation avec l'équipe PAT est terminée.")
        desk.expect(f"{ref} : la personne a terminé la conversation.")
        assert chat.close() == 0
        chat = None
        assert desk.close() == 0
        assert not (data / "staff-console").exists()  # no console: the chat offers e-mail only
    finally:
        for process in (desk, chat):
            if process is not None and process.proc.poll() is None:
                process.proc.kill()
