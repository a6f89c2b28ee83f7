"""Finishing erasures: what ``/forget`` and retention leave outside the tables.

An erasure commits its rows and, in the same transaction, what must still go (storage/erasure.py:
the ``erasures`` table). ``Erasures.finish`` then removes each request's local copy (the
``.eml`` folder), empties the write-ahead log, and deletes those rows only when both are done:
a crash at any point is finished at the next start, and the person is told « tout effacé »
only when nothing they gave remains readable in the data folder. It runs right after a
``/forget``, at start, with retention, and every minute while something is left (another
process reading an older state of the database holds the log back).

A request that was being sent when its person erased it is the sender's to finish: when the
send ends, the sender hands the erasure back here (``storage.erasure.sender_done``), saying
whether the request may have reached PAT; if the sender died mid-send, it may have. Then PAT
is asked, by the deliverer, to delete their copy.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.conversation.i18n import Translator
from bot.delivery.base import Deliverer
from bot.delivery.leases import lease_owner_alive
from bot.staff import texts as staff
from bot.staff.texts import say
from storage import erasure
from storage.db import Database

log = logging.getLogger(__name__)


class Erasures:
    def __init__(
        self,
        db: Database,
        deliverer: Deliverer,
        staff_voice: Translator,
        clock: Callable[[], datetime],
    ) -> None:
        self.db = db
        self.deliverer = deliverer
        self.t = staff_voice
        self.clock = clock

    async def finish(self) -> bool:
        """Finish what can be finished; True when no erased byte remains readable here (a
        request still being sent is finished by its sender)."""
        pending = await erasure.unfinished(self.db)
        if not pending:
            return True
        now = self.clock().isoformat()
        done: list[int] = []
        for row in pending:
            notify = row.notify
            if row.sender is not None:
                if (row.sender_until or "") > now and lease_owner_alive(row.sender):
                    continue  # its sender finishes it when the send ends
                await erasure.sender_gone(self.db, row.id)  # died mid-send: PAT may have it
                notify = not self.deliverer.filed
            if notify and not await self._ask_pat(row.ref):
                continue  # tried again next round
            if row.ref:
                await self.deliverer.forget(row.ref)
            done.append(row.id)
        if not await erasure.finished(self.db, done):
            log.warning(
                "erasure not finished: another process reads the database (a shell, a "
                "backup tool); the old pages stay readable until it stops, tried every minute"
            )
            return False
        return True

    async def every_minute(self) -> float:
        """The background job: finish what is left, then look again in a minute."""
        await self.finish()
        return 60.0

    async def _ask_pat(self, ref: str) -> bool:
        text = say(self.t, staff.ERASED_WHILE_SENT, ref=ref)
        try:
            await self.deliverer.ask_to_delete(ref, text)
        except Exception as exc:  # kept, asked again next round
            log.error("could not ask PAT to delete %s: %s", ref, type(exc).__name__)
            return False
        log.warning("request %s was erased while it was sent: PAT asked to delete it", ref)
        return True
