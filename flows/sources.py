"""Where the facts of an answer come from: PAT's own documents and the content brief.

Every message a flow says carries ``sources:`` (``pat-bot check`` refuses one without), so PAT
can check each sentence against its origin (``pat-bot sources``). A source is one of:

- ``seed 002``: one of PAT's documents, numbered as in ``shared/seeds/``;
- ``brief: The three offers``: a section of the content brief (``shared/content-brief.md``),
  optionally followed by `` — `` and the point within it;
- ``bot``: the text says only what this bot itself does (how to answer, what happens next).
"""

from __future__ import annotations

SEEDS = {
    "000": "PAT's flyer",
    "001": "PAT's web page",
    "002": "article on PAT, November 2024",
    "003": "talk by a peer worker of En Route, 2022",
    "004": "announcement of PAT, 2020",
}
BRIEF_SECTIONS = (
    "Who and what",
    "The three offers",
    "The recurring questions teams ask",
    "Crisis and help lines",
    "Privacy",
    "Words",
)


def problem(source: str) -> str | None:
    """What is wrong with one source, or None when it is well formed."""
    if source == "bot":
        return None
    if source.startswith("seed "):
        number = source.removeprefix("seed ").strip()
        return None if number in SEEDS else f"unknown seed '{number}' (known: {', '.join(SEEDS)})"
    if source.startswith("brief: "):
        section = source.removeprefix("brief: ").split(" — ", 1)[0].strip()
        if section in BRIEF_SECTIONS:
            return None
        return f"unknown brief section '{section}' (known: {', '.join(BRIEF_SECTIONS)})"
    return f"source '{source}' is not 'seed NNN', 'brief: <section>' or 'bot'"


def describe(source: str) -> str:
    """A source as PAT staff read it."""
    if source.startswith("seed "):
        number = source.removeprefix("seed ").strip()
        return f"{source} ({SEEDS.get(number, '?')})"
    return source
