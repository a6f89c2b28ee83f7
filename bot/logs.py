"""Logging set-up that keeps personal data and secrets out of the logs.

python-telegram-bot logs every Bot API call with its parameters (message texts: names,
e-mails…) at DEBUG, and httpx logs request URLs (which contain the bot token) at INFO. Those
loggers are capped at WARNING whatever the level asked for; our own modules log ids, counts and
error types only.
"""

from __future__ import annotations

import logging
import sys

NOISY_LOGGERS = ("telegram", "httpx", "httpcore", "hpack", "apscheduler", "tornado", "aiosqlite")


def quiet_third_party_loggers() -> None:
    for name in NOISY_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    quiet_third_party_loggers()
