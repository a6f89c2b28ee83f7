"""The benchmark script runs end to end and prints what bench/README.md documents.

Only its shape is checked here (every person's request stored by both bots, the summary line's
format); its figures are read by people, never asserted by tests.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
LAST_LINE = re.compile(
    r"ratio_vs_baseline=(\d+\.\d\d) p99_ms=(\d+\.\d\d) updates_per_s=(\d+) rss_mb=(\d+\.\d)"
    r" locked_stall_ms=(\d+\.\d) web_p99_ms=(\d+\.\d) web_rss_mb=(\d+\.\d)"
)


def test_the_benchmark_prints_its_table_and_a_comparable_last_line() -> None:
    command = [sys.executable, str(ROOT / "bench" / "run.py"), "--people", "4"]
    done = subprocess.run(
        [*command, "--think", "0.01", "--repeat", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        cwd=ROOT,
    )
    lines = done.stdout.strip().splitlines()
    # 4 people in each of the two phases, 16 updates each; every request was stored by both.
    assert lines[0] == "4 people, 128 updates each run (requests stored: ours 8, baseline 8)"
    assert "baseline/ours time per round:" in lines[1]
    titles = [line[:34].strip() for line in lines[3:-3]]
    assert titles[0] == "updates per second (saturation)"
    assert "peak memory RSS (MB)" in titles and "storage per request (bytes)" in titles
    assert lines[-3].startswith("while another process held the write lock for 2 s:")
    assert lines[-2].startswith("web channel, 4 people over WebSocket: ")
    assert LAST_LINE.fullmatch(lines[-1]), lines[-1]
