"""The ledger's rule data (`data/rules.toml`), read into frozen values. No ORM.

`rules()` → `LedgerRules`: sources (code, label, group, measure, community?), groups, national
structures per period, the special-mechanism cap, the residents' agreement share, the supervision
board's limits and the exemption categories — each with its `source` and `trust`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

RULES_FILE = Path(__file__).parent / "data" / "rules.toml"


@dataclass(frozen=True)
class Source:
    code: str
    label: str
    group: str
    measure: str  # money | workday | land | asset
    community: bool = False


@dataclass(frozen=True)
class Structure:
    period: str
    year_from: int
    year_to: int
    shares: dict[str, float]
    basis: str
    source: str
    trust: str

    def covers(self, year: int) -> bool:
        return self.year_from <= year <= self.year_to


@dataclass(frozen=True)
class Cited:
    """A rule value with where it comes from."""

    value: float
    source: str
    trust: str


@dataclass(frozen=True)
class LedgerRules:
    sources: tuple[Source, ...]
    groups: dict[str, str]
    structures: tuple[Structure, ...]
    project_cap: Cited  # đồng
    agreement_share: Cited
    agreement_strict: bool
    board_max_members: Cited
    board_max_deputies: Cited
    exemptions: dict[str, str]  # code → label
    exemptions_source: str

    def source(self, code: str) -> Source | None:
        return next((s for s in self.sources if s.code == code), None)

    def structure_for(self, year: int) -> Structure | None:
        return next((s for s in self.structures if s.covers(year)), None)


@cache
def rules(path: Path = RULES_FILE) -> LedgerRules:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    sm, ra, sb, ex = data["special_mechanism"], data["residents_agreement"], data["supervision_board"], data["exemptions"]
    return LedgerRules(
        sources=tuple(Source(s["code"], s["label"], s["group"], s["measure"], bool(s.get("community", False)))
                      for s in data["sources"]),
        groups=dict(data["groups"]),
        structures=tuple(Structure(s["period"], int(s["year_from"]), int(s["year_to"]),
                                   {k: float(v) for k, v in s["shares"].items()}, s.get("basis", ""), s["source"],
                                   s["trust"]) for s in data["structure"]),
        project_cap=Cited(float(sm["max_total"]), sm["source"], sm["trust"]),
        agreement_share=Cited(float(ra["min_share"]), ra["source"], ra["trust"]),
        agreement_strict=bool(ra.get("strict", False)),
        board_max_members=Cited(float(sb["max_members"]), sb["source"], sb["trust"]),
        board_max_deputies=Cited(float(sb["max_deputies"]), sb["source"], sb["trust"]),
        exemptions={c["code"]: c["label"] for c in ex["categories"]},
        exemptions_source=ex["source"],
    )


def source_choices() -> list[tuple[str, str]]:
    return [(s.code, s.label) for s in rules().sources]
