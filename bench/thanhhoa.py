"""The data the save and exchange parts run on: every unit, the criteria sets, the demo logins and
2026 figures (evaluated) for every current commune of Thanh Hóa (`ntm.testing.build_world`)."""

from __future__ import annotations

import time


def build(communes: int = 200) -> dict:
    """Build the world in the part's fresh database; returns build_world's dict plus "seconds"."""
    from bench.common import vacuum_analyze
    from ntm.testing import build_world
    from ntm.units.loader import load_units

    start = time.perf_counter()
    load_units()
    world = build_world(communes=communes)
    vacuum_analyze()  # statistics for the new rows, as a production database has them
    world["seconds"] = time.perf_counter() - start
    return world
