"""Which socio-economic region a unit belongs to: pure rules, no ORM.

Rule for a current (post-2025) commune: it takes the region of its legacy predecessors. When
they disagree (the 2025 merger joined provinces of different regions, e.g. Lâm Đồng took in
Đắk Nông and Bình Thuận), the region held by most predecessor communes wins; on a tie, the
region of the predecessor whose code the new commune kept (the library reuses the code of
the main commune); failing that, the region of the predecessor with the lowest code. The rule
is deterministic, documented in docs/architecture.md, and a province can override any commune
with a `Classification(scheme="region")` row.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from functools import cache
from pathlib import Path

REGIONS_FILE = Path(__file__).parent / "data" / "regions.toml"


@cache
def legacy_province_regions() -> dict[int, str]:
    data = tomllib.loads(REGIONS_FILE.read_text(encoding="utf-8"))
    return {code: region for region, codes in data["regions"].items() for code in codes}


def successor_region(new_code: str, predecessors: list[tuple[str, str]]) -> str:
    """predecessors: (legacy code, region) pairs. Returns "" when there are none."""
    regions = [r for _, r in predecessors if r]
    if not regions:
        return ""
    counts = Counter(regions).most_common()
    top = counts[0][1]
    leaders = {r for r, n in counts if n == top}
    if len(leaders) == 1:
        return counts[0][0]
    for code, region in predecessors:
        if code == new_code and region in leaders:
            return region
    return min((int(code), region) for code, region in predecessors if region in leaders)[1]


def majority_region(regions: list[str]) -> str:
    """A province's region: the one most of its communes have (ties: alphabetical, for stability)."""
    counts = Counter(r for r in regions if r)
    if not counts:
        return ""
    top = max(counts.values())
    return min(r for r, n in counts.items() if n == top)
