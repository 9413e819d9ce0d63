"""Load every administrative unit of Vietnam from vietnam-provinces, in bulk and idempotently.

Current two-level units (34 provinces, 3,321 communes) and legacy three-level units (63 / 696 /
10,051), plus the library's old → new lineage. A second run only writes what changed.
"""

from __future__ import annotations

import datetime as dt
import tomllib
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import models, transaction
from vietnam_provinces import Province, Ward
from vietnam_provinces._province_conversion_2025 import OLD_TO_NEW as PROVINCE_OLD_TO_NEW
from vietnam_provinces._ward_conversion_2025 import OLD_TO_NEW
from vietnam_provinces.legacy import District as LegacyDistrict
from vietnam_provinces.legacy import Province as LegacyProvince
from vietnam_provinces.legacy import Ward as LegacyWard

from ntm.core.text import fold

from .models import REFORM_DATE, Lineage, Unit
from .regions import legacy_province_regions, majority_region, successor_region

LEGACY_END = REFORM_DATE - dt.timedelta(days=1)
_PREFIXES = ("Thành phố", "Tỉnh", "Quận", "Huyện", "Thị xã", "Thị trấn", "Xã", "Phường", "Đặc khu")
_KIND = {"thành phố trung ương": "thành phố"}


def short_name(full: str) -> str:
    for prefix in _PREFIXES:
        if full.startswith(prefix + " "):
            return full[len(prefix) + 1 :]
    return full


@dataclass
class Row:
    scheme: str
    code: str
    level: str
    kind: str
    full_name: str
    parent: tuple[str, str] | None
    region: str = ""

    def unit(self) -> Unit:
        return Unit(
            scheme=self.scheme, code=self.code, level=self.level, kind=self.kind, full_name=self.full_name,
            name=short_name(self.full_name), search_name=fold(self.full_name), region=self.region,
            valid_from=None if self.scheme == Unit.Scheme.LEGACY else REFORM_DATE,
            valid_to=LEGACY_END if self.scheme == Unit.Scheme.LEGACY else None,
        )


@dataclass
class LoadStats:
    created: int = 0
    updated: int = 0
    lineage_created: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def source_rows() -> tuple[list[Row], list[tuple[str, str, bool, str]]]:
    """All units as plain rows (parents by (scheme, code)), and lineage (old code, new code, partial)."""
    L, C = Unit.Scheme.LEGACY.value, Unit.Scheme.CURRENT.value
    P, D, W = (lambda c: str(c).zfill(2)), (lambda c: str(c).zfill(3)), (lambda c: str(c).zfill(5))
    prov_region = legacy_province_regions()
    rows: list[Row] = []
    for p in LegacyProvince.iter_all():
        rows.append(Row(L, P(p.code.value), "province", _kind(p.division_type), p.name, None, prov_region.get(p.code.value, "")))
    district_region: dict[int, str] = {}
    for d in LegacyDistrict.iter_all():
        region = prov_region.get(d.province_code.value, "")
        district_region[d.code.value] = region
        rows.append(Row(L, D(d.code.value), "district", _kind(d.division_type), d.name, (L, P(d.province_code.value)), region))
    legacy_region: dict[str, str] = {}
    for w in LegacyWard.iter_all():
        region = district_region.get(w.district_code.value, "")
        legacy_region[W(w.code.value)] = region
        rows.append(Row(L, W(w.code.value), "commune", _kind(w.division_type), w.name, (L, D(w.district_code.value)), region))

    lineage = [
        (W(old), W(new.code), len(entry.new_wards) > 1 or entry.old_ward.is_partly_merged, "commune")
        for old, entry in OLD_TO_NEW.items()
        if W(old) in legacy_region
        for new in entry.new_wards
    ]
    preds: dict[str, list[tuple[str, str]]] = {}
    for old, new, _, _ in lineage:
        preds.setdefault(new, []).append((old, legacy_region[old]))
    # Provinces: the library's province table (old → new, e.g. Đắk Nông and Bình Thuận → Lâm Đồng).
    lineage += [
        (P(old), P(new.code), len(entry.new_provinces) > 1, "province")
        for old, entry in PROVINCE_OLD_TO_NEW.items()
        for new in entry.new_provinces
    ]
    province_regions: dict[str, list[str]] = {}
    commune_rows = []
    for w in Ward.iter_all():
        code = W(w.code.value)
        region = successor_region(code, sorted(preds.get(code, [])))
        province_regions.setdefault(P(w.province_code.value), []).append(region)
        commune_rows.append(Row(C, code, "commune", _kind(w.division_type), w.name, (C, P(w.province_code.value)), region))
    for p in Province.iter_all():
        region = majority_region(province_regions.get(P(p.code.value), []))
        rows.append(Row(C, P(p.code.value), "province", _kind(p.division_type), p.name, None, region))
    rows.extend(commune_rows)
    return rows, lineage


