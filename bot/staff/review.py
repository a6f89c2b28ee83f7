"""`pat-bot sources`: every text that states a fact, with where the fact comes from.

For PAT's review of the bot's content: each message of the flows (FAQ answers, descriptions of
the offers), the consent, and each fact the engine says by itself (help lines, privacy notice),
in French, the reference, and optionally in one more language, with its sources
(flows/sources.py). Printed as Markdown, so it reads as it is or pasted into a document.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.conversation.i18n import Translator
from flows import texts
from flows.loader import FlowSet
from flows.schema import ConsentStep, MessageStep
from flows.sources import describe


def _block(lines: Iterable[str], fr: Translator, other: Translator | None) -> list[str]:
    out = []
    for text in lines:
        out.append("> " + fr.gettext(text).replace("\n", "\n> "))
        if other is not None:
            out.append(">\n> *" + other.gettext(text).replace("\n", "*\n> *") + "*")
        out.append("")
    return out


def sources_report(flows: FlowSet, fr: Translator, other: Translator | None = None) -> str:
    """The Markdown report (French; with ``other``, each text also in that language)."""
    out = ["# Textes du robot PAT et leurs sources", ""]
    for flow in flows.flows.values():
        # Messages, and the consent (what is sent, to whom, on what basis).
        messages = [s for s in flow.steps if isinstance(s, MessageStep | ConsentStep)]
        if not messages:
            continue
        out += [f"## {fr.gettext(flow.title)} (`{flows.files[flow.id]}`)", ""]
        for step in messages:
            topic = f", sujet « {step.topic} »" if step.topic else ""
            out.append(f"### `{flow.id}.{step.id}`{topic}")
            out.append("Sources : " + " · ".join(describe(s) for s in step.sources))
            out.append("")
            out += _block(step.texts, fr, other)
    out += ["## Textes du robot lui-même (`flows/texts.py`)", ""]
    for msgid, sources in texts.SOURCES.items():
        out.append("Sources : " + " · ".join(describe(s) for s in sources))
        out.append("")
        out += _block([msgid], fr, other)
    return "\n".join(out).rstrip() + "\n"
