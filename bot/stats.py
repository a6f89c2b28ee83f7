"""Anonymous statistics for PAT staff: the daily counters, and the report made of them.

``Counters`` gathers, from each event of a conversation, ids only (an offer, a step, a FAQ
topic, a deep-link source, a distress tier; never a chat key or a text) and adds them to the
daily counters every few seconds. The same report is shown by ``/stats`` on Telegram (staff ids
only) and ``pat-bot stats``. Staff read French, like the request e-mails.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from bot.i18n import Translator, long_date
from flows import texts
from flows.engine import Effect, Event, Say, Start, State, Submit
from flows.loader import MENU_STEP, FlowSet
from flows.schema import WAITING_KINDS, ChoiceStep
from storage import repo
from storage.db import Database

OFFERS = ("training", "accompaniment", "intervision", "other")
_LINES = {texts.CRISIS, texts.CRISIS_OTHER, texts.CRISIS_SHELTER}
_CHECK = {texts.CHECK_SELF, texts.CHECK_OTHER}


class Counters:
    """Anonymous counts gathered in memory, written every few seconds (``flush``): a crash
    loses a few seconds of counts, never a request, an answer or a consent."""

    def __init__(self) -> None:
        self._counts: Counter[tuple[str, str, str]] = Counter()

    def event(self, day: str, event: Event, old: State, new: State, effects: list[Effect]) -> None:
        counts = self._counts
        if isinstance(event, Start):
            counts[day, "conversation", ""] += 1
        if new.source and new.source != old.source:
            counts[day, "source", new.source] += 1
        for topic in new.faq_read:
            if topic not in old.faq_read:
                counts[day, "faq", topic] += 1
        if new.step != old.step or isinstance(event, Start):
            counts[day, "reached", new.step] += 1
        said = {e.text.id for e in effects if isinstance(e, Say)}
        if said & _LINES:  # help lines: at once (sure), or after "yes" to the question
            counts[day, "crisis", "confirmed" if old.overlay == "check" else "sure"] += 1
        if said & _CHECK:
            counts[day, "crisis", "possible"] += 1

    def request(self, day: str, submit: Submit) -> None:
        self._counts[day, "request", submit.offer] += 1
        self._counts[day, "region", str(submit.answers.get("region", ""))] += 1
        self._counts[day, "language", submit.locale] += 1

    async def flush(self, db: Database) -> None:
        if self._counts:
            pending, self._counts = self._counts, Counter()
            await repo.add_counts(db, pending)


def _line(title: str, items: dict[str, int], names: dict[str, str] | None = None) -> str:
    if not items:
        return f"{title} : aucune"
    ordered = sorted(items.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = " · ".join(f"{(names or {}).get(k, k) or '(non précisé)'} {n}" for k, n in ordered)
    return f"{title} : {shown}"


def _option_labels(flows: FlowSet, qid: str) -> dict[str, str]:
    step = flows.steps.get(qid)
    return {o.id: o.label for o in step.options} if isinstance(step, ChoiceStep) else {}


def _funnel(flows: FlowSet, flow_id: str, reached: dict[str, int], fr: Translator) -> str:
    """People reaching each question of a flow, in the order of the file."""
    flow = flows.flows[flow_id]
    parts = []
    for step in flow.steps:
        if step.kind not in WAITING_KINDS:
            continue
        qid = f"{flow_id}.{step.id}"
        parts.append(f"{step.id} {reached.get(qid, 0)}")
    return f"  {fr.gettext(flow.title)} : " + " → ".join(parts)


def _crisis_line(crisis: dict[str, int]) -> str:
    """Distress, by tier: help lines at once (sure), a question first (possible) and how many
    answered yes. Older counts had no tier (key ""): they were help lines shown at once."""
    sure = crisis.get("sure", 0) + crisis.get("", 0)
    return (
        f"Détresse : lignes d'aide montrées d'emblée {sure} · question « êtes-vous en "
        f"danger ? » posée {crisis.get('possible', 0)}, dont « oui » {crisis.get('confirmed', 0)}"
    )


async def report(db: Database, flows: FlowSet, fr: Translator, days: int = 30) -> str:
    now = datetime.now(UTC)
    since = now - timedelta(days=days)
    counts = await repo.counters(db, since)
    offers = {o: fr.gettext(flows.flows[o].title) for o in OFFERS if o in flows.flows}
    topics = {name: fr.gettext(label) for name, (_, label) in flows.intent_targets().items()}
    regions = {k: fr.gettext(v) for k, v in _option_labels(flows, "accompaniment.region").items()}
    reached = counts.get("reached", {})
    requests = counts.get("request", {})
    lines = [
        f"Statistiques PAT du {long_date(since.date(), 'fr')} "
        f"au {long_date(now.date(), 'fr')} ({days} jours)",
        f"Conversations commencées : {sum(counts.get('conversation', {}).values())}",
        f"Demandes envoyées : {sum(requests.values())}",
        _line("Par offre", requests, offers),
        _line("Par région", counts.get("region", {}), regions),
        _line("Par langue", counts.get("language", {})),
        _line("Questions lues", counts.get("faq", {}), topics),
        _line("Sources (liens)", counts.get("source", {})),
        _crisis_line(counts.get("crisis", {})),
        f"Menu affiché : {reached.get(MENU_STEP, 0)}",
        "Parcours (personnes arrivées à chaque question) :",
        *(_funnel(flows, f, reached, fr) for f in (*OFFERS, "request") if f in flows.flows),
        _line("Conversations abandonnées, dernière étape", counts.get("stopped", {})),
    ]
    return "\n".join(lines)
