"""The conversation benchmarks still play the whole scripted owner: a few owners, one round.

They detect the bot's answers from what it says, so a change of wording or of the question
order must not leave `make bench` waiting for an answer that never comes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def bench(name: str) -> dict[str, float]:
    """Run one benchmark module small; its figures."""
    env = {**os.environ, "BENCH_OWNERS": "4", "BENCH_ROUNDS": "1", "BENCH_WA_STEADY_S": "2"}
    done = subprocess.run([sys.executable, "-m", "bench", name], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return {name: float(value) for name, _sep, value in
            (line.partition(": ") for line in done.stdout.splitlines()) if value}


@pytest.mark.parametrize(("module", "figure"), [("conversation", "conversation_updates_per_s"),
                                                ("whatsapp", "wa_conversation_updates_per_s")])
def test_a_conversation_benchmark_plays_every_owner_to_the_result(module, figure):
    figures = bench(module)
    assert figures[figure] > 0
