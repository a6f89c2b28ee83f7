"""What both benchmarked bots share: an in-process Bot API and simulated people.

``InMemoryBotAPI`` is a python-telegram-bot request class that answers as Telegram would,
without any socket, so the figures are bot-side time only. ``Person`` plays the scenario the
way a person on a phone does: it reads the keyboards the bot sent and presses buttons by their
label, or types.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from telegram.request import BaseRequest, RequestData

BOT_USER = {
    "id": 999000,
    "is_bot": True,
    "first_name": "PAT",
    "username": "pat_bench_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}

# A full request: the menu, one FAQ answer, an offer, consent, contact details, summary, send.
SCENARIO: list[tuple[str, str]] = [
    ("type", "/start"),
    ("press", "Questions sur la pair-aidance"),
    ("press", "Et s'il ou elle rechute ?"),
    ("press", "Contacter PAT à ce sujet"),
    ("press", "Une formation"),
    ("press", "Une équipe"),
    ("type", "8"),
    ("press", "Bruxelles"),
    ("type", "Comprendre le rétablissement"),
    ("press", "J'accepte"),
    # A first name (until the ninth session « Personne {n} »: « personne » is also "nobody",
    # and the round-6 model read « Personne 14 » and « Personne 19 » as possible danger, an
    # age beside "nobody": the check, not the next question).
    ("type", "Camille {n}"),
    ("press", "Passer"),
    ("type", "infirmière"),
    ("type", "camille{n}@example.be"),
    ("press", "Passer"),
    ("press", "Envoyer"),
]


_TRUE = b'{"ok":true,"result":true}'
_TRUE_ENDPOINTS = frozenset({"answerCallbackQuery", "sendChatAction", "setMyCommands"})


class InMemoryBotAPI(BaseRequest):
    """Answers Bot API calls in process and keeps, per chat, the last keyboard sent."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self.keyboards: dict[int, dict[str, Any]] = {}
        self.last_text: dict[int, str] = {}
        self.sent = 0
        self.first_sent_at: float | None = None

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def _message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params.get("chat_id", 0))
        message: dict[str, Any] = {
            "message_id": int(params.get("message_id") or next(self._ids)),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
            "text": str(params.get("text", "")),
        }
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        if markup:
            message["reply_markup"] = markup
        return message

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        if endpoint in _TRUE_ENDPOINTS:  # the stand-in's own time is not the bot's: keep it small
            return 200, _TRUE
        params: dict[str, Any] = dict(request_data.parameters) if request_data else {}
        result: Any = True
        if endpoint == "getMe":
            result = BOT_USER
        elif endpoint == "sendMessage":
            result = self._message(params)
            chat = result["chat"]["id"]
            self.sent += 1
            if self.first_sent_at is None:
                self.first_sent_at = time.perf_counter()
            self.last_text[chat] = result["text"]
            if "reply_markup" in result:
                self.keyboards[chat] = result
        elif endpoint in ("editMessageText", "editMessageReplyMarkup"):
            result = self._message(params)
        return 200, json.dumps({"ok": True, "result": result}).encode()


_update_ids = itertools.count(1)


@dataclass
class Person:
    """One simulated person in a private chat."""

    n: int
    message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def user(self) -> dict[str, Any]:
        return {
            "id": 10_000 + self.n,
            "is_bot": False,
            "first_name": f"P{self.n}",
            "language_code": "fr",
        }

    def update(self, step: tuple[str, str], api: InMemoryBotAPI) -> dict[str, Any]:
        kind, value = step
        value = value.format(n=self.n)
        chat = {"id": self.user["id"], "type": "private", "first_name": self.user["first_name"]}
        if kind == "press":
            sent = api.keyboards.get(self.user["id"])
            if sent is None:
                raise RuntimeError(f"person {self.n}: no keyboard to press {value!r}")
            buttons = {
                b["text"]: b["callback_data"]
                for row in sent["reply_markup"]["inline_keyboard"]
                for b in row
            }
            data = buttons.get(value) or next(
                (d for t, d in buttons.items() if t.endswith(value)), None
            )
            if data is None:
                raise RuntimeError(f"person {self.n}: no button {value!r} in {list(buttons)}")
            return {
                "update_id": next(_update_ids),
                "callback_query": {
                    "id": str(next(self.message_ids)),
                    "from": self.user,
                    "chat_instance": "c",
                    "data": data,
                    "message": {**sent, "chat": chat},
                },
            }
        message: dict[str, Any] = {
            "message_id": next(self.message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": self.user,
            "text": value,
        }
        if value.startswith("/"):
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(value.split()[0])}
            ]
        return {"update_id": next(_update_ids), "message": message}
