"""The staff commands that print and end: check, outbox, classify, digest, staff, stats,
graph, sources (export lives in bot/staff/export.py)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.app import App, build_app
from bot.conversation.i18n import BRUSSELS, Catalogs, Translator
from bot.settings import Settings
from bot.staff import digest
from bot.staff import texts as staff
from bot.staff.texts import say
from flows.loader import FlowError, load_flows
from flows.locales import REFERENCE


def _check(directory: Path, t: Translator) -> int:
    try:
        flows = load_flows(directory)
    except FlowError as exc:
        for found in exc.problems:
            print(found, file=sys.stderr)
        print(say(t, staff.CHECK_PROBLEMS, count=len(exc.problems)), file=sys.stderr)
        return 1
    print(say(t, staff.CHECK_OK, flows=len(flows.flows), steps=len(flows.steps)))
    return 0


async def _outbox(
    settings: Settings, action: str | None, ref: str | None, all_: bool, t: Translator
) -> int:
    """List undelivered requests (no personal data), or retry one or all of them now."""
    if action == "retry" and not ref and not all_:
        print(t.gettext(staff.OUTBOX_WHICH), file=sys.stderr)
        return 2
    async with build_app(settings, run_worker=False) as app:
        if action == "retry":
            return await _retry(app, ref, all_, t)
        return await _undelivered(app, t)


async def _retry(app: App, ref: str | None, all_: bool, t: Translator) -> int:
    """``pat-bot outbox retry``: send request ``ref`` (or all of them) now, one line each."""
    from storage import deliveries

    await app.outbox.release_dead_leases()
    now = datetime.now(UTC)
    refs = await deliveries.reset_for_retry(app.db, now, None if all_ else ref)
    # A request a running bot is sending right now (its lease runs) is left to it:
    # sending it here too would deliver it twice.
    busy = [
        r.ref
        for r in await deliveries.list_requests(app.db, "pending")
        if r.ref not in refs and (not ref or r.ref == ref)
    ]
    for r in busy:
        print(say(t, staff.OUTBOX_BUSY, ref=r))
    if not refs:
        if not busy:
            nothing = say(t, staff.OUTBOX_NOTHING_FOR, ref=ref) if ref else None
            print(nothing or t.gettext(staff.OUTBOX_NOTHING), file=sys.stderr)
        return 0 if busy else 1
    failed = 0
    for r in refs:
        record = await deliveries.get_request(app.db, r)
        if record is None:
            continue
        ok = await app.outbox.attempt(record)
        after = await deliveries.get_request(app.db, r)
        if ok:
            print(say(t, staff.OUTBOX_DELIVERED, ref=r))
        elif after is None:  # its person erased it meanwhile
            print(say(t, staff.OUTBOX_ERASED, ref=r))
        elif after.status == "delivered":  # by the running bot, meanwhile
            print(say(t, staff.OUTBOX_DELIVERED_BY_BOT, ref=r))
        elif after.lease_until and after.lease_until > datetime.now(UTC):
            print(say(t, staff.OUTBOX_BUSY, ref=r))
        else:
            error = after.last_error or "?"
            print(say(t, staff.OUTBOX_NOT_DELIVERED, ref=r, error=error))
            failed += 1
    return 1 if failed else 0


async def _undelivered(app: App, t: Translator) -> int:
    """``pat-bot outbox``: the requests not delivered yet, as a table without personal data."""
    from storage import deliveries

    rows = [rec for rec in await deliveries.list_requests(app.db) if rec.status != "delivered"]
    if not rows:
        print(t.gettext(staff.OUTBOX_ALL_DELIVERED))
        return 0
    tries = max(6, len(t.gettext(staff.COL_ATTEMPTS)))
    print(
        f"{t.gettext(staff.COL_REF):<16} {t.gettext(staff.COL_STATUS):<10} "
        f"{t.gettext(staff.COL_ATTEMPTS):>{tries}}  {t.gettext(staff.COL_NEXT):<16}  "
        f"{t.gettext(staff.COL_ERROR)}"
    )
    for rec in rows:
        when = rec.next_attempt_at
        nxt = when.astimezone(BRUSSELS).strftime("%Y-%m-%d %H:%M") if when else "-"
        error = (rec.last_error or "").replace("\n", " ")[:80]
        status = t.gettext(staff.STATUSES.get(rec.status, rec.status))
        print(f"{rec.ref:<16} {status:<10} {rec.attempts:>{tries}}  {nxt:<16}  {error}")
    return 0


def _classify(lang: str | None) -> int:
    """What the bot understands of each line of stdin, as JSON lines."""
    import json

    from flows.nlu import Classifier

    classifier = Classifier.from_flows(load_flows())
    for line in sys.stdin:
        text = line.rstrip("\n")
        if not text.strip():
            continue
        intent = classifier.classify(text, lang)
        found: dict[str, object] = {
            "text": text,
            "intent": intent.name,
            "score": intent.score,
            "alternatives": [{"intent": n, "score": s} for n, s in intent.alternatives],
            "reason": intent.reason,
        }
        if intent.name == "crisis":
            found.update(tier=intent.tier, about=intent.about, danger=intent.danger)
            if intent.then is not None:
                found["otherwise"] = intent.then.name
        if intent.also is not None:
            found["also"] = intent.also
        print(json.dumps(found, ensure_ascii=False))
    return 0


async def _digest(settings: Settings, send: bool, t: Translator) -> int:
    """``pat-bot digest``: show this week's digest; with ``--send``, make and send it now."""
    from storage import digests

    now = datetime.now(UTC)
    week = digest.week_of(now.astimezone(BRUSSELS).date())
    async with build_app(settings, run_worker=False) as app:
        await app.service.flush_counts()
        weekly = digest.WeeklyDigest(
            app.db, app.flows, t, settings.digest_weekday or 1, settings.mail_from, settings.mail_to
        )
        if not send:
            subject, body = await digest.digest_text(app.db, app.flows, t, now)
            print(f"{subject}\n\n{body}", end="")
            return 0
        made = await weekly.make(now, week)
        if not made and await digests.digest_state(app.db, week) == "sent":
            print(say(t, digest.DIGEST_ALREADY, week=week))
            return 0
        error = await app.outbox.send_digests()
        if error is None:
            print(say(t, digest.DIGEST_SENT, week=week, to=settings.mail_to))
            return 0
        print(say(t, digest.DIGEST_NOT_SENT, week=week, error=error), file=sys.stderr)
        return 1


