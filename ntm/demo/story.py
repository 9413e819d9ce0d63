"""The demo's story for Thanh Hóa, calibrated on the seed documents (000 and 004). No database: the
story is computed from its seed and from the districts' public record (data/districts-38.toml, read
from the file when not given).

Thọ Xuân (district 395): 5.6 criteria per commune on average in 2011 over the 38 communes of the time;
each of them NTM by the end of 2018 (the communes formed by the 2019 merges are NTM from their first year); the district meets its criteria in 2019; 11 advanced and 2 model communes and 12
model hamlets by early 2023 (the 2022 evaluations); Nam Giang (15505) NTM in 2016 and advanced
in 2023. Districts whose public record is in data/districts-38.toml follow it (Yên Định NTM in 2015
with 22/27 xã, Thành phố Thanh Hóa in 2019); others follow seeded, varied paths; some communes slip.
Only xã are assessed against the commune NTM sets (phường and thị trấn are urban units).
"""

from __future__ import annotations

import math
import random
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

THO_XUAN = "395"
MILESTONES = Path(__file__).parent / "data" / "districts-38.toml"
NAM_GIANG = "15505"
FIRST_YEAR, LAST_LEGACY_YEAR, NEW_SET_YEAR = 2011, 2025, 2026
MOUNTAIN_DISTRICTS = {"384", "385", "386", "387", "388", "389", "390", "391", "396", "402", "403"}
REMOTE_DISTRICTS = {"384", "385", "387", "388"}  # many specially disadvantaged (đặc biệt khó khăn) communes
# "Easy and low-cost criteria first": the order in which communes typically meet the 19 criteria.
EASY_FIRST_19 = ["1", "8", "4", "19", "18", "12", "16", "3", "9", "14", "15", "7", "6", "5", "11", "13", "10", "2", "17"]


