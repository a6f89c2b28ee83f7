"""Logging set-up that keeps personal data and secrets out of the logs.

python-telegram-bot logs every Bot API call with its parameters (message texts: names,
e-mails…) at DEBUG, and httpx logs request URLs (which contain the bot token) at INFO. Those
loggers are capped at WARNING whatever the level asked for; our own modules log ids, counts and
error types only.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys

NOISY_LOGGERS = (
    "telegram",
    "httpx",
    "httpcore",
    "hpack",
    "apscheduler",
    "tornado",
    "aiosqlite",
    "aiosmtplib",
)


def quiet_third_party_loggers() -> None:
    for name in NOISY_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A phone number starts with 0, + or 00 (Belgian and international forms) and has at least 8
# more digits; a reference (R-261201-7KQ3) or a time (2026-12-01T07:06:12) does not.
_PHONE = re.compile(r"(?<![\w+])(?:\+|0)\d(?:[ ./-]?\d){7,}(?![\w])")


class RedactingFilter(logging.Filter):
    """A safety net: e-mail addresses and phone-like numbers never reach a log line, even if
    a future change logs a message by mistake. (Names cannot be recognised by a pattern: the
    code never logs message texts, and tests check it.)"""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _PHONE.sub("[phone]", _EMAIL.sub("[email]", message))
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class CutAtShutdown(logging.Filter):
    """One line, not a traceback, for a web request cut off at shutdown.

    Five seconds into a shutdown (``timeout_graceful_shutdown`` of the web channel) uvicorn
    cancels what still runs, e.g. a request whose client never finishes its body, and logs
    each on ``uvicorn.error`` as "Exception in ASGI application" with a 40-line traceback of
    ``CancelledError``. That is the timeout doing its job, not a fault: the record becomes
    one warning line. Any other exception keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, asyncio.CancelledError):
            record.msg = "a web connection still open at shutdown was cut off (%s)"
            record.args = (str(exc) or "cancelled",)
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def _add_filter_once(logger: logging.Logger, made: logging.Filter) -> None:
    if not any(type(f) is type(made) for f in logger.filters):
        logger.addFilter(made)


def configure_logging(level: str, stream: object = None) -> logging.Handler:
    """Log to stderr (or ``stream``) with personal-data redaction and quiet dependencies."""
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level.upper())
    quiet_third_party_loggers()
    # uvicorn's logger is configured (handlers, level) by uvicorn itself when the web channel
    # starts; a filter of the logger survives that (logging.config keeps filters).
    _add_filter_once(logging.getLogger("uvicorn.error"), CutAtShutdown())
    return handler
