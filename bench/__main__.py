"""`make bench`: every performance figure of NTM, each a ratio or a time measured in this run.

Parts (one module each in this package) run one after the other, each on a fresh test
database of its own (SQLite file by default, PostgreSQL with DATABASE_URL); nothing of the
user's is touched. The run ends with one line per figure, always in the same order, so runs can
be compared:  `recompute_ratio: …`, `recompute_ratio_10y: …`, … (a part that did not run or
failed prints `n/a`).

    make bench                         # every part
    BENCH_ONLY=recompute,exchange make bench
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
import time
import traceback

# part module → the figures it reports, in the order they are printed at the end.
PARTS: dict[str, tuple[str, ...]] = {
    "recompute": ("recompute_ratio", "recompute_ratio_10y"),
    "save": ("save_p95_ms",),
    "web": ("dashboard_p95_ms", "portal_p95_ms", "dashboard_kb"),
    "exchange": ("import_ratio", "export_908_s", "pdf_s"),
    "workers": ("workers_1_s", "workers_2_s"),
}
ORDER = (
    "recompute_ratio", "recompute_ratio_10y", "save_p95_ms", "dashboard_p95_ms", "portal_p95_ms",
    "import_ratio", "export_908_s", "pdf_s", "dashboard_kb",
    "workers_1_s", "workers_2_s",
)


def main() -> int:
    from bench.common import fresh_database, setup_django

    vendor = setup_django()
    only = {p for p in os.environ.get("BENCH_ONLY", "").split(",") if p}
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}, database {vendor}")
    figures: dict[str, float] = {}
    failed = False
    for name in PARTS:
        if only and name not in only:
            continue
        start = time.perf_counter()
        print(f"--- {name}", flush=True)
        try:
            module = importlib.import_module(f"bench.{name}")
            with fresh_database():
                figures.update(module.run())
        except Exception:  # one part failing must not hide the others' figures
            traceback.print_exc()
            failed = True
        print(f"--- {name}: {time.perf_counter() - start:.0f} s", flush=True)
    print()
    for key in ORDER:
        value = figures.get(key)
        print(f"{key}: {'n/a' if value is None else format_value(key, value)}")
    return 1 if failed else 0


def format_value(key: str, value: float) -> str:
    return f"{value:.1f}" if key.endswith("_ms") else f"{value:.0f}" if key.endswith("_kb") else f"{value:.2f}"


if __name__ == "__main__":
    sys.exit(main())