@dataclass
class CommunePath:
    code: str
    district: str
    start_met: int  # criteria met in 2011 (out of 19)
    ntm_year: int | None
    nc_year: int | None = None  # nâng cao (sets exist from 2021)
    km_year: int | None = None  # kiểu mẫu
    slips: set[int] = field(default_factory=set)  # years in which one criterion is lost
    dbkk: bool = False
    order: list[str] = field(default_factory=list)
    first_year: int = FIRST_YEAR  # the years the unit existed (on 1 January): its figures' years
    last_year: int = LAST_LEGACY_YEAR

    def exists(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year

    def level(self, year: int) -> str | None:
        if self.ntm_year is None or year < self.ntm_year or year in self.slips:
            return None
        if self.km_year and year >= self.km_year:
            return "kieu_mau"
        if self.nc_year and year >= self.nc_year:
            return "nang_cao"
        return "ntm"

    def met_count(self, year: int, total: int = 19) -> int:
        if self.level(year):
            return total
        if year in self.slips:
            return total - 1
        end = self.ntm_year if self.ntm_year else LAST_LEGACY_YEAR + 4
        span = max(end - FIRST_YEAR, 1)
        grown = self.start_met + (total - 1 - self.start_met) * (year - FIRST_YEAR) / span
        return max(0, min(total - 1, round(grown)))

    def failing(self, year: int, codes: list[str]) -> set[str]:
        """The criteria not met this year: the hardest ones by this commune's order."""
        order = [c for c in self.order if c in codes] + [c for c in codes if c not in self.order]
        if year in self.slips and self.ntm_year and year > self.ntm_year:
            return {order[len(order) // 2 + (hash(self.code) % 3)]}
        k = self.met_count(year, len(codes))
        return set(order[k:])


def _order(rng: random.Random) -> list[str]:
    order = list(EASY_FIRST_19)
    for i in range(len(order) - 1):  # each commune's own path: neighbours swap now and then
        if rng.random() < 0.3:
            order[i], order[i + 1] = order[i + 1], order[i]
    return order


@dataclass(frozen=True)
class Milestone:
    """A district's recorded path (data/districts-38.toml): NTM in `ntm_year`, with `share` of its xã NTM then."""
    district: str
    ntm_year: int
    share: tuple[int, int] | None
    source: str


def milestones(path: Path = MILESTONES) -> dict[str, Milestone]:
    """{district code: Milestone} from the data file (each entry with its source and trust)."""
    with path.open("rb") as f:
        data = tomllib.load(f)
    return {d["code"]: Milestone(d["code"], d["ntm_year"], tuple(d["communes_ntm"]) if "communes_ntm" in d else None,
                                 d["source"]) for d in data.get("district", [])}


def _follow(paths: dict[str, CommunePath], codes: list[str], m: Milestone, seed: int) -> None:
    """Set these communes' NTM years so the district reaches `m`: share × its xã of that year NTM by the
    end of `m.ntm_year` (all of them the year before when no share is recorded), the rest the year after
    (from 2016 the district set asks every commune: 558/QĐ-TTg)."""
    rng = random.Random(f"{seed}-milestone-{m.district}")
    present = sorted(c for c in codes if paths[c].exists(m.ntm_year))
    need = len(present) if m.share is None else math.ceil(len(present) * m.share[0] / m.share[1])
    last = m.ntm_year - 1 if m.share is None else m.ntm_year
    early = set(rng.sample(present, need))
    for code in codes:
        p = paths[code]
        year = rng.randint(2012, last) if code in early else m.ntm_year + 1
        p.ntm_year = max(year, p.first_year)
        p.slips = {y for y in p.slips if y > p.ntm_year}


def plan_communes(communes: list[tuple[str, str]], seed: int,
                  years: dict[str, tuple[int, int]] | None = None,
                  recorded: dict[str, Milestone] | None = None) -> dict[str, CommunePath]:
    """communes: (code, district code) of every xã of the province before the 2025 reform, the units of
    their time included; years: code → (first, last) year it existed (default 2011–2025); recorded:
    districts whose public record the paths follow (default: data/districts-38.toml)."""
    years = years or {}
    recorded = milestones() if recorded is None else recorded
    paths: dict[str, CommunePath] = {}
    tho_xuan = sorted(c for c, d in communes if d == THO_XUAN)
    for code, district in communes:
        rng = random.Random(f"{seed}-{code}")
        if district == THO_XUAN:
            continue
        mountain, remote = district in MOUNTAIN_DISTRICTS, district in REMOTE_DISTRICTS
        start = rng.randint(1, 5) if mountain else rng.randint(3, 9)
        never = rng.random() < (0.45 if remote else 0.25 if mountain else 0.08)
        first, last = years.get(code, (FIRST_YEAR, LAST_LEGACY_YEAR))
        ntm = None if never else rng.randint(2014, 2025) if mountain else rng.randint(2012, 2023)
        if ntm is not None and first > FIRST_YEAR:  # formed by a merge: NTM from its first year at the earliest
            ntm = max(ntm, first)
        nc = km = None
        if ntm and ntm <= 2020 and rng.random() < 0.4:
            nc = rng.randint(2021, 2025)
            if rng.random() < 0.25:
                km = min(2025, nc + rng.randint(1, 2))
        slips = {y for y in range((ntm or 2099) + 1, LAST_LEGACY_YEAR + 1) if rng.random() < 0.05 and y not in (nc, km)}
        paths[code] = CommunePath(code, district, start, ntm, nc, km, slips, remote and rng.random() < 0.5, _order(rng),
                                  first, last)
    for m in recorded.values():
        _follow(paths, [c for c, d in communes if d == m.district], m, seed)
    paths.update(_plan_tho_xuan(tho_xuan, seed, years))
    return paths


def _plan_tho_xuan(codes: list[str], seed: int, spans: dict[str, tuple[int, int]]) -> dict[str, CommunePath]:
    """The communes of 2011 (38) carry the 2011–2018 story; those formed by the 2019 merges (from 2020)
    are NTM from their first year; the 2022 counts are over the communes of 2022 (27)."""
    rng = random.Random(f"{seed}-tho-xuan")
    span = {c: spans.get(c, (FIRST_YEAR, LAST_LEGACY_YEAR)) for c in codes}
    old = [c for c in codes if span[c][0] <= FIRST_YEAR]
    n = len(old)
    # 2011: 5.6 criteria per commune on average → the total is fixed, spread over communes.
    total = round(5.6 * n)
    starts = dict.fromkeys(old, total // n)
    for c in rng.sample(old, total - sum(starts.values())):
        starts[c] += 1
    others = [c for c in old if c != NAM_GIANG]
    # NTM years 2012–2018 (at least one commune in 2018), Nam Giang in 2016; merged communes: their first year.
    years = {c: rng.randint(2012, 2018) for c in others}
    years[others[-1]] = 2018
    years[NAM_GIANG] = 2016
    years.update({c: span[c][0] for c in codes if c not in starts})
    # By the 2022 evaluations: 11 advanced (exactly) and 2 model communes; Nam Giang advanced in 2023.
    later = [c for c in codes if c != NAM_GIANG and span[c][0] <= 2022 <= span[c][1]]
    ranked = rng.sample(later, len(later))
    nc = {c: rng.choice([2021, 2022]) for c in ranked[:13]}
    km = {c: 2022 for c in ranked[:2]}
    for c in ranked[13:17]:
        nc[c] = rng.choice([2024, 2025])
    nc[NAM_GIANG] = 2023
    paths = {}
    for code in codes:
        crng = random.Random(f"{seed}-{code}")
        paths[code] = CommunePath(code, THO_XUAN, starts.get(code, 19), years[code], nc.get(code), km.get(code), set(),
                                  False, _order(crng), *span[code])
    return paths


def district_ntm_year(district: str, paths: list[CommunePath]) -> int | None:
    """A district meets its own criteria the year after its last commune reaches NTM (Thọ Xuân: 2019)."""
    if district == THO_XUAN:
        return 2019
    recorded = milestones().get(district)
    if recorded:
        return recorded.ntm_year
    years = [p.ntm_year for p in paths]
    if not years or None in years:
        return None
    return max(2016, max(years) + 1) if max(years) + 1 <= LAST_LEGACY_YEAR else None


def hamlet_years(count: int, seed: int) -> list[int | None]:
    """Model-hamlet years for Thọ Xuân's hamlets: 12 by 2022 (3, 4, 5 in 2020–2022), more later."""
    rng = random.Random(f"{seed}-hamlets")
    years: list[int | None] = [2020] * 3 + [2021] * 4 + [2022] * 5 + [2023] * 4 + [2024] * 3 + [2025] * 3
    years += [None] * max(0, count - len(years))
    rng.shuffle(years)
    return years[:count]


def group_2026(predecessor_districts: set[str], had_town: bool) -> int:
    """Commune group under 51/2025: 3 = mountain/ethnic areas, 1 = peri-urban, else 2."""
    if predecessor_districts & REMOTE_DISTRICTS or len(predecessor_districts & MOUNTAIN_DISTRICTS) == len(predecessor_districts):
        return 3
    return 1 if had_town else 2
