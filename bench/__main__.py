"""Run every benchmark module `bench/bench_*.py` (or those named) and print `name: value` lines.

Each module has `async def run() -> list[tuple[str, float | int]]`. Figures that compare two
things are measured side by side in the same run, so a noisy machine affects both alike.
"""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
import sys
import time
from pathlib import Path


def modules(names: list[str]) -> list[str]:
    """The benchmark modules to run, in name order."""
    found = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)])
                   if m.name.startswith("bench_"))
    return [m for m in found if not names or m in names or m.removeprefix("bench_") in names]


def main() -> int:
    """Run the benchmarks; print one `name: value` line per figure."""
    for name in modules(sys.argv[1:]):
        module = importlib.import_module(f"bench.{name}")
        started = time.perf_counter()
        figures = asyncio.run(module.run())
        for figure, value in figures:
            shown = f"{value:.4g}" if isinstance(value, float) else str(value)
            print(f"{figure}: {shown}", flush=True)
        print(f"# {name} took {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
