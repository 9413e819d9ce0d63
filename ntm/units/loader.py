"""Load every administrative unit of Vietnam from vietnam-provinces, in bulk and idempotently.

Current two-level units (34 provinces, 3,321 communes) and legacy three-level units (63 / 696 /
10,051), plus the library's old → new lineage. A second run only writes what changed.
"""

from __future__ import annotations

import datetime as dt
import logging
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import models, router, transaction
from django.db.models.deletion import Collector
from vietnam_provinces import Province, Ward
from vietnam_provinces._province_conversion_2025 import OLD_TO_NEW as PROVINCE_OLD_TO_NEW
from vietnam_provinces._ward_conversion_2025 import OLD_TO_NEW
from vietnam_provinces.legacy import District as LegacyDistrict
from vietnam_provinces.legacy import Province as LegacyProvince
from vietnam_provinces.legacy import Ward as LegacyWard

from ntm.core import versions
from ntm.core.text import fold

from .models import REFORM_DATE, Lineage, Unit
from .regions import legacy_province_regions, majority_region, successor_region

logger = logging.getLogger(__name__)

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
    if stats.created or stats.updated or new_links:
        versions.bump(versions.RESULTS)  # bulk writes send no signals: dashboards and the portal must miss
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
BASES = ("read", "gso", "inferred")


@dataclass
class HistoryStats:
    units_created: int = 0
    units_updated: int = 0
    lineage_created: int = 0
    reorganisations: list[str] = field(default_factory=list)


