"""Babel extractor for flow files: every translatable text of a ``flows/*.yml`` file.

Declared in babel.cfg (``[extractors] flow = flows.babel_extract:extract_flow``), so
``pybabel extract`` finds the conversation's texts with their line numbers, and a translator
sees which step each text belongs to.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

import yaml

from flows.schema import TRANSLATABLE_KEYS


def _walk(node: yaml.Node, context: str) -> Iterator[tuple[int, str, str]]:
    if isinstance(node, yaml.MappingNode):
        ids = [v.value for k, v in node.value if k.value == "id" and isinstance(v, yaml.ScalarNode)]
        here = f"{context}.{ids[0]}" if ids and context else (ids[0] if ids else context)
        for key, value in node.value:
            if key.value in TRANSLATABLE_KEYS:
                if isinstance(value, yaml.ScalarNode):
                    yield value.start_mark.line + 1, value.value, here
                elif isinstance(value, yaml.SequenceNode):
                    for item in value.value:
                        if isinstance(item, yaml.ScalarNode):
                            yield item.start_mark.line + 1, item.value, here
            else:
                yield from _walk(value, here)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _walk(item, context)


def extract_flow(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Yield (line, funcname, message, comments) for Babel."""
    root = yaml.compose(fileobj.read().decode("utf-8"))
    if root is None:
        return
    for line, text, where in _walk(root, ""):
        yield line, "", text, [f"step: {where}"] if where else []


def extract_texts(text: str) -> list[str]:
    """The translatable texts of one flow file's source (for tests and tools)."""
    root = yaml.compose(text)
    return [] if root is None else [t for _, t, _ in _walk(root, "")]