def _kind(division_type: object) -> str:
    value = str(getattr(division_type, "value", division_type))
    return _KIND.get(value, value)


@transaction.atomic
def load_units() -> LoadStats:
    rows, lineage = source_rows()
    stats = LoadStats()
    ids = _upsert(rows, stats)
    existing = set(Lineage.objects.values_list("source_id", "target_id"))
    L, C = Unit.Scheme.LEGACY.value, Unit.Scheme.CURRENT.value
    new_links = [
        Lineage(source_id=ids[(L, old)], target_id=ids[(C, new)], partial=partial, date=REFORM_DATE)
        for old, new, partial, _ in lineage
        if (ids[(L, old)], ids[(C, new)]) not in existing
    ]
    Lineage.objects.bulk_create(new_links, batch_size=2000)
    stats.lineage_created = len(new_links)
    stats.counts = unit_counts()
    return stats


_FIELDS = ("full_name", "name", "search_name", "region", "kind", "parent_id", "province_id")


def _upsert(rows: list[Row], stats: LoadStats) -> dict[tuple[str, str], int]:
    """Insert missing units and update changed ones, top level first so parents have ids.

    Returns (scheme, code) → id. A second run reads one query and writes nothing.
    """
    state = {
        (s, c): (pk, *rest)
        for pk, s, c, *rest in Unit.objects.exclude(scheme=Unit.Scheme.LOCAL).values_list("pk", "scheme", "code", *_FIELDS)
    }
    ids = {key: v[0] for key, v in state.items()}
    province_of: dict[tuple[str, str], tuple[str, str]] = {}
    levels: list[list[Row]] = [[], [], []]
    for row in rows:  # rows come parents first, so a parent's province is known before its children
        key = (row.scheme, row.code)
        province_of[key] = key if row.parent is None else province_of[row.parent]
        levels[0 if row.parent is None else (1 if row.level == "district" else 2)].append(row)
    for level_rows in levels:
        missing, changed = [], []
        for row in level_rows:
            key = (row.scheme, row.code)
            unit = row.unit()
            unit.parent_id = ids[row.parent] if row.parent else None
            unit.province_id = ids.get(province_of[key])
            found = state.get(key)
            if found is None:
                missing.append((key, unit))
            elif tuple(found[1:]) != tuple(getattr(unit, f) for f in _FIELDS):
                unit.pk = found[0]
                changed.append(unit)
        Unit.objects.bulk_create([u for _, u in missing], batch_size=2000)
        ids.update({key: unit.pk for key, unit in missing})
        Unit.objects.bulk_update(changed, [f.removesuffix("_id") for f in _FIELDS], batch_size=500)
        stats.created += len(missing)
        stats.updated += len(changed)
    # A province is its own top: set once its id exists.
    Unit.objects.filter(level=Unit.Level.PROVINCE, province__isnull=True).update(province_id=models.F("pk"))
    return ids


