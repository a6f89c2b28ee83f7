"""A local stand-in for Telegram's Bot API, served over HTTP on 127.0.0.1.

The real python-telegram-bot Application talks to it exactly as it would to Telegram (HTTP,
form-encoded parameters, JSON answers). It records every call so tests can assert on what the
bot sent, and serves queued updates to getUpdates so long polling can be tested end to end.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

BOT_USER = {
    "id": 999000,
    "is_bot": True,
    "first_name": "PAT",
    "username": "pat_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
_JSON_KEYS = {"reply_markup", "commands", "allowed_updates", "scope"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class FakeBotAPI:
    """Start with ``await api.start()``; ``api.base_url`` goes to PAT_TELEGRAM_API_URL."""

    calls: list[Call] = field(default_factory=list)
    updates: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    fail_next: int = 0  # answer the next N calls with a connection reset (network error)
    _server: asyncio.AbstractServer | None = None
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(500))
    port: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    # -- what the bot did ---------------------------------------------------------------------

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        return [c.params for c in self.calls if c.method == method]

    def texts(self) -> list[str]:
        return [p["text"] for p in self.sent()]

    def clear(self) -> None:
        self.calls.clear()

    # -- HTTP ---------------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request_line = await reader.readline()
                if not request_line:
                    break
                headers: dict[str, str] = {}
                while True:
                    line = await reader.readline()
                    if line in (b"\r\n", b"\n", b""):
                        break
                    name, _, value = line.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                if self.fail_next > 0:
                    self.fail_next -= 1
                    writer.close()
                    return
                path = request_line.decode().split(" ")[1]
                method = path.rsplit("/", 1)[-1]
                params = self._params(headers.get("content-type", ""), body)
                result = await self._answer(method, params)
                payload = json.dumps({"ok": True, "result": result}).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(payload)}\r\n\r\n".encode()
                    + payload
                )
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    @staticmethod
    def _params(content_type: str, body: bytes) -> dict[str, Any]:
        if "application/json" in content_type:
            loaded = json.loads(body or b"{}")
            return loaded if isinstance(loaded, dict) else {}
        params: dict[str, Any] = {}
        for key, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
            params[key] = json.loads(value) if key in _JSON_KEYS else value
        return params

    def _message(self, params: dict[str, Any], message_id: int | None = None) -> dict[str, Any]:
        chat_id = int(params.get("chat_id", 0))
        message: dict[str, Any] = {
            "message_id": message_id or next(self._ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": BOT_USER,
            "text": params.get("text", ""),
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    async def _answer(self, method: str, params: dict[str, Any]) -> Any:
        if method != "getUpdates":
            self.calls.append(Call(method, params))
        if method == "getMe":
            return BOT_USER
        if method == "sendMessage":
            return self._message(params)
        if method in ("editMessageText", "editMessageReplyMarkup"):
            return self._message(params, int(params.get("message_id", 1)))
        if method == "getUpdates":
            timeout = min(float(params.get("timeout", 0) or 0), 0.5)
            batch: list[dict[str, Any]] = []
            with contextlib.suppress(TimeoutError):
                batch.append(await asyncio.wait_for(self.updates.get(), timeout or 0.01))
            while not self.updates.empty():
                batch.append(self.updates.get_nowait())
            return batch
        return True


class Telegram:
    """Builds updates as Telegram sends them, for one private chat."""

    def __init__(
        self, user_id: int = 4242, first_name: str = "Ana", username: str | None = None
    ) -> None:
        self.user: dict[str, Any] = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": "fr",
        }
        if username is not None:
            self.user["username"] = username
        self.chat = {"id": user_id, "type": "private", "first_name": first_name}
        self._update_ids = itertools.count(10_000 + user_id * 1000)
        self._message_ids = itertools.count(1)

    def _update(self, **content: Any) -> dict[str, Any]:
        return {"update_id": next(self._update_ids), **content}

    def message(self, text: str | None = None, **extra: Any) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chat,
            "from": self.user,
            **extra,
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self._update(message=message)

    def edited(self, text: str) -> dict[str, Any]:
        update = self.message(text)
        update["edited_message"] = update.pop("message")
        update["edited_message"]["edit_date"] = int(time.time())
        return update

    def press(self, sent: dict[str, Any], data: str) -> dict[str, Any]:
        """A press on a button of a message the bot sent (as recorded by the stand-in)."""
        message = {
            "message_id": 777,
            "date": int(time.time()),
            "chat": self.chat,
            "from": BOT_USER,
            "text": sent.get("text", ""),
            "reply_markup": sent.get("reply_markup"),
        }
        return self._update(
            callback_query={
                "id": str(next(self._message_ids)),
                "from": self.user,
                "chat_instance": "ci",
                "message": message,
                "data": data,
            }
        )


def buttons(sent: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, callback data) of every button of a sent message."""
    markup = sent.get("reply_markup") or {}
    return [
        (b["text"], b["callback_data"]) for row in markup.get("inline_keyboard", []) for b in row
    ]


def data_for(sent: dict[str, Any], label: str) -> str:
    for text, data in buttons(sent):
        if text == label:
            return data
    raise AssertionError(f"no button {label!r} in {buttons(sent)}")