class HistoryError(Exception):
    """A history file is invalid: every problem, each naming the file and the merge."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def history_files() -> list[Path]:
    return sorted(HISTORY_DIR.glob("history-*.toml"))


def history_code(gso: str, effective: dt.date) -> str:
    """The code of a unit that ended before the 30/06/2025 list: its GSO code and the year it ended,
    e.g. "15490-2019" (GSO reuses codes: 15493 was xã Thọ Nguyên until 2019, xã Xuân Hồng since)."""
    return f"{gso}-{effective.year}"


@dataclass
class _Planned:
    code: str
    level: str
    kind: str
    name: str
    parent: str  # code (legacy scheme) of its district or province
    valid_to: dt.date


def _read_history(paths: list[Path]) -> tuple[list[dict], list[str]]:
    """(reorganisations sorted by date of effect, each with its file name; problems found)."""
    reorgs, errors = [], []
    for path in paths:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            errors.append(f"{path.name}: không đọc được ({exc})")
            continue
        for n, reorg in enumerate(data.get("reorganisation", []), start=1):
            if not isinstance(reorg.get("effective"), dt.date) or not reorg.get("resolution"):
                errors.append(f"{path.name}: lần sắp xếp {n} thiếu 'resolution' hoặc 'effective' (ngày hiệu lực)")
                continue
            reorgs.append({**reorg, "_file": path.name})
    return sorted(reorgs, key=lambda r: r["effective"]), errors


@transaction.atomic
def load_history(paths: list[Path] | None = None) -> HistoryStats:
    """Load the reorganisations before 2025 (data/history-*.toml) as dated lineage.

    Each unit that ended gets its own legacy record (code "<GSO>-<year>", valid until the day before the
    date of effect, under its district of the time); each merge links it to the unit it flowed into; a
    unit formed by a merge gets valid_from = the date of effect. Idempotent (a second run writes
    nothing); all-or-nothing: a bad file writes nothing and raises HistoryError naming every problem."""
    stats = HistoryStats()
    reorgs, errors = _read_history(paths if paths is not None else history_files())
    L = Unit.Scheme.LEGACY
    planned: dict[str, _Planned] = {}
    links: list[tuple[str, str, dt.date, bool]] = []  # (source code, target code, date, target is new)
    named_in: dict[str, str] = {}  # code → where the file names it (for messages)
    for reorg in reorgs:
        day = reorg["effective"]
        end = day - dt.timedelta(days=1)
        stats.reorganisations.append(f"{reorg['resolution']} ({day:%d/%m/%Y})")
        for d in reorg.get("district", []):
            code = history_code(str(d["code"]), day)
            planned[code] = _Planned(code, Unit.Level.DISTRICT, d.get("kind", "huyện"), d["name"], "", end)
            links.append((code, str(d["into"]), day, False))
        for part in ("merge", "ended"):
            for n, merge in enumerate(reorg.get(part, []), start=1):
                where = f"{reorg['_file']}: {reorg['resolution']}, {part} {n}"
                olds = merge.get("from") or []
                if not olds:
                    errors.append(f"{where}: thiếu 'from' (các đơn vị trước sắp xếp)")
                for old in olds:
                    if old.get("basis", "read") not in BASES:
                        errors.append(f"{where}: 'basis' = '{old.get('basis')}' của {old.get('name')} phải là một trong "
                                      f"{', '.join(BASES)}")
                    code = history_code(str(old["code"]), day)
                    if code in planned:
                        errors.append(f"{where}: mã '{code}' ({old['name']}) bị trùng")
                    planned[code] = _Planned(code, Unit.Level.COMMUNE, old.get("kind", "xã"), old["name"],
                                             str(merge["district"]), end)
                    named_in.setdefault(str(merge["district"]), where)
                    named_in.setdefault(str(merge.get("into")), where)
                    if part == "merge":
                        links.append((code, str(merge["into"]), day, bool(merge.get("new"))))
    wanted = {c for link in links for c in link[:2]} | {p.parent for p in planned.values() if p.parent}
    existing = {u.code: u for u in Unit.objects.filter(scheme=L, code__in=wanted | set(planned)).select_related("province")}
    for code in sorted(wanted - set(planned) - set(existing)):
        errors.append(f"{named_in.get(code, 'district')}: không có đơn vị mã '{code}' trong danh mục trước 01/07/2025 "
                      "hay trong tệp lịch sử")
    limit = Unit._meta.get_field("code").max_length
    errors += [f"mã lịch sử '{c}' dài quá {limit} ký tự" for c in planned if len(c) > limit]
    if errors:
        raise HistoryError(errors)
    records: dict[str, Unit] = {}
    # districts first (communes hang under them), then communes; parents resolve to existing or planned units
    for level in (Unit.Level.DISTRICT, Unit.Level.COMMUNE):
        for p in (p for p in planned.values() if p.level == level):
            parent = existing.get(p.parent) if p.parent else None
            if p.level == Unit.Level.DISTRICT:  # a district hangs under the province of the district it flowed into
                into = next(existing[t] for s, t, _, _ in links if s == p.code)
                parent = into.parent
            province = parent.province if parent.province_id else parent
            full = f"{p.kind.capitalize()} {p.name}"
            values = {"level": p.level, "kind": p.kind, "name": p.name, "full_name": full, "search_name": fold(full),
                      "parent": parent, "province": province, "region": parent.region, "valid_to": p.valid_to}
            unit = existing.get(p.code)
            if unit is None:
                unit = Unit.objects.create(scheme=L, code=p.code, **values)
                stats.units_created += 1
            elif any(getattr(unit, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(unit, k, v)
                unit.save()
                stats.units_updated += 1
            existing[p.code] = unit
            records[p.code] = unit
    have = set(Lineage.objects.filter(source__in=records.values()).values_list("source_id", "target_id"))
    new_links = []
    for source, target, day, new in links:
        s, t = existing[source], existing[target]
        if new and t.valid_from != day:
            t.valid_from = day
            t.save(update_fields=["valid_from"])
            stats.units_updated += 1
        if (s.pk, t.pk) not in have:
            new_links.append(Lineage(source=s, target=t, partial=False, date=day))
            have.add((s.pk, t.pk))
    Lineage.objects.bulk_create(new_links)
    stats.lineage_created = len(new_links)
    _drop_superseded_local_records()
    versions.bump(versions.RESULTS)  # bulk writes send no signals: dashboards and the portal must miss
    return stats


def _drop_superseded_local_records() -> None:
    """The first history file stored its units in the local scheme (codes "h20xx-…"), superseded by
    the records above. Delete only those that nothing refers to: a deletion would cascade to figures,
    evaluations and plans, so a record that holds any stays (and says so) rather than lose them."""
    for unit in Unit.objects.filter(scheme=Unit.Scheme.LOCAL, level=Unit.Level.COMMUNE, code__regex=r"^h20[0-9]{2}-"):
        collector = Collector(using=router.db_for_write(Unit))
        collector.collect([unit])
        held = [m._meta.label for m, objs in collector.data.items() if objs and m not in (Unit, Lineage)]
        if held:
            logger.warning("Giữ đơn vị %s (%s): còn dữ liệu gắn với nó (%s)", unit.code, unit.full_name, ", ".join(held))
            continue
        unit.delete()
