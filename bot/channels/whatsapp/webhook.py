"""WhatsApp's webhook: the verification handshake, signed POSTs, and what a POST carries.

- ``GET``: Meta's handshake when the webhook is set up: ``hub.mode=subscribe``, our verify
  token (compared in constant time) → ``hub.challenge`` back; anything else 403.
- ``POST``: refused with 403 unless ``X-Hub-Signature-256`` is the HMAC-SHA256 of the raw body
  with the app secret (constant-time compare); a body over 1 MiB is not read further (413:
  Meta's own calls carry a few KiB, batches of many messages some hundreds; a signed call we
  refuse as too large would be sent again for days). Accepted, its messages are stored in the
  inbox (storage/inbox.py) and only then answered 200: Meta never sends a message again after
  a 200, so none is lost when the bot stops; the bot handles them afterwards. When they cannot
  be stored (the disk full…), 503: Meta sends the call again later.
- Only ``messages`` changes for our own number are read; statuses (sent, delivered, read) and
  reactions are ignored. A signed body is read defensively: a field of the wrong type or size
  leaves that message out (a log line without content), never the rest of the call. Log lines
  say what was refused and why, never the body.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
MAX_STAMP_DIGITS = 12  # seconds since 1970: 10 digits until the year 2286
MAX_NUMBER_DIGITS = 20  # a phone number has 15 digits at most (E.164)
READABLE = {"text", "interactive"}  # the rest (image, audio, sticker, location…) is not read
IGNORED = {"system", "request_welcome", "ephemeral", "reaction"}  # nothing to answer


@dataclass(frozen=True)
class Incoming:
    """One message of a person, as the channel needs it."""

    wa_id: str  # the person's number, digits only (WhatsApp's id of them)
    message_id: str  # "wamid.…": the same id when Meta sends it again
    timestamp: int  # when the person sent it (seconds since 1970), for the 24-hour window
    kind: str  # "text", "choice" or "other"
    text: str = ""  # the text typed, or the id of the button or row chosen


def signed(body: bytes, signature: str | None, secret: bytes) -> bool:
    """Whether ``signature`` (``sha256=<hex>``) is the body's HMAC with the app secret."""
    if not signature or not signature.startswith("sha256="):
        return False
    expected = hmac.new(secret, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.removeprefix("sha256="))


def verification(request: Request, verify_token: str) -> Response:
    """Meta's handshake: the challenge back when the token is ours."""
    query = request.query_params
    token = query.get("hub.verify_token", "")
    if query.get("hub.mode") == "subscribe" and hmac.compare_digest(
        token.encode(), verify_token.encode()
    ):
        return PlainTextResponse(query.get("hub.challenge", ""))
    log.warning("WhatsApp webhook verification refused")
    return PlainTextResponse("forbidden", status_code=403)


async def read_body(request: Request) -> bytes | None:
    """The raw body, or None when it is over ``MAX_BODY`` (never more in memory)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return None
    return body


async def receive(
    request: Request,
    secret: bytes,
    phone_number_id: str,
    keep: Callable[[list[Incoming]], Awaitable[None]],
) -> Response:
    """A POST from Meta: checked, its messages kept (``keep``: stored), then answered."""
    body = await read_body(request)
    if body is None:
        log.warning("WhatsApp webhook refused: body over %d bytes", MAX_BODY)
        return PlainTextResponse("too large", status_code=413)
    if not signed(body, request.headers.get("x-hub-signature-256"), secret):
        log.warning("WhatsApp webhook refused: bad or missing signature")
        return PlainTextResponse("forbidden", status_code=403)
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than Python reads
        log.warning("WhatsApp webhook: a signed body that is not readable JSON")
        return PlainTextResponse("ok")
    messages = parse(data, phone_number_id)
    if messages:
        try:
            await keep(messages)
        except Exception as exc:  # not stored: Meta must send them again
            log.error("WhatsApp messages not stored, Meta will retry: %s", type(exc).__name__)
            return PlainTextResponse("unavailable", status_code=503)
    return PlainTextResponse("ok")


def parse(data: Any, phone_number_id: str) -> list[Incoming]:
    """The persons' messages of a webhook body, in order (statuses and others left out)."""
    found: list[Incoming] = []
    for entry in _list(data, "entry"):
        for change in _list(entry, "changes"):
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict) or change.get("field") != "messages":
                continue
            metadata = value.get("metadata")
            if not isinstance(metadata, dict) or metadata.get("phone_number_id") != phone_number_id:
                continue
            found += [m for m in map(_message, _list(value, "messages")) if m is not None]
    return found


def _list(data: Any, key: str) -> list[Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []


def _message(raw: Any) -> Incoming | None:
    """One message, or None when it is not one to answer or not well formed (logged)."""
    try:
        message = _read(raw)
    except Exception as exc:  # whatever a signed body holds, never the rest of the call lost
        log.warning("WhatsApp message ignored: %s", type(exc).__name__)
        return None
    if message is None and isinstance(raw, dict) and raw.get("type") not in IGNORED:
        log.warning("WhatsApp message ignored: a field is missing or malformed")
    return message


def _digits(value: Any, most: int) -> str | None:
    """``value`` as ASCII digits (a string or a whole number), at most ``most`` of them."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if isinstance(text, str) and 0 < len(text) <= most and text.isascii() and text.isdigit():
        return text
    return None


def _read(raw: Any) -> Incoming | None:
    if not isinstance(raw, dict):
        return None
    kind, message_id = raw.get("type"), raw.get("id")
    wa_id = _digits(raw.get("from"), MAX_NUMBER_DIGITS)
    stamp = _digits(raw.get("timestamp"), MAX_STAMP_DIGITS)
    if not isinstance(kind, str) or kind in IGNORED:
        return None
    if wa_id is None or stamp is None or not isinstance(message_id, str) or not message_id:
        return None
    base = Incoming(wa_id, message_id[:256], int(stamp), "other")
    if kind == "text":
        content = raw.get("text")
        body = content.get("body") if isinstance(content, dict) else None
        if not isinstance(body, str):
            return None
        body = body.encode("utf-8", "replace").decode("utf-8")  # lone surrogates: stored as "?"
        return Incoming(base.wa_id, base.message_id, base.timestamp, "text", body)
    if kind == "interactive":
        return _chosen(base, raw.get("interactive"))
    return base


def _chosen(base: Incoming, interactive: Any) -> Incoming:
    """A reply button or a list row pressed: its id is our callback data."""
    if isinstance(interactive, dict):
        reply = interactive.get("button_reply") or interactive.get("list_reply")
        if isinstance(reply, dict) and isinstance(reply.get("id"), str):
            return Incoming(base.wa_id, base.message_id, base.timestamp, "choice", reply["id"])
    return base
