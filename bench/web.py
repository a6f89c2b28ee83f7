"""Speed and memory of the web channel: a real ``pat-bot web`` process, WebSocket clients.

    .venv/bin/python bench/web.py [--people 200] [--think 2.0]

Simulated people each open the page's WebSocket (their own session) and play a full request
(welcome, one FAQ answer, the "other" offer, consent, contact details, summary, send: 13
messages) — the scenario of bench/run.py, on the web. Two phases, as there:

1. saturation: all people at once, as fast as the bot answers -> messages per second;
2. paced: each pausing 0 to 2x``--think`` seconds between messages -> round-trip latency per
   message as the browser sees it (p50, p99), and the server's peak memory.

The client is a small asyncio WebSocket client on wsproto (a dependency of the bot already), so
that measuring needs no other library. The last line is machine-readable:
web_msgs_per_s=<x> web_p50_ms=<y> web_p99_ms=<z> web_rss_mb=<w>
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Message, Request, TextMessage

BIN = Path(sys.executable).parent / "pat-bot"
# (what to do, the button's label or the text): the same request as bench/run.py's people.
SCENARIO = [
    ("start", ""),
    ("button", "Questions sur la pair-aidance"),
    ("button", "Et s'il ou elle rechute ?"),
    ("text", "/menu"),
    ("button", "Autre chose / parler à une personne"),
    ("text", "Pouvez-vous présenter PAT à notre équipe ?"),
    ("button", "J'accepte"),
    ("text", "Camille Test"),
    ("text", "Passer"),
    ("text", "coordinatrice"),
    ("text", "camille@example.be"),
    ("text", "Passer"),
    ("button", "Envoyer"),
]


class Client:
    """One browser tab's WebSocket, just enough of it."""

    def __init__(self, port: int, sid: str) -> None:
        self.port, self.sid = port, sid
        # Each person from their own address (any 127.x.y.z is this machine), as people are:
        # the bot's limit per address is not what is measured.
        self.address = (
            f"127.{random.randrange(1, 255)}.{random.randrange(256)}.{random.randrange(1, 255)}"
        )
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.inbox: asyncio.Queue[str] = asyncio.Queue()
        self.parts: list[str] = []

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(
            "127.0.0.1", self.port, local_addr=(self.address, 0)
        )
        origin = f"http://127.0.0.1:{self.port}"
        request = Request(
            host=f"127.0.0.1:{self.port}",
            target="/ws?lang=fr",
            extra_headers=[
                (b"cookie", f"__Host-pat_session={self.sid}".encode()),
                (b"origin", origin.encode()),
            ],
        )
        self.writer.write(self.ws.send(request))
        await self.writer.drain()
        while True:
            self.ws.receive_data(await self.reader.read(65536))
            if any(isinstance(e, AcceptConnection) for e in self.ws.events()):
                return

    async def ask(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        self.writer.write(self.ws.send(Message(data=json.dumps(event))))
        await self.writer.drain()
        while True:
            for e in self.ws.events():
                if isinstance(e, TextMessage):
                    self.parts.append(e.data)
                    if e.message_finished:
                        text, self.parts = "".join(self.parts), []
                        answer = json.loads(text)
                        if answer["t"] == "say":  # not a notice the outbox pushed meanwhile
                            messages: list[dict[str, Any]] = answer["messages"]
                            return messages
            data = await self.reader.read(65536)
            if not data:
                raise ConnectionError("closed")
            self.ws.receive_data(data)

    def close(self) -> None:
        self.writer.close()


def button_data(messages: list[dict[str, Any]], label: str) -> str:
    for message in reversed(messages):
        for button in message["buttons"]:
            if button["label"] == label:
                return str(button["data"])
    raise LookupError(f"{label!r} not in {[b['label'] for m in messages for b in m['buttons']]}")


async def person(port: int, think: float, latencies: list[float]) -> None:
    client = Client(port, secrets.token_urlsafe(24))
    await client.open()
    last: list[dict[str, Any]] = []
    for kind, what in SCENARIO:
        if think:
            await asyncio.sleep(random.uniform(0, 2 * think))
        if kind == "start":
            event: dict[str, Any] = {"t": "start"}
        elif kind == "button":
            event = {"t": "button", "data": button_data(last, what)}
        else:
            event = {"t": "text", "text": what}
        began = time.perf_counter()
        last = await client.ask(event)
        latencies.append(time.perf_counter() - began)
    assert "référence R-" in " ".join(m["text"] for m in last), last[-1]["text"]
    client.close()


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def measure(people: int, think: float) -> dict[str, float]:
    """Run a pat-bot web process and the two phases; figures in a dict."""
    with tempfile.TemporaryDirectory(prefix="pat-web-bench-") as folder:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PAT_")}
        env.update(
            PAT_DATA_DIR=folder,
            PAT_WEB_PORT=str(port),
            PAT_MAX_REQUESTS_PER_DAY="100",
            PAT_RATE_LIMIT_PER_MINUTE="1000",
            PAT_LOG_LEVEL="WARNING",
        )
        server = await asyncio.create_subprocess_exec(
            str(BIN), "web", env=env, stderr=subprocess.DEVNULL
        )
        try:
            for _ in range(200):
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        break
                await asyncio.sleep(0.05)
            fast: list[float] = []
            began = time.perf_counter()
            await asyncio.gather(*(person(port, 0.0, fast) for _ in range(people)))
            rate = len(fast) / (time.perf_counter() - began)
            paced: list[float] = []
            await asyncio.gather(*(person(port, think, paced) for _ in range(people)))
            return {
                "web_msgs_per_s": rate,
                "web_p50_ms": percentile(paced, 50) * 1000,
                "web_p99_ms": percentile(paced, 99) * 1000,
                "web_rss_mb": peak_rss_mb(server.pid),
            }
        finally:
            server.terminate()
            await asyncio.wait_for(server.wait(), 30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--think", type=float, default=2.0)
    args = parser.parse_args()
    figures = asyncio.run(measure(args.people, args.think))
    print(f"web channel, {args.people} people, {len(SCENARIO)} messages each:")
    print(f"  saturation: {figures['web_msgs_per_s']:.0f} messages/s")
    print(
        f"  paced: round trip p50 {figures['web_p50_ms']:.1f} ms, "
        f"p99 {figures['web_p99_ms']:.1f} ms; server peak memory {figures['web_rss_mb']:.0f} MB"
    )
    print(" ".join(f"{k}={v:.1f}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
