"""Store validated criteria files as versions, and build the registry the engine reads."""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from django.db import transaction
from django.db.models import Max

from ntm.core.sql import reading

from .models import CriteriaSet, Criterion, FieldDef, Indicator
from .signals import set_published
from .spec import CriteriaSetSpec, SpecError, build_spec, read_toml, shared_fields, to_jsonable

SETS_DIR = Path(__file__).parent / "sets"


@dataclass
class LoadResult:
    code: str
    version: int
    created: bool


def set_files() -> list[Path]:
    return [p for p in sorted(SETS_DIR.glob("*.toml")) if p.name != "fields.toml"]


def _extends(path: Path) -> bool:
    """A province's own set (it extends a national one) is loaded after the national sets."""
    return bool(read_toml(path)[0].get("set", {}).get("extends"))


def merge_province_override(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """A province's set = the national set with some thresholds replaced (its own decision)."""
    merged = copy.deepcopy(base)
    head = override["set"]
    merged["set"].update({k: v for k, v in head.items() if k not in ("overrides", "drop_criteria")})
    errors = []
    # A frame (e.g. 691/QĐ-TTg's advanced commune, 51/2025's pilot "hiện đại") leaves criteria to the
    # province: the province's file may drop the frame's placeholders and add criteria of its own;
    # a criterion with the code of a national one replaces it whole.
    drop = {str(c) for c in head.get("drop_criteria", [])}
    unknown = drop - {str(c["code"]) for c in merged["criteria"]}
    errors += [f"drop_criteria: tiêu chí '{c}' không có trong bộ {head.get('extends')}" for c in sorted(unknown)]
    merged["criteria"] = [c for c in merged["criteria"] if str(c["code"]) not in drop]
    for crit in override.get("criteria", []):
        at = next((n for n, c in enumerate(merged["criteria"]) if str(c["code"]) == str(crit.get("code"))), None)
        if at is None:
            merged["criteria"].append(crit)
        else:
            merged["criteria"][at] = crit
    known_groups = {str(g["code"]) for g in merged.get("groups", [])}
    merged.setdefault("groups", []).extend(g for g in override.get("groups", []) if str(g["code"]) not in known_groups)
    merged.setdefault("fields", []).extend(override.get("fields", []))
    by_code = {i["code"]: i for c in merged["criteria"] for i in c["indicators"]}
    for row in override.get("thresholds", []):
        ind = by_code.get(str(row.get("indicator", "")))
        if ind is None:
            errors.append(f"[[thresholds]]: chỉ tiêu '{row.get('indicator')}' không có trong bộ {head.get('extends')}")
            continue
        new = {k: v for k, v in row.items() if k != "indicator"}
        # The province's row replaces national rows for the same class and overlapping years.
        key = ("region", "group")
        replaced = [t for t in ind["thresholds"] if all(t.get(k, "*") == new.get(k, "*") for k in key)
                    and t["year_from"] <= new["year_to"] and new["year_from"] <= t["year_to"]]
        op = new.get("op") or ind.get("op", ">=")
        for t in replaced:  # within the national frame: a province may be stricter, never looser
            # (than a value known nationally: an unverified national row is only a stand-in, e.g. the
            # 2020 income applied to 2016–2019, and a province's yearly path may sit below it)
            known = t.get("trust", "decision" if t.get("verified") else "unverified") != "unverified"
            if known and "value" in t and "value" in new and not isinstance(new["value"], bool) and (
                (op.startswith(">") and new["value"] < t["value"]) or (op.startswith("<") and new["value"] > t["value"])
            ):
                errors.append(f"[[thresholds]] chỉ tiêu {ind['code']}: {new['value']} lỏng hơn ngưỡng quốc gia {t['value']}")
        kept = [t for t in ind["thresholds"] if t not in replaced]
        for t in replaced:  # keep the national value for the years the province did not decide
            if t["year_from"] < new["year_from"]:
                kept.append({**t, "year_to": new["year_from"] - 1})
            if t["year_to"] > new["year_to"]:
                kept.append({**t, "year_from": new["year_to"] + 1})
        ind["thresholds"] = kept + [new]
    if errors:
        raise SpecError(errors)
    return merged


def parse_file(path: Path, registry_data: dict[str, dict[str, Any]] | None = None) -> tuple[CriteriaSetSpec, dict]:
    data, text = read_toml(path)
    head = data.get("set", {})
    if head.get("extends"):
        base = (registry_data or {}).get(head["extends"]) or _latest_data(head["extends"])
        if base is None:
            raise SpecError([f"{path}: bộ gốc '{head['extends']}' chưa được nạp"])
        if not head.get("province"):
            raise SpecError([f"{path}: bộ của tỉnh cần 'province' (mã tỉnh)"])
        data = merge_province_override(base, to_jsonable(data))
        spec = build_spec(data, "", str(path), known_fields=_fields_of(base))
    else:
        spec = build_spec(data, text, str(path))
    stored = to_jsonable(data)
    # Store the field definitions actually used, so a stored version rebuilds without files.
    used = {f for i in spec.indicators() for f in i.fields}
    stored["fields"] = [vars(spec.fields[f]) for f in sorted(used)]
    return spec, stored


def _fields_of(data: dict[str, Any]) -> dict:
    from .spec import FieldDef as F

    fields = shared_fields()
    fields.update({f["code"]: F(f["code"], f["name"], f.get("unit", ""), f.get("kind", "number")) for f in data.get("fields", [])})
    return fields


def _latest_data(code: str) -> dict[str, Any] | None:
    row = CriteriaSet.objects.filter(code=code, published=True).order_by("-version").first()
    return row.data if row else None


def checksum(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@transaction.atomic
def store(spec: CriteriaSetSpec, data: dict[str, Any], source_file: str = "") -> LoadResult:
    """Store as a new published version unless the latest version is identical (idempotent)."""
    digest = checksum(data)
    latest = CriteriaSet.objects.filter(code=spec.code).aggregate(v=Max("version"))["v"] or 0
    if latest and CriteriaSet.objects.filter(code=spec.code, version=latest, checksum=digest).exists():
        return LoadResult(spec.code, latest, False)
    _check_references(spec)
    row = CriteriaSet.objects.create(
        code=spec.code, version=latest + 1, name=spec.name, decision=spec.decision, unit_level=spec.unit_level,
        level=spec.level, requires=spec.requires, year_from=spec.year_from, year_to=spec.year_to,
        classification=spec.classification, province=spec.province, extends=spec.extends, data=data,
        checksum=digest, source_file=source_file,
    )
    for pos, c in enumerate(spec.criteria):
        crit = Criterion.objects.create(criteria_set=row, code=c.code, name=c.name, group=c.group, position=pos)
        Indicator.objects.bulk_create(
            Indicator(criterion=crit, code=i.code, name=i.name, kind=i.kind, unit=i.unit, position=p)
            for p, i in enumerate(c.indicators)
        )
    for f in spec.fields.values():
        FieldDef.objects.update_or_create(code=f.code, defaults={"name": f.name, "unit": f.unit, "kind": f.kind})
    registry.cache_clear()
    if row.version > 1:  # a new version of a set already in use: stored results must follow it
        set_published.send(sender=CriteriaSet, code=spec.code, version=row.version,
                           years=list(range(spec.year_from, spec.year_to + 1)), province=spec.province)
    return LoadResult(spec.code, row.version, True)


def _check_references(spec: CriteriaSetSpec) -> None:
    known = set(CriteriaSet.objects.filter(published=True).values_list("code", flat=True)) | {spec.code}
    errors = []
    if spec.requires and spec.requires not in known:
        errors.append(f"Bộ {spec.code} yêu cầu bộ '{spec.requires}' chưa được nạp")
    for ind in spec.indicators():
        for t in ind.thresholds:
            if t.ref_set and t.ref_set not in known:
                errors.append(f"Bộ {spec.code}, chỉ tiêu {ind.code}: tham chiếu bộ '{t.ref_set}' chưa được nạp")
    if errors:
        raise SpecError(sorted(set(errors)))


def load_path(path: Path) -> LoadResult:
    spec, data = parse_file(path)
    return store(spec, data, path.name)


def load_all() -> list[LoadResult]:
    """Load every file in sets/, in dependency order (a set after the set it requires)."""
    pending = {p: parse_file(p) for p in set_files() if not _extends(p)}
    results: list[LoadResult] = []
    loaded = set(CriteriaSet.objects.values_list("code", flat=True))
    while pending:
        ready = [p for p, (spec, _) in pending.items() if _deps(spec) <= loaded | {spec.code}]
        if not ready:
            raise SpecError([f"{p}: phụ thuộc bộ chưa có: {sorted(_deps(s) - loaded)}" for p, (s, _) in pending.items()])
        for p in ready:
            spec, data = pending.pop(p)
            results.append(store(spec, data, p.name))
            loaded.add(spec.code)
    results += [load_path(p) for p in set_files() if _extends(p)]
    return results


def _deps(spec: CriteriaSetSpec) -> set[str]:
    refs = {t.ref_set for i in spec.indicators() for t in i.thresholds if t.ref_set}
    return ({spec.requires} if spec.requires else set()) | refs


class _Registry:
    """Latest published spec of each set, rebuilt only when a set is loaded (cheap to call).

    Each call asks the database whether a set was published since (one small query), except within
    one web request, where the first call's answer stands (a save asked it 6 times); a set saved in
    this process clears it at once (`criteria.apps`)."""

    def __init__(self) -> None:
        self._key: tuple[int, int] | None = None
        self._specs: dict[str, CriteriaSetSpec] = {}
        self._versions: dict[str, int] = {}
        self._request = threading.local()  # .checked: the current request has asked the database

    def request_started(self, **kwargs) -> None:
        self._request.active, self._request.checked = True, False

    def request_finished(self, **kwargs) -> None:
        self._request.active = self._request.checked = False

    def __call__(self) -> dict[str, CriteriaSetSpec]:
        if self._key is not None and getattr(self._request, "checked", False):
            return self._specs
        self._request.checked = getattr(self._request, "active", False)
        db = reading(CriteriaSet)
        with db.cursor() as cursor:  # plain SQL: asked once per request, the ORM cost more than the answer
            cursor.execute(f"SELECT MAX(id), MAX(version) FROM {CriteriaSet._meta.db_table} WHERE published = %s", [True])
            m, n = cursor.fetchone()
        key = (m or 0, n or 0)
        if key != self._key:
            specs: dict[str, CriteriaSetSpec] = {}
            versions: dict[str, int] = {}
            for row in CriteriaSet.objects.filter(published=True).order_by("code", "version"):
                specs[row.code] = build_spec(row.data, known_fields={})
                versions[row.code] = row.version
            self._specs, self._versions, self._key = specs, versions, key
        return self._specs

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Within the block, this thread asks the database once, as within a web request: a bulk path
        that evaluates in runs (the national recompute) then never waits for the connection behind
        its own background reads (core.sql.Behind) to ask whether a set was published meanwhile."""
        state = getattr(self._request, "active", False), getattr(self._request, "checked", False)
        self._request.active, self._request.checked = True, False
        try:
            yield
        finally:
            self._request.active, self._request.checked = state

    def versions(self) -> dict[str, int]:
        """{set code: its latest published version}, as the registry holds it."""
        self()
        return self._versions

    def cache_clear(self, **kwargs) -> None:
        self._key = None
        self._request.checked = False


registry = _Registry()


_VIEWS: dict[tuple[int, str], tuple[dict, Mapping[str, CriteriaSetSpec]]] = {}


def province_view(specs: dict[str, CriteriaSetSpec], province_code: str) -> Mapping[str, CriteriaSetSpec]:
    """The registry as a province sees it: its own published version stands in for the national set.
    Read-only and made once per registry and province, so what the engine caches per view (resolved
    and compiled plans: criteria.evaluate) is found again on the next call."""
    key = (id(specs), province_code)
    cached = _VIEWS.get(key)
    if cached is not None and cached[0] is specs:
        return cached[1]
    view = dict(specs)
    for spec in specs.values():
        if spec.extends and spec.province == province_code and spec.extends in view:
            view[spec.extends] = _stand_in(spec)
    if len(_VIEWS) > 200:
        _VIEWS.clear()
    _VIEWS[key] = (specs, MappingProxyType(view))  # keeps `specs` alive, so its id stays its own
    return _VIEWS[key][1]


_STAND_INS: dict[int, tuple[CriteriaSetSpec, CriteriaSetSpec]] = {}


def _stand_in(spec: CriteriaSetSpec) -> CriteriaSetSpec:
    """The province's version under the national code, made once per spec object: every view then
    holds the same object, so what is cached per ladder (fields, rules) is found again on the next save."""
    cached = _STAND_INS.get(id(spec))
    if cached is None or cached[0] is not spec:
        if len(_STAND_INS) > 200:
            _STAND_INS.clear()
        cached = _STAND_INS[id(spec)] = (spec, replace(spec, code=spec.extends))
    return cached[1]


def file_registry(province: str = "") -> dict[str, CriteriaSetSpec]:
    """Every set straight from the files in sets/ (no database), as a province sees it when
    `province` is given: for tests, golden cases and checks before a load."""
    data: dict[str, dict[str, Any]] = {}
    specs: dict[str, CriteriaSetSpec] = {}
    for path in set_files():
        if not _extends(path):
            spec, stored = parse_file(path)
            specs[spec.code], data[spec.code] = spec, stored
    for path in set_files():
        if _extends(path):
            spec, stored = parse_file(path, data)
            specs[spec.code] = spec
    return province_view(specs, province) if province else specs
