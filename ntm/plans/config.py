"""The plans app's rule data (TOML under `data/`), read into plain frozen values. No ORM.

- `prioritise_rules()` → `Rules` (thin margin, gap bands, effort labels) from `data/prioritise.toml`.
- `default_costs()` → `list[CostRate]` from `data/costs.toml` (a starting catalogue a province may
  load and then edit as `plans.CostRate` rows).
Each carries its `source` and `trust` ("V" read in the source, "U" unverified/project choice).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Band:
    upto: float  # relative gap (gap / threshold) at most this
    label: str


@dataclass(frozen=True)
class Rules:
    thin_margin: float
    thin_margin_abs: float
    bands: tuple[Band, ...]
    bool_relative_gap: float
    default_effort: int
    effort_labels: dict[int, str]
    source: str = ""
    trust: str = "U"

    def band(self, relative_gap: float) -> int:
        """Index of the band a relative gap falls in (0 = smallest)."""
        for i, band in enumerate(self.bands):
            if relative_gap <= band.upto:
                return i
        return len(self.bands) - 1


@dataclass(frozen=True)
class CostRate:
    """Cost of one unit of the figure `field` (e.g. one km of hamlet road hardened), in đồng."""

    field: str
    unit_cost: float
    unit: str = ""
    effort: int = 2
    label: str = ""
    source: str = ""


def _read(name: str) -> dict:
    return tomllib.loads((DATA / name).read_text(encoding="utf-8"))


@cache
def prioritise_rules() -> Rules:
    raw = _read("prioritise.toml")["rules"]
    return Rules(
        thin_margin=float(raw["thin_margin"]),
        thin_margin_abs=float(raw["thin_margin_abs"]),
        bands=tuple(Band(float(b["upto"]), b["label"]) for b in raw["bands"]),
        bool_relative_gap=float(raw["bool_relative_gap"]),
        default_effort=int(raw["default_effort"]),
        effort_labels={int(k): v for k, v in raw["effort_labels"].items()},
        source=raw.get("source", ""),
        trust=raw.get("trust", "U"),
    )


def default_costs() -> list[CostRate]:
    data = _read("costs.toml")
    source = data["catalogue"]["source"]
    return [CostRate(r["field"], float(r["unit_cost"]), r.get("unit", ""), int(r.get("effort", 2)), r.get("label", ""),
                     source) for r in data["rates"]]
