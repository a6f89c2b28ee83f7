"""What went wrong, in one line a person can act on: for a process that cannot start or go on.

``pat-bot`` prints this line and exits (code 1) instead of a traceback, so that Docker's
restart policy and a person reading the log both know at once what to fix. The lines name
files and settings, never what people wrote.
"""

from __future__ import annotations

from bot.conversation.i18n import CatalogError
from bot.settings import Settings
from flows.loader import FlowError
from storage.db import DatabaseBusy, StorageDamaged

_WRITABLE = "PAT_DATA_DIR must be a folder this user may write in"


def explain(exc: BaseException, settings: Settings) -> str:
    db = settings.db_path
    text = str(exc).lower()
    if isinstance(exc, StorageDamaged):
        if "not a database" in text or "malformed" in text or "corrupt" in text:
            return (
                f"the database {db} is damaged (not a readable SQLite file). Move it aside "
                "and start again; restore it from a backup to recover its requests"
            )
        if "readonly" in text or "read-only" in text:
            return f"{db} is read-only for this user: PAT_DATA_DIR must be writable"
        if "disk is full" in text or "database or disk is full" in text:
            return f"the disk holding {db} is full (or PAT_DB_MAX_PAGES is reached): free space"
        if "unable to open" in text:
            return f"cannot open or create {db}: {_WRITABLE}"
    if isinstance(exc, DatabaseBusy):
        return f"{db} stayed locked by another process: is another pat-bot stuck on it?"
    if isinstance(exc, PermissionError | IsADirectoryError | NotADirectoryError):
        return f"cannot write in {settings.data_dir}: {_WRITABLE}"
    if isinstance(exc, CatalogError):
        return f"{exc}; reinstall pat-bot, or fix PAT_LOCALES_DIR"
    if isinstance(exc, FlowError):
        return (
            f"the flow files have {len(exc.problems)} problem(s); run `pat-bot check` to see them"
        )
    if type(exc).__name__ == "CannotListen":  # bot/channels/web/, imported only when it runs
        return f"{exc}; free the port, or set PAT_WEB_PORT / PAT_WEB_HOST"
    if isinstance(exc, OSError) and getattr(exc, "filename", None):
        return f"{exc.strerror or 'cannot use'}: {exc.filename}"
    return f"{type(exc).__name__}: {exc}"