def unit_counts() -> dict[str, int]:
    from django.db.models import Count

    out: dict[str, int] = {}
    for row in Unit.objects.values("scheme", "level").annotate(n=Count("id")).order_by():
        out[f"{row['scheme']}.{row['level']}"] = row["n"]
    return out


# --- reorganisations before 2025 (data/history-*.toml) ----------------------------------------------

HISTORY_DIR = Path(__file__).parent / "data"


@dataclass
class HistoryStats:
    units_created: int = 0
    lineage_created: int = 0
    reorganisations: list[str] = field(default_factory=list)


class HistoryError(Exception):
    """A history file is invalid: every problem, each naming the file and the merge."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def history_files() -> list[Path]:
    return sorted(HISTORY_DIR.glob("history-*.toml"))


def history_code(year: int, district: str, name: str) -> str:
    """A local code for a unit that disappeared before the 2025 lists (its official code not read):
    'h' + year + district code + 4 hex digits of its folded name, e.g. "h2019-395-3f2a" (≤ 16 chars)."""
    return f"h{year}-{district}-{zlib.crc32(fold(name).encode()) & 0xFFFF:04x}"


@transaction.atomic
def load_history(paths: list[Path] | None = None) -> HistoryStats:
    """Load dated lineage of reorganisations before 2025: each unit that flowed into a unit of the
    30/06/2025 list gets its own (local) code, valid until the day before, and a lineage row to it.
    Idempotent; all-or-nothing (a bad file writes nothing and names every problem)."""
    stats = HistoryStats()
    errors: list[str] = []
    plans = []
    seen_codes: dict[str, str] = {}
    for path in paths if paths is not None else history_files():
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for reorg in data.get("reorganisation", []):
            day = reorg["date"]
            stats.reorganisations.append(f"{reorg['resolution']} ({day:%d/%m/%Y})")
            for n, merge in enumerate(reorg.get("merge", []), start=1):
                where = f"{path.name}: {reorg['resolution']}, merge {n}"
                target = Unit.objects.filter(scheme=Unit.Scheme.LEGACY, code=str(merge["into"])).select_related(
                    "parent", "province").first()
                if target is None:
                    errors.append(f"{where}: không có đơn vị mã '{merge['into']}' trong danh mục trước 01/07/2025")
                    continue
                if target.parent is None or target.parent.code != str(merge["district"]):
                    errors.append(f"{where}: {target.full_name} không thuộc huyện mã '{merge['district']}'")
                    continue
                for old in merge["from"]:
                    code = str(old.get("code") or history_code(reorg["date"].year, target.parent.code, old["name"]))
                    if len(code) > Unit._meta.get_field("code").max_length or code in seen_codes:
                        errors.append(f"{where}: mã '{code}' của {old['name']} quá dài hoặc bị trùng")
                    seen_codes[code] = old["name"]
                plans.append((reorg, day, merge, target))
    if errors:
        raise HistoryError(errors)
    existing = set(Lineage.objects.values_list("source_id", "target_id"))
    for _reorg, day, merge, target in plans:
        if merge.get("new") and target.valid_from is None:
            target.valid_from = day
            target.save(update_fields=["valid_from", "search_name"])
        for old in merge["from"]:
            kind = old.get("kind", "xã")
            full = f"{kind.capitalize()} {old['name']}"
            code = str(old.get("code") or history_code(day.year, target.parent.code, old["name"]))
            unit, created = Unit.objects.get_or_create(
                scheme=Unit.Scheme.LOCAL, code=code,
                defaults={"level": Unit.Level.COMMUNE, "kind": kind, "name": old["name"],
                          "full_name": full, "parent": target.parent,
                          "province": target.province, "region": target.region,
                          "valid_to": day - dt.timedelta(days=1)},
            )
            stats.units_created += created
            if (unit.pk, target.pk) not in existing:
                Lineage.objects.create(source=unit, target=target, partial=False, date=day)
                existing.add((unit.pk, target.pk))
                stats.lineage_created += 1
    return stats
