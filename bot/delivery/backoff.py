"""How long to wait before trying again: the one back-off of the bot.

Doubling from ``base`` seconds after each failure, capped; the outbox (requests, digests) and
the hand-off relay both use it. ``spread`` (0 to 1) scales the wait between half and one and a
half times, so that processes that failed together do not retry together.
"""

from __future__ import annotations


def backoff(attempts: int, base: float, cap: float, spread: float = 0.5) -> float:
    """Seconds to wait after ``attempts`` failed attempts."""
    delay = min(cap, base * float(2 ** max(0, attempts - 1)))
    return delay * (0.5 + spread)
