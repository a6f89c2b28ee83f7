"""A real ``pat-bot web`` process for the web channel's tests, and a page on another origin.

Imported by tests/bot/conftest.py, which makes ``site`` and ``web`` fixtures of every test here.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bot.delivery.test_smtp import free_port

BIN = Path(sys.executable).parent / "pat-bot"
WAIT = 20.0


def wait_for_port(port: int) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


class Site:
    """A page on another origin (http://localhost:PORT) that embeds the widget."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(  # noqa: E731
            *a, directory=str(folder), **k
        )
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    folder = tmp_path / "site"
    folder.mkdir()
    served = Site(folder)
    yield served
    served.server.shutdown()


@pytest.fixture
def web(tmp_path: Path, site: Site) -> Iterator[tuple[int, Path]]:
    """A real pat-bot web process; yields its port and data folder."""
    with web_process(
        tmp_path / "data", PAT_WEB_ALLOWED_ORIGINS=f"http://localhost:{site.port}"
    ) as port:
        yield port, tmp_path / "data"


@contextlib.contextmanager
def web_process(data: Path, **settings: str) -> Iterator[int]:
    """A real pat-bot web process on ``data`` with these PAT_ ``settings``; yields its port."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAT_")}
    env.update(PAT_DATA_DIR=str(data), PAT_WEB_PORT=str(port), **settings)
    process = subprocess.Popen(
        [str(BIN), "web"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        wait_for_port(port)
        yield port
    finally:
        process.terminate()
        _, err = process.communicate(timeout=WAIT)
        assert process.returncode == 0, err.decode()
        assert b"Traceback" not in err, err.decode()
