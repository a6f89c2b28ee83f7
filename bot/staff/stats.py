"""Anonymous statistics for PAT staff: the daily counters, and the report made of them.

``Counters`` gathers, from each event of a conversation, ids only (an offer, a step, a FAQ
topic, a deep-link source, a distress tier; never a chat key or a text) and adds them to the
daily counters every few seconds. The same report is shown by ``/stats`` on Telegram (staff ids
only), ``pat-bot stats`` and the weekly digest, in the staff's language (French by default):
question texts and answer labels, never step ids.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from bot.channels.registry import CHANNELS
from bot.conversation.i18n import Translator, long_date
from bot.staff import texts as staff
from bot.staff.texts import language_name, say
from flows import places, texts
from flows.engine import Effect, Event, Say, Start, State, Submit
from flows.loader import MENU_STEP, FlowSet
from flows.locales import LOCALES
from flows.schema import WAITING_KINDS, ChoiceStep
from storage import counters
from storage.db import Database

OFFERS = ("training", "accompaniment", "intervision", "other")
_LINES = {
    texts.CRISIS,
    texts.CRISIS_OTHER,
    texts.CRISIS_SHELTER,
    texts.CRISIS_OVERDOSE,
    texts.CRISIS_VIOLENCE,
    texts.CRISIS_CHILD,
}
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
        if texts.HELP_NOW in said:  # the help screen (/sos, the menu entry, the web button)
            counts[day, "crisis", "help"] += 1

    def add(self, day: str, kind: str, key: str) -> None:
        """One more of something anonymous (a hand-off opened, a message relayed…)."""
        self._counts[day, kind, key] += 1

    def request(self, day: str, submit: Submit) -> None:
        self._counts[day, "request", submit.offer] += 1
        region = places.region_of(submit.answers)
        if region is not None:  # asked, or from the commune; "other" requests have none
            self._counts[day, "region", region] += 1
        self._counts[day, "language", submit.locale] += 1

    async def flush(self, db: Database) -> None:
        if self._counts:
            pending, self._counts = self._counts, Counter()
            await counters.add(db, pending)


def line(t: Translator, title: str, items: dict[str, int], names: dict[str, str]) -> str:
    if not items:
        return say(t, staff.STATS_NONE, title=t.gettext(title))
    ordered = sorted(items.items(), key=lambda kv: (-kv[1], kv[0]))
    unknown = t.gettext(staff.STATS_NOT_GIVEN)
    shown = " · ".join(f"{names.get(k, k) or unknown} {n}" for k, n in ordered)
    return say(t, staff.STATS_LINE, title=t.gettext(title), items=shown)


def _option_labels(flows: FlowSet, qid: str, t: Translator) -> dict[str, str]:
    step = flows.steps.get(qid)
    return {o.id: t.gettext(o.label) for o in step.options} if isinstance(step, ChoiceStep) else {}


def question_label(flows: FlowSet, qid: str, t: Translator) -> str:
    """A question as staff read it: its summary label (« Secteur »), else its text."""
    step = flows.steps.get(qid)
    if step is None:
        return qid
    if step.kind in ("consent", "summary"):  # long texts, well named by what they are
        return t.gettext(staff.KIND_NAMES[step.kind])
    label = getattr(step, "summary", None) or getattr(step, "text", "") or step.id
    if isinstance(label, list):
        label = label[-1] if label else step.id
    return " ".join(t.gettext(label).split())


def where_stopped(flows: FlowSet, qid: str, t: Translator) -> str:
    """« Accompagnement · Secteur »: the flow and the question a conversation stopped at."""
    flow = flows.flows.get(qid.split(".", 1)[0])
    title = t.gettext(flow.title) if flow is not None else ""
    return f"{title} · {question_label(flows, qid, t)}" if title else question_label(flows, qid, t)


def _funnel(flows: FlowSet, flow_id: str, reached: dict[str, int], t: Translator) -> list[str]:
    """People reaching each question of a flow, in the order of the file."""
    flow = flows.flows[flow_id]
    lines = [f"  {t.gettext(flow.title)}"]
    for step in flow.steps:
        if step.kind not in WAITING_KINDS:
            continue
        qid = f"{flow_id}.{step.id}"
        lines.append(f"    {reached.get(qid, 0):>4}  {question_label(flows, qid, t)}")
    return lines


def _crisis_line(crisis: dict[str, int], t: Translator) -> str:
    """Distress, by tier: help lines at once (sure), a question first (possible) and how many
    answered yes. Older counts had no tier (key ""): they were help lines shown at once."""
    sure = crisis.get("sure", 0) + crisis.get("", 0)
    return say(
        t,
        staff.STATS_CRISIS,
        sure=sure,
        asked=crisis.get("possible", 0),
        yes=crisis.get("confirmed", 0),
    )


def names(flows: FlowSet, t: Translator) -> dict[str, dict[str, str]]:
    """Offer, region, FAQ topic and language codes as staff read them, by kind of counter."""
    return {
        "request": {o: t.gettext(flows.flows[o].title) for o in OFFERS if o in flows.flows},
        "region": _option_labels(flows, "accompaniment.region", t),
        "faq": {name: t.gettext(label) for name, (_, label) in flows.intent_targets().items()},
        "language": {code: language_name(code, t) for code in LOCALES},
        "channel": {c.name: t.gettext(c.label) for c in CHANNELS},
    }


async def report(db: Database, flows: FlowSet, t: Translator, days: int = 30) -> str:
    """The anonymous report of the last ``days`` days, in the staff's language ``t``."""
    now = datetime.now(UTC)
    since = now - timedelta(days=days)
    counts = await counters.since(db, since)
    label = names(flows, t)
    reached = counts.get("reached", {})
    requests = counts.get("request", {})
    stopped = {where_stopped(flows, q, t): n for q, n in counts.get("stopped", {}).items()}
    lines = [
        say(
            t,
            staff.STATS_TITLE,
            start=long_date(since.date(), t.locale),
            end=long_date(now.date(), t.locale),
            days=days,
        ),
        say(t, staff.STATS_CONVERSATIONS, count=sum(counts.get("conversation", {}).values())),
        say(t, staff.STATS_REQUESTS, count=sum(requests.values())),
        line(t, staff.STATS_BY_OFFER, requests, label["request"]),
        line(t, staff.STATS_BY_REGION, counts.get("region", {}), label["region"]),
        line(t, staff.STATS_BY_LANGUAGE, counts.get("language", {}), label["language"]),
        line(t, staff.STATS_BY_CHANNEL, counts.get("channel", {}), label["channel"]),
        line(t, staff.STATS_FAQ, counts.get("faq", {}), label["faq"]),
        line(t, staff.STATS_SOURCES, counts.get("source", {}), {}),
        _crisis_line(counts.get("crisis", {}), t),
        say(t, staff.STATS_MENU, count=reached.get(MENU_STEP, 0)),
        t.gettext(staff.STATS_FUNNEL),
    ]
    for flow_id in (*OFFERS, "request"):
        if flow_id in flows.flows:
            lines += _funnel(flows, flow_id, reached, t)
    lines.append(line(t, staff.STATS_STOPPED, stopped, {}))
    return "\n".join(lines)
