"""What the outbox needs of a way to reach PAT: a ``Deliverer``.

The outbox (bot/delivery/outbox.py) owns the leases, the retries and telling the person; a
deliverer only hands one request, or one weekly digest, to PAT and raises when it could not.
Today PAT reads e-mail (``EmailDelivery`` in bot/delivery/transports.py: SMTP, or ``.eml`` files
in a folder); a ticketing system would be one more class with these three methods.
"""

from __future__ import annotations

from typing import Protocol

from storage.models import RequestPayload


class Deliverer(Protocol):
    # True when a request only reaches a folder on this machine (someone must read it): the
    # person is told it was filed, not that PAT received it.
    filed: bool

    async def deliver(self, payload: RequestPayload) -> None:
        """Hand one request to PAT; raises on failure (the outbox retries)."""

    async def deliver_digest(self, week: str, message: bytes) -> None:
        """Hand the weekly digest (composed by bot/staff/digest.py) to PAT; raises on failure."""

    async def forget(self, ref: str) -> None:
        """Erase any copy of a request kept on this machine (erasure, retention)."""

    async def ask_to_delete(self, ref: str, text: str) -> None:
        """Ask PAT to delete their copy of a request its person erased while it was being
        sent (``text``: the staff's words, its first line a title); raises on failure."""
