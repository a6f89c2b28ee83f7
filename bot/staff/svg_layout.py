"""Where the boxes and arrows of a flow's SVG picture go (``bot.staff.graph.svg`` draws them).

A simple layered layout: one row of boxes per depth from the flow's start, each box as tall as
its lines, arrows curving down to a later row, across the same row, or around the right side
back to an earlier one. Only geometry here: no flows, no text, no SVG markup.
"""

from __future__ import annotations

W, LINE, PAD, GAP_X, GAP_Y, MARGIN = 300, 15, 10, 50, 70, 30

Box = tuple[float, float, float]  # x, top, height


def box_height(lines: list[str]) -> float:
    """A box's height: padding, its heading, and one row per line."""
    return PAD * 2 + LINE * (1 + len(lines))


def place(depth: dict[str, int], lines: dict[str, list[str]]) -> tuple[dict[str, Box], int, float]:
    """Each node's box, a row per depth from the top, and the picture's width and height."""
    rows: dict[int, list[str]] = {}
    for node, d in sorted(depth.items(), key=lambda kv: kv[1]):
        rows.setdefault(d, []).append(node)
    pos: dict[str, Box] = {}
    y = MARGIN + 40.0
    for d in sorted(rows):
        tallest = max(box_height(lines[n]) for n in rows[d])
        for i, node in enumerate(rows[d]):
            pos[node] = (MARGIN + i * (W + GAP_X), y, box_height(lines[node]))
        y += tallest + GAP_Y
    width = max(len(r) for r in rows.values()) * (W + GAP_X) + 2 * MARGIN + 200
    return pos, width, y + MARGIN


def edge_path(a: Box, b: Box, loop: bool) -> tuple[str, float, float]:
    """The path of an arrow between boxes (x, y, height), and where its label goes."""
    (x1, y1, h1), (x2, y2, h2) = a, b
    if loop:  # back to itself: a small loop on the right side
        return f"M{x1 + W},{y1 + 14} c50,-22 50,34 0,22", x1 + W + 44, y1 + 20
    sx, sy, tx, ty = x1 + W / 2, y1 + h1, x2 + W / 2, y2
    if y2 > y1:
        # The label near the arrow's end: arrows leaving one box part there, not at its start.
        lx, ly = sx + 0.7 * (tx - sx) + 6, sy + 0.7 * (ty - sy)
        return f"M{sx},{sy} C{sx},{sy + 35} {tx},{ty - 35} {tx},{ty}", lx, ly
    if y2 == y1:  # same row: straight across, between the facing sides
        p, q = (x1 + W, x2) if x2 > x1 else (x1, x2 + W)
        return f"M{p},{y1 + 20} L{q},{y2 + 20}", min(p, q) - 30, y1 - 6
    bx = max(x1, x2) + W + 60  # back to an earlier step: around the right side
    path = f"M{x1 + W},{y1 + h1 / 2} C{bx},{y1} {bx},{y2 + h2} {x2 + W},{y2 + h2 / 2}"
    return path, bx - 30, (y1 + y2 + h2) / 2
