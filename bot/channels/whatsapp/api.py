"""The WhatsApp Cloud API's ``/messages`` endpoint, with plain httpx (already a dependency).

One call per message; what Meta answers is read only for its error code. Errors are sorted
into what the channel does with them: ``Unreachable`` (the network, Meta's 5xx or 429: tried
again a few times here, then later by the caller), ``OutsideWindow`` (error 131047: the person
last wrote more than 24 hours ago, only an approved template may go), ``Refused`` (any other
refusal: not retried). Log lines carry the error code, never the number or the text.

At most ``MAX_SENDS`` calls are under way at once, no more than the connections of the pool:
a burst (a thousand people writing at once while Meta is slow) makes sends wait their turn
here, never time out waiting for a connection of our own pool, which is not Meta failing.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx

from bot.staff.handoff import Undeliverable

log = logging.getLogger(__name__)

RE_ENGAGEMENT = 131047  # Meta's code: more than 24 hours since the person's last message
_RETRY_DELAYS = (0.5, 1.0, 2.0)
MAX_SENDS = 32  # calls to Meta under way at once (the pool's connections)


class Unreachable(Exception):
    """Meta could not be reached, or asked to wait (5xx, 429): try again later."""


class Refused(Undeliverable):
    """Meta refused the message for good (a blocked number, a bad template…): no retry."""


class WhatsApp24hWindowClosed(Refused):
    """The person last wrote more than 24 hours ago: WhatsApp lets only an approved template
    through (the class name is what staff read when a relayed message could not go)."""


OutsideWindow = WhatsApp24hWindowClosed


class GraphAPI:
    """Sends messages from PAT's number (``phone_number_id``) with the app's token."""

    def __init__(
        self, base_url: str, phone_number_id: str, token: str, max_sends: int = MAX_SENDS
    ) -> None:
        self.url = f"{base_url.rstrip('/')}/{phone_number_id}/messages"
        self.client = httpx.AsyncClient(
            # No wait for a connection of the pool counts as Meta's: the semaphore holds the
            # calls beyond the pool's size.
            timeout=httpx.Timeout(10.0, pool=None),
            limits=httpx.Limits(max_connections=max_sends, max_keepalive_connections=max_sends),
            headers={"Authorization": f"Bearer {token}"},
        )
        self._turns = asyncio.Semaphore(max_sends)

    async def send(self, to: str, message: dict[str, Any]) -> None:
        """One message to the number ``to`` (digits, as WhatsApp gives them); retried on
        ``Unreachable`` a few times before it is raised."""
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
        body.update(message)
        for delay in (*_RETRY_DELAYS, None):
            try:
                return await self._post(body)
            except Unreachable as exc:
                if delay is None:
                    raise
                log.warning("WhatsApp send failed (%s); retrying in %.1fs", exc, delay)
                await asyncio.sleep(delay)

    async def _post(self, body: dict[str, Any]) -> None:
        try:
            async with self._turns:
                response = await self.client.post(self.url, json=body)
        except httpx.HTTPError as exc:
            raise Unreachable(type(exc).__name__) from None
        if response.status_code < 300:
            return
        if response.status_code >= 500 or response.status_code == 429:
            raise Unreachable(f"HTTP {response.status_code}")
        code = _error_code(response)
        if code == RE_ENGAGEMENT:
            raise OutsideWindow(f"error {code}")
        raise Refused(f"HTTP {response.status_code}, error {code}")

    async def close(self) -> None:
        await self.client.aclose()


def _error_code(response: httpx.Response) -> int | None:
    try:
        code = response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None
    return code if isinstance(code, int) else None
