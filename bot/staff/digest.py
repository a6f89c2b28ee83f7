"""The weekly digest: one anonymous e-mail to PAT each week (``PAT_DIGEST_WEEKDAY``).

It says what came in during the last seven days: new requests by offer, the requests not yet
delivered (references only), the FAQ topics read, where people stopped, and the distress
counts. It is made once per ISO week — a row keyed by the week in SQLite, so that however many
processes run, one digest is made — from 08:00 (Brussels) on the chosen day, or later that week
if the bot was stopped then. The outbox worker delivers it with the same transport, lease and
retries as a request: never lost, never sent twice (its Message-ID names the week).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from bot.conversation.i18n import BRUSSELS, Translator, long_date
from bot.delivery.mail import message_id
from bot.staff import texts as staff
from bot.staff.stats import OFFERS, line, names, where_stopped
from bot.staff.texts import say
from flows.loader import FlowSet
from flows.texts import N_
from storage import counters, deliveries, digests
from storage.db import Database

DIGEST_HOUR = 8  # Brussels time: the digest is made from this hour on its day
DAYS = 7

SUBJECT = N_("[PAT] Résumé de la semaine, du {start} au {end}")
INTRO = N_(
    "Bonjour,\nVoici le résumé anonyme de la semaine du robot d'accueil de PAT, du {start} au "
    "{end}."
)
NEW_REQUESTS = N_("Nouvelles demandes : {count}")
NOT_DELIVERED = N_("Pas encore arrivées dans la boîte pat@smes.be : {count}")
NOT_DELIVERED_LINE = N_("  {ref} · {offer} · {status}, {attempts} essai(s)")
NOT_DELIVERED_HINT = N_(
    "« pat-bot outbox » les montre ; « pat-bot outbox retry --all » les renvoie."
)
CONVERSATIONS = N_("Conversations commencées : {count}")
OUTRO = N_(
    "Ce résumé ne contient aucune donnée personnelle. Chiffres détaillés : « pat-bot stats » ou "
    "/stats sur Telegram.\n— Le robot d'accueil de PAT"
)


def week_of(day: date) -> str:
    """The ISO week of a day: 2026-W49."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def due_week(now: datetime, weekday: int) -> str | None:
    """The week whose digest is due at ``now`` (from ``weekday`` 08:00, 1 = Monday), if any."""
    local = now.astimezone(BRUSSELS)
    day = local.isoweekday()
    if day > weekday or (day == weekday and local.hour >= DIGEST_HOUR):
        return week_of(local.date())
    return None


async def digest_text(
    db: Database, flows: FlowSet, t: Translator, now: datetime
) -> tuple[str, str]:
    """(subject, body) of the digest of the seven days up to ``now``, in the staff's language."""
    since = now - timedelta(days=DAYS)
    start, end = (long_date(d.astimezone(BRUSSELS).date(), t.locale) for d in (since, now))
    counts = await counters.since(db, since)
    label = names(flows, t)
    requests = counts.get("request", {})
    waiting = [r for r in await deliveries.list_requests(db) if r.status in ("pending", "failed")]
    offers = {o: t.gettext(flows.flows[o].title) for o in OFFERS if o in flows.flows}
    stopped = {where_stopped(flows, q, t): n for q, n in counts.get("stopped", {}).items()}
    body = [
        say(t, INTRO, start=start, end=end),
        "",
        say(t, NEW_REQUESTS, count=sum(requests.values())),
        line(t, staff.STATS_BY_OFFER, requests, label["request"]),
        line(t, staff.STATS_BY_REGION, counts.get("region", {}), label["region"]),
        line(t, staff.STATS_BY_LANGUAGE, counts.get("language", {}), label["language"]),
        line(t, staff.STATS_BY_CHANNEL, counts.get("channel", {}), label["channel"]),
        "",
        say(t, NOT_DELIVERED, count=len(waiting)),
        *(
            say(
                t,
                NOT_DELIVERED_LINE,
                ref=r.ref,
                offer=offers.get(r.offer, r.offer),
                status=t.gettext(staff.STATUSES.get(r.status, r.status)),
                attempts=r.attempts,
            )
            for r in waiting
        ),
        *([t.gettext(NOT_DELIVERED_HINT)] if waiting else []),
        "",
        say(t, CONVERSATIONS, count=sum(counts.get("conversation", {}).values())),
        line(t, staff.STATS_FAQ, counts.get("faq", {}), label["faq"]),
        line(t, staff.STATS_STOPPED, stopped, {}),
        line(t, staff.STATS_SOURCES, counts.get("source", {}), {}),
        "",
        t.gettext(OUTRO),
    ]
    return say(t, SUBJECT, start=start, end=end), "\n".join(body) + "\n"


def compose_digest(
    subject: str, body: str, week: str, now: datetime, mail_from: str, mail_to: str
) -> bytes:
    """The digest as an e-mail: plain text, from the robot to PAT."""
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = subject
    msg["From"] = mail_from
    msg["To"] = mail_to
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = message_id(f"digest-{week}", mail_from)
    msg["X-PAT-Digest"] = week
    msg.set_content(body, cte="quoted-printable")
    return msg.as_bytes()


class WeeklyDigest:
    """Makes this week's digest once it is due (called by the outbox worker each round)."""

    def __init__(
        self,
        db: Database,
        flows: FlowSet,
        t: Translator,
        weekday: int,
        mail_from: str,
        mail_to: str,
    ) -> None:
        self.db, self.flows, self.t, self.weekday = db, flows, t, weekday
        self.mail_from, self.mail_to = mail_from, mail_to
        self._made: str | None = None  # the last week seen made: no query each round

    async def make(self, now: datetime, week: str) -> bool:
        """Store the digest of ``week``; False when it was already made."""
        subject, body = await digest_text(self.db, self.flows, self.t, now)
        message = compose_digest(subject, body, week, now, self.mail_from, self.mail_to)
        self._made = week
        return await digests.add_digest(self.db, week, now, message)

    async def __call__(self, now: datetime) -> None:
        week = due_week(now, self.weekday)
        if week is None or week == self._made:
            return
        if await digests.digest_state(self.db, week) == "none":
            await self.make(now, week)
        self._made = week


DIGEST_SENT = N_("Résumé de la semaine {week} envoyé à {to}.")
DIGEST_ALREADY = N_(
    "Le résumé de la semaine {week} a déjà été fait ; il n'est pas envoyé deux fois."
)
DIGEST_NOT_SENT = N_(
    "Résumé de la semaine {week} pas encore envoyé ({error}) ; le robot réessaiera."
)
