"""Rollups for a parent unit: how many communes reach each level, average criteria, weakest criteria.

Pure: takes plain summaries of stored evaluations, returns plain data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ntm.criteria.levels import Step, at_or_above
from ntm.criteria.spec import LEVEL_RANK


@dataclass(frozen=True)
class Summary:
    unit_id: int
    year: int
    level: str
    criteria_met: int
    criteria_total: int
    met: dict[str, bool | None] = field(default_factory=dict, hash=False)


def at_least(level: str, target: str) -> bool:
    return LEVEL_RANK.get(level, 0) >= LEVEL_RANK[target]


def rollup(summaries: Iterable[Summary], units_total: int, ladders: Mapping[int, list[Step]] | None = None) -> list[dict]:
    """Per year: units evaluated, X/Y at each rung of that year's ladder (`ladders[year]`, from the sets
    in force; a model commune also counts as NTM), average criteria met per unit, and per criterion
    the share of units meeting it."""
    by_year: dict[int, list[Summary]] = defaultdict(list)
    for s in summaries:
        by_year[s.year].append(s)
    out = []
    for year in sorted(by_year):
        rows = by_year[year]
        n = len(rows)
        shares: dict[str, int] = defaultdict(int)
        for s in rows:
            for code, met in s.met.items():
                shares[code] += 1 if met else 0
        out.append(
            {
                "year": year,
                "units_total": units_total,
                "evaluated": n,
                "levels": at_or_above((ladders or {}).get(year, []), [s.level for s in rows]),
                "ladder": [(st.code, st.label) for st in (ladders or {}).get(year, [])],
                "avg_criteria_met": round(sum(s.criteria_met for s in rows) / n, 2) if n else None,
                "criteria_share": {code: round(k / n, 4) for code, k in sorted(shares.items(), key=lambda kv: _code_key(kv[0]))},
            }
        )
    return out


def _code_key(code: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in code.split("."))


DISTRICT_FIELDS = ("communes_total", "communes_ntm", "communes_nang_cao")  # what district_values gives


def district_values(child_levels: list[str], communes_total: int) -> dict[str, float]:
    """Figures a district set reads that come from its communes' stored evaluations."""
    return {
        "communes_total": float(communes_total),
        "communes_ntm": float(sum(1 for lvl in child_levels if at_least(lvl, "ntm"))),
        "communes_nang_cao": float(sum(1 for lvl in child_levels if at_least(lvl, "nang_cao"))),
    }
