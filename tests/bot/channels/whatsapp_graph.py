"""A Graph API stand-in on 127.0.0.1 that records what the bot sends to WhatsApp, a real
``pat-bot web`` process with the WhatsApp settings, and a person who writes to it: signed
webhook calls, as Meta makes them."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import http.server
import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.bot.delivery.test_smtp import free_port
from tests.bot.web_server import BIN, WAIT, wait_for_port

SECRET = "app-secret-for-tests"
VERIFY = "verify-token-for-tests"
TOKEN = "EAAG-test-token"
NUMBER_ID = "1098765432"


class Graph:
    """Meta's Graph API as far as the bot uses it: POST /<number id>/messages. ``refuse``: the
    numbers to answer with an error code (131047: outside the 24-hour window); ``delay``:
    seconds each call takes (Meta on a slow day), then it is recorded."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.auth: list[str] = []
        self.refuse: dict[str, int] = {}
        self.delay = 0.0
        self.busy = self.most = 0  # calls under way now, and at most
        self.lock = threading.Lock()
        graph = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                with graph.lock:
                    graph.busy += 1
                    graph.most = max(graph.most, graph.busy)
                time.sleep(graph.delay)
                with graph.lock:
                    graph.busy -= 1
                code = graph.refuse.get(body.get("to", ""))
                with graph.lock:
                    graph.auth.append(self.headers.get("authorization", ""))
                    if code is None and self.path == f"/v21.0/{NUMBER_ID}/messages":
                        graph.sent.append(body)
                answer: dict[str, Any] = {"messages": [{"id": f"wamid.out{len(graph.sent)}"}]}
                status = 200
                if code is not None:
                    answer, status = {"error": {"code": code, "message": "refused"}}, 400
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.socket.listen(1024)  # a burst of connections waits, is not refused
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v21.0"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def to(self, wa_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return [m for m in self.sent if m["to"] == wa_id]


@dataclass
class Bot:
    """The running process: its port, data folder and (after it ends) its log."""

    port: int
    data: Path
    graph: Graph
    process: subprocess.Popen[bytes]
    log: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/whatsapp/webhook"


@contextlib.contextmanager
def whatsapp_bot(data: Path, graph: Graph, **settings: str) -> Iterator[Bot]:
    """A real ``pat-bot web`` with WhatsApp set up, talking to ``graph``."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAT_")}
    env.update(
        PAT_DATA_DIR=str(data),
        PAT_WEB_PORT=str(port),
        PAT_WHATSAPP_TOKEN=TOKEN,
        PAT_WHATSAPP_PHONE_NUMBER_ID=NUMBER_ID,
        PAT_WHATSAPP_APP_SECRET=SECRET,
        PAT_WHATSAPP_VERIFY_TOKEN=VERIFY,
        PAT_WHATSAPP_API_URL=graph.url,
        PAT_RATE_LIMIT_PER_MINUTE="1000",
        **settings,
    )
    process = subprocess.Popen(
        [str(BIN), "web"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    bot = Bot(port, data, graph, process)
    try:
        wait_for_port(port)
        yield bot
    finally:
        process.terminate()
        _, err = process.communicate(timeout=WAIT)
        bot.log[:] = err.decode().splitlines()
        killed = process.returncode == -9  # the test killed it: its log is what it wrote
        assert process.returncode == 0 or killed, err.decode()
        assert "Traceback" not in err.decode(), err.decode()


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(bot: Bot, payload: dict[str, Any], signature: str | None = None) -> httpx.Response:
    body = json.dumps(payload).encode()
    headers = {"content-type": "application/json"}
    headers["x-hub-signature-256"] = signature if signature is not None else sign(body)
    return httpx.post(bot.url, content=body, headers=headers, timeout=WAIT)


def webhook(*messages: dict[str, Any], number_id: str = NUMBER_ID) -> dict[str, Any]:
    """A webhook body as Meta sends it, with these messages."""
    froms = {m["from"] for m in messages}
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "3225551234", "phone_number_id": number_id},
        "contacts": [{"profile": {"name": "Ana"}, "wa_id": w} for w in sorted(froms)],
        "messages": list(messages),
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": value}]}],
    }


_count = iter(range(1, 1_000_000))


class Person:
    """Someone writing to PAT's number; ``ago``: their messages are that many seconds old."""

    def __init__(self, bot: Bot, wa_id: str, ago: float = 0.0) -> None:
        self.bot = bot
        self.wa_id = wa_id
        self.ago = ago
        self.seen = 0  # messages of the bot already read

    def message(self, kind: str, **content: Any) -> dict[str, Any]:
        stamp = str(int(time.time() - self.ago))
        wamid = f"wamid.{self.wa_id}.{next(_count)}"
        return {"from": self.wa_id, "id": wamid, "timestamp": stamp, "type": kind, **content}

    def send(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        """Post one message; what the bot answered (once it stops answering)."""
        response = post(self.bot, webhook(message))
        assert response.status_code == 200, response.text
        return self.answers()

    def answers(self, at_least: int = 1) -> list[dict[str, Any]]:
        """The bot's new messages: waits for ``at_least``, then for a quiet moment."""
        deadline = time.monotonic() + WAIT
        count = -1
        while time.monotonic() < deadline:
            now = len(self.bot.graph.to(self.wa_id))
            if now - self.seen >= at_least and now == count:
                break
            count = now
            time.sleep(0.3)
        new = self.bot.graph.to(self.wa_id)[self.seen :]
        self.seen += len(new)
        assert len(new) >= at_least, f"the bot did not answer ({len(new)} messages)"
        return new

    def says(self, text: str) -> list[dict[str, Any]]:
        return self.send(self.message("text", text={"body": text}))

    def press(self, label: str, answers: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Press the button or list row whose label (title or description) starts with
        ``label`` among the bot's last ``answers``."""
        kind, reply_id = find_choice(answers, label)
        chosen = {"type": kind, kind: {"id": reply_id, "title": label[:20]}}
        return self.send(self.message("interactive", interactive=chosen))


def choices(message: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(kind, id, label) of an interactive message's buttons or rows."""
    if message.get("type") != "interactive":
        return []
    inner = message["interactive"]
    if inner["type"] == "button":
        return [
            ("button_reply", b["reply"]["id"], b["reply"]["title"])
            for b in inner["action"]["buttons"]
        ]
    rows = [r for s in inner["action"]["sections"] for r in s["rows"]]
    return [("list_reply", r["id"], r.get("description", r["title"])) for r in rows]


def find_choice(answers: list[dict[str, Any]], label: str) -> tuple[str, str]:
    for message in reversed(answers):
        for kind, reply_id, shown in choices(message):
            if shown.startswith(label):
                return kind, reply_id
    raise AssertionError(f"no choice {label!r} in {[choices(m) for m in answers]}")


def texts_of(answers: list[dict[str, Any]]) -> str:
    """Every text the bot sent, one after the other."""
    out = []
    for message in answers:
        if message["type"] == "text":
            out.append(message["text"]["body"])
        elif message["type"] == "interactive":
            out.append(message["interactive"]["body"]["text"])
        elif message["type"] == "template":
            out.append(f"[template {message['template']['name']}]")
    return "\n".join(out)