async def _staff_console(settings: Settings, name: str) -> int:
    from bot.staff.console import StaffConsole

    async with build_app(settings, run_worker=False) as app:
        return await StaffConsole(app, sys.stdin, sys.stdout, name).run()


async def _stats(settings: Settings, days: int, t: Translator) -> int:
    from bot.staff.stats import report

    async with build_app(settings, run_worker=False) as app:
        await app.service.flush_counts()
        print(await report(app.db, app.flows, t, days))
    return 0


def _graph(out: Path, t: Translator) -> int:
    from bot.staff.graph import mermaid, svg

    flows = load_flows()
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / "flows.mmd").write_text(mermaid(flows, t), encoding="utf-8")
        for flow_id in flows.flows:
            (out / f"{flow_id}.svg").write_text(svg(flows, flow_id, t), encoding="utf-8")
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        print(f"pat-bot : {say(t, staff.CANNOT_WRITE, folder=out, why=why)}", file=sys.stderr)
        return 1
    print(say(t, staff.GRAPH_WROTE, mermaid=out / "flows.mmd", count=len(flows.flows), folder=out))
    return 0


def _sources(settings: Settings, lang: str | None) -> int:
    from bot.staff.review import sources_report

    catalogs = Catalogs(settings.locales_dir)
    other = catalogs.get(lang) if lang and lang != REFERENCE else None
    print(sources_report(load_flows(), catalogs.get(REFERENCE), other), end="")
    return 0
