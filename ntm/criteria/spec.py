"""Criteria-set files: parse and validate TOML into plain, immutable specs.

No ORM here: the same spec feeds the loader, the evaluation engine, the CLI and the tests.
Run `python -m ntm.criteria.spec FILE.toml` to validate a file by hand.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import re
import sys
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

REGIONS: tuple[str, ...] = ("TDMNPB", "DBSH", "BTB", "DHNTB", "TN", "DNB", "DBSCL")
REGION_NAMES: dict[str, str] = {
    "TDMNPB": "Trung du và miền núi phía Bắc",
    "DBSH": "Đồng bằng sông Hồng",
    "BTB": "Bắc Trung Bộ",
    "DHNTB": "Duyên hải Nam Trung Bộ",
    "TN": "Tây Nguyên",
    "DNB": "Đông Nam Bộ",
    "DBSCL": "Đồng bằng sông Cửu Long",
}
GROUPS: tuple[int, ...] = (1, 2, 3)
KINDS = ("bool", "number", "percent", "count")
OPS = (">=", "<=", "==", ">", "<")
UNIT_LEVELS = ("commune", "district", "hamlet", "province")
CLASSIFICATIONS = ("region", "group", "none")
LEVELS = ("ntm", "nang_cao", "kieu_mau", "hien_dai")
LEVEL_NAMES = {
    "ntm": "Nông thôn mới",
    "nang_cao": "Nông thôn mới nâng cao",
    "kieu_mau": "Nông thôn mới kiểu mẫu",
    "hien_dai": "Nông thôn mới hiện đại",
}

def gettext_noop(text: str) -> str:
    """Marks a string for the translation catalogue (like Django's gettext_noop) without importing
    Django here; pages translate it when they show it (ntm.core.templatetags.ntm.level_label)."""
    return text


# Short labels for a reached level ("" = none reached) and the order of levels, shared by every page.
LEVEL_LABELS = {"": gettext_noop("Chưa đạt"), "ntm": gettext_noop("Nông thôn mới"), "nang_cao": gettext_noop("NTM nâng cao"),
                "kieu_mau": gettext_noop("NTM kiểu mẫu"), "hien_dai": gettext_noop("NTM hiện đại")}
LEVEL_RANK = {"": 0, "ntm": 1, "nang_cao": 2, "kieu_mau": 3, "hien_dai": 3}
ANY = "*"
# How far a threshold can be trusted: read in the decision (or its official guidance), quoted by a
# secondary source (legal Q&A pages, provincial documents, news), or not read at all.
TRUST = ("decision", "secondary", "unverified")
TRUST_RANK = {"decision": 2, "secondary": 1, "unverified": 0}
TOP_TRUST = max(TRUST_RANK.values())  # the rank of a verdict resting on nothing less than a decision
TRUST_LABELS = {"decision": "Đọc trong quyết định", "secondary": "Nguồn thứ cấp", "unverified": "Chưa xác minh"}


def weakest(trusts) -> str:
    """The least trusted of some trust states ("decision" when there are none)."""
    return min(trusts, key=TRUST_RANK.__getitem__, default="decision")


# Kinds of unit each level's sets measure unless a set says otherwise (empty: every kind).
DEFAULT_UNIT_KINDS: dict[str, tuple[str, ...]] = {
    "commune": ("xã",),
    "district": ("huyện", "thị xã", "thành phố"),
}


class SpecError(Exception):
    """A criteria file is invalid; `errors` lists every problem, each naming its line."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Condition:
    """`when = {field = "schools_total", op = ">", value = 3}`: the row applies only when it holds."""

    field: str
    op: str
    value: float

    def holds(self, values) -> bool | None:
        """True/False, or None when the field has no value (the verdict is then 'missing data')."""
        got = values.get(self.field)
        if got is None:
            return None
        return COMPARE[self.op](float(got), float(self.value))

    def __str__(self) -> str:
        return f"{self.field} {self.op} {self.value:g}"


COMPARE = {">=": operator.ge, "<=": operator.le, "==": operator.eq, ">": operator.gt, "<": operator.lt}


@dataclass(frozen=True)
class Threshold:
    """One row of an indicator's thresholds. The target is `value`; or `factor` × another set's
    threshold (`ref_set`/`ref_indicator`); or `factor` × a past value of the unit itself that the
    caller supplies (`past`, e.g. "income_per_capita@ntm_year": the income in the year the unit
    reached NTM). `when` restricts the row to units where a condition on another field holds."""

    year_from: int
    year_to: int
    region: str = ANY
    group: int | str = ANY
    value: float | bool | None = None
    op: str | None = None
    trust: str = "unverified"
    source: str = ""
    ref_set: str = ""
    ref_indicator: str = ""
    factor: float = 1.0
    when: Condition | None = None
    past: str = ""

    def covers(self, year: int) -> bool:
        return self.year_from <= year <= self.year_to

    @property
    def verified(self) -> bool:
        """Legacy flag: read somewhere (decision or secondary source), i.e. not unverified."""
        return self.trust != "unverified"


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    kind: str
    unit: str
    op: str
    thresholds: tuple[Threshold, ...]
    field: str = ""
    numerator: str = ""
    denominator: str = ""

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(f for f in (self.field, self.numerator, self.denominator) if f)


@dataclass(frozen=True)
class Criterion:
    code: str
    name: str
    group: str
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class FieldDef:
    """A raw field. `min`/`max`: its plausible range in its own unit (`unit`), from fields.toml
    (see `field_bounds`); they are not stored with a set version, so they follow the data file."""

    code: str
    name: str
    unit: str
    kind: str

    @property
    def min(self) -> Decimal:
        return field_bounds(self.code, self.unit, self.kind)[0]

    @property
    def max(self) -> Decimal:
        return field_bounds(self.code, self.unit, self.kind)[1]


@dataclass(frozen=True)
class Override:
    when: str
    use_region: str
    source: str = ""


@dataclass(frozen=True)
class CriteriaSetSpec:
    code: str
    name: str
    decision: str
    year_from: int
    year_to: int
    unit_level: str
    level: str
    classification: str
    criteria: tuple[Criterion, ...]
    level_name: str = ""
    requires: str = ""
    decision_date: str = ""
    effective_from: str = ""
    amended_by: tuple[str, ...] = ()
    source: str = ""
    notes: str = ""
    overrides: tuple[Override, ...] = ()
    groups: tuple[tuple[str, str], ...] = ()
    fields: dict[str, FieldDef] = field(default_factory=dict)
    province: str = ""  # a province's own version of a national set (its decision in `decision`)
    extends: str = ""
    unit_kinds: tuple[str, ...] = ()  # kinds of unit the set evaluates (`unit_kinds` in [set]); () = the default

    def covers(self, year: int) -> bool:
        return self.year_from <= year <= self.year_to

    @cached_property
    def effective_date(self) -> dt.date:
        """The date of effect; a set that does not state one takes effect on 1 January of its first year."""
        if self.effective_from:
            return dt.date.fromisoformat(self.effective_from[:10])
        return dt.date(self.year_from, 1, 1)

    def in_force_on(self, on: dt.date) -> bool:
        """Taken effect by `on`, with thresholds for that year. Whether a later set replaced it
        is decided among sets (see evaluate.sets_in_force)."""
        return self.effective_date <= on and self.covers(on.year)

    def evaluates_kind(self, kind: str) -> bool:
        """Whether a unit of this kind (xã, phường, huyện…) is measured by this set. Rural sets measure
        rural units: commune sets xã (not phường, thị trấn, đặc khu), district sets huyện, thị xã and
        provincial cities (QĐ 320/QĐ-TTg: "huyện, thị xã, thành phố thuộc tỉnh")."""
        kinds = self.unit_kinds or DEFAULT_UNIT_KINDS.get(self.unit_level, ())
        return not kinds or kind in kinds

    def indicators(self) -> list[Indicator]:
        return [i for c in self.criteria for i in c.indicators]

    def indicator(self, code: str) -> Indicator | None:
        return next((i for i in self.indicators() if i.code == code), None)


SHARED_FIELDS_FILE = Path(__file__).parent / "sets" / "fields.toml"


KIND_BOUNDS = {"percent": (0, 100), "bool": (0, 1), "count": (0, 10_000_000), "number": (0, 1_000_000_000)}


@functools.cache
def shared_data() -> dict[str, Any]:
    """fields.toml, parsed once per process: [[fields]], [[bounds]], [[rules]]."""
    return tomllib.loads(SHARED_FIELDS_FILE.read_text(encoding="utf-8"))


@functools.cache
def field_bounds(code: str, unit: str, kind: str) -> tuple[Decimal, Decimal]:
    """(min, max) of a field in its own unit: its own `min`/`max` in fields.toml, else a `[[bounds]]`
    entry for its code, else one for its unit of measure, else its kind's default (KIND_BOUNDS).
    A percentage never leaves 0–100 and a yes/no field 0–1, whatever the file says."""
    data = shared_data()
    found: tuple | None = None
    for f in data.get("fields", []):
        if f.get("code") == code and ("min" in f or "max" in f):
            found = (f.get("min"), f.get("max"))
    for b in data.get("bounds", []):
        if found is None and b.get("field") == code:
            found = (b.get("min"), b.get("max"))
    for b in data.get("bounds", []):
        if found is None and unit and b.get("unit") == unit:
            found = (b.get("min"), b.get("max"))
    low, high = KIND_BOUNDS.get(kind, KIND_BOUNDS["number"])
    if found is not None:
        low = found[0] if found[0] is not None else low
        high = found[1] if found[1] is not None else high
    if kind in ("percent", "bool"):
        low, high = max(low, KIND_BOUNDS[kind][0]), min(high, KIND_BOUNDS[kind][1])
    return Decimal(str(low)), Decimal(str(high))


def shared_fields() -> dict[str, FieldDef]:
    data = shared_data()
    return {f["code"]: FieldDef(f["code"], f["name"], f.get("unit", ""), f.get("kind", "number")) for f in data["fields"]}


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    """Parse a file; a syntax error becomes a SpecError naming the line."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark (Windows editors) is not content
    except FileNotFoundError as exc:
        raise SpecError([f"{path}: không tìm thấy tệp"]) from exc
    except UnicodeDecodeError as exc:
        raise SpecError([f"{path}: tệp không phải UTF-8 ({exc.reason})"]) from exc
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _line_from_message(str(exc))
        raise SpecError([f"{path}:{line}: lỗi cú pháp TOML: {exc.msg if hasattr(exc, 'msg') else exc}"]) from exc


def _line_from_message(message: str) -> int | str:
    found = re.search(r"line (\d+)", message)
    return int(found.group(1)) if found else "?"


def to_jsonable(data: Any) -> Any:
    """TOML dates become ISO strings so a parsed file can be stored as JSON and rebuilt."""
    if isinstance(data, dict):
        return {k: to_jsonable(v) for k, v in data.items()}
    if isinstance(data, list):
        return [to_jsonable(v) for v in data]
    if isinstance(data, (dt.date, dt.datetime)):
        return data.isoformat()
    return data


class _Locator:
    """Finds the line of a code in the source text, so errors point at it."""

    def __init__(self, text: str, path: str):
        self.lines = text.splitlines()
        self.path = path

    def at(self, *needles: str) -> str:
        for needle in needles:
            pattern = re.compile(r'code\s*=\s*"' + re.escape(needle) + '"')
            for number, line in enumerate(self.lines, start=1):
                if pattern.search(line):
                    return f"{self.path}:{number}"
        return f"{self.path}"


def build_spec(
    data: dict[str, Any], text: str = "", path: str = "<data>", known_fields: dict[str, FieldDef] | None = None
) -> CriteriaSetSpec:
    """Validate parsed TOML and return the spec, or raise SpecError listing every problem."""
    loc = _Locator(text, path)
    errors: list[str] = []
    head = data.get("set")
    if not isinstance(head, dict):
        raise SpecError([f"{path}: thiếu bảng [set]"])
    for key in ("code", "name", "decision", "year_from", "year_to", "unit_level", "level", "classification"):
        if key not in head:
            errors.append(f"{loc.at()}: [set] thiếu khoá '{key}'")
    if errors:
        raise SpecError(errors)
    if head["unit_level"] not in UNIT_LEVELS:
        errors.append(f"{path}: unit_level '{head['unit_level']}' không hợp lệ (chọn: {', '.join(UNIT_LEVELS)})")
    if head["level"] not in LEVELS:
        errors.append(f"{path}: level '{head['level']}' không hợp lệ (chọn: {', '.join(LEVELS)})")
    if head["classification"] not in CLASSIFICATIONS:
        errors.append(f"{path}: classification '{head['classification']}' không hợp lệ")
    year_from, year_to = int(head["year_from"]), int(head["year_to"])
    if year_from > year_to:
        errors.append(f"{path}: year_from {year_from} sau year_to {year_to}")

    fields = dict(known_fields if known_fields is not None else shared_fields())
    for raw in data.get("fields", []):
        code = raw.get("code", "")
        if not code or "name" not in raw:
            errors.append(f"{loc.at(code)}: [[fields]] cần 'code' và 'name'")
            continue
        fields[code] = FieldDef(code, raw["name"], raw.get("unit", ""), raw.get("kind", "number"))

    groups = tuple((str(g["code"]), g["name"]) for g in data.get("groups", []))
    group_codes = {g for g, _ in groups}
    overrides = tuple(
        Override(o["when"], o["use_region"], o.get("source", "")) for o in head.get("overrides", [])
    )
    for o in overrides:
        if o.use_region not in REGIONS:
            errors.append(f"{path}: override dùng vùng không tồn tại '{o.use_region}'")

    criteria: list[Criterion] = []
    seen: set[str] = set()
    for raw_c in data.get("criteria", []):
        ccode = str(raw_c.get("code", ""))
        where = loc.at(ccode)
        if not ccode or "name" not in raw_c:
            errors.append(f"{where}: tiêu chí cần 'code' và 'name'")
            continue
        if groups and str(raw_c.get("group", "")) not in group_codes:
            errors.append(f"{where}: tiêu chí {ccode}: nhóm '{raw_c.get('group')}' không có trong [[groups]]")
        indicators = []
        for raw_i in raw_c.get("indicators", []):
            ind = _build_indicator(raw_i, ccode, head, fields, loc, errors)
            if ind is None:
                continue
            if ind.code in seen:
                errors.append(f"{loc.at(ind.code)}: mã chỉ tiêu '{ind.code}' bị trùng")
            seen.add(ind.code)
            indicators.append(ind)
        if not indicators:
            errors.append(f"{where}: tiêu chí {ccode} không có chỉ tiêu nào")
        criteria.append(Criterion(ccode, raw_c["name"], str(raw_c.get("group", "")), tuple(indicators)))
    if not criteria:
        errors.append(f"{path}: bộ tiêu chí không có tiêu chí nào")
    codes = [c.code for c in criteria]
    for dup in {c for c in codes if codes.count(c) > 1}:
        errors.append(f"{loc.at(dup)}: mã tiêu chí '{dup}' bị trùng")
    if errors:
        raise SpecError(errors)
    return CriteriaSetSpec(
        code=head["code"],
        name=head["name"],
        decision=head["decision"],
        year_from=year_from,
        year_to=year_to,
        unit_level=head["unit_level"],
        level=head["level"],
        level_name=head.get("level_name", LEVEL_NAMES[head["level"]]),
        classification=head["classification"],
        requires=head.get("requires", ""),
        decision_date=str(head.get("decision_date", "")),
        effective_from=str(head.get("effective_from", "")),
        amended_by=tuple(head.get("amended_by", [])),
        source=head.get("source", ""),
        notes=head.get("notes", ""),
        overrides=overrides,
        groups=groups,
        fields=fields,
        criteria=tuple(criteria),
        province=str(head.get("province", "")),
        extends=head.get("extends", ""),
        unit_kinds=tuple(head.get("unit_kinds", ())),
    )


def _build_indicator(
    raw: dict[str, Any], ccode: str, head: dict[str, Any], fields: dict[str, FieldDef], loc: _Locator, errors: list[str]
) -> Indicator | None:
    code = str(raw.get("code", ""))
    where = loc.at(code, ccode)
    label = f"chỉ tiêu {code or '?'} (tiêu chí {ccode})"
    if not code or "name" not in raw:
        errors.append(f"{where}: {label} cần 'code' và 'name'")
        return None
    kind = raw.get("kind", "")
    if kind not in KINDS:
        errors.append(f"{where}: {label}: kind '{kind}' không hợp lệ (chọn: {', '.join(KINDS)})")
        return None
    op = raw.get("op", "==" if kind == "bool" else ">=")
    if op not in OPS:
        errors.append(f"{where}: {label}: op '{op}' không hợp lệ")
    fld, num, den = raw.get("field", ""), raw.get("numerator", ""), raw.get("denominator", "")
    if kind == "percent" and not fld and not (num and den):
        errors.append(f"{where}: {label}: tỷ lệ cần 'field' hoặc 'numerator' + 'denominator'")
    elif kind != "percent" and not fld:
        errors.append(f"{where}: {label}: cần 'field' (trường số liệu gốc)")
    for name in (fld, num, den):
        if name and name not in fields:
            errors.append(f"{where}: {label}: trường '{name}' chưa khai báo trong [[fields]] hay fields.toml")
    thresholds = []
    for raw_t in raw.get("thresholds", []):
        t = _build_threshold(raw_t, head, where, label, kind, errors, fields)
        if t:
            thresholds.append(t)
    ind = Indicator(code, raw["name"], kind, raw.get("unit", ""), op, tuple(thresholds), fld, num, den)
    _check_coverage(ind, head, where, label, errors)
    return ind


def _build_threshold(
    raw: dict[str, Any], head: dict[str, Any], where: str, label: str, kind: str, errors: list[str],
    fields: dict[str, FieldDef] | None = None,
) -> Threshold | None:
    missing = [k for k in ("year_from", "year_to", "source") if k not in raw]
    if "trust" not in raw and "verified" not in raw:
        missing.append("trust")
    has_value = "value" in raw or "ref_set" in raw or "past" in raw
    if missing or not has_value:
        errors.append(f"{where}: {label}: ngưỡng thiếu {', '.join(missing + ([] if has_value else ['value']))}")
        return None
    region, group = str(raw.get("region", ANY)), raw.get("group", ANY)
    if region != ANY and region not in REGIONS:
        errors.append(f"{where}: {label}: vùng '{region}' không hợp lệ (chọn: {', '.join(REGIONS)})")
    if group != ANY and group not in GROUPS:
        errors.append(f"{where}: {label}: nhóm xã '{group}' không hợp lệ (1, 2, 3)")
    value = raw.get("value")
    if kind == "bool" and "value" in raw and not isinstance(value, bool):
        errors.append(f"{where}: {label}: ngưỡng của chỉ tiêu đạt/không phải là true/false")
    if kind != "bool" and "value" in raw and (isinstance(value, bool) or not isinstance(value, (int, float))):
        errors.append(f"{where}: {label}: ngưỡng phải là số, không phải '{value}'")
    # trust: "decision" | "secondary" | "unverified"; the older boolean `verified` still reads
    # (true = read in the decision, false = unverified).
    trust = raw.get("trust", "decision" if raw.get("verified") is True else "unverified")
    if trust not in TRUST:
        errors.append(f"{where}: {label}: trust '{trust}' không hợp lệ (chọn: {', '.join(TRUST)})")
    if trust != "unverified" and str(raw.get("source", "")).startswith("provisional"):
        errors.append(f"{where}: {label}: giá trị tạm (provisional) phải là trust = \"unverified\"")
    when = None
    if "when" in raw:
        w = raw["when"]
        if not isinstance(w, dict) or not {"field", "op", "value"} <= set(w):
            errors.append(f"{where}: {label}: 'when' cần {{field, op, value}}")
        elif w["op"] not in OPS or isinstance(w["value"], bool) or not isinstance(w["value"], (int, float)):
            errors.append(f"{where}: {label}: điều kiện 'when' không hợp lệ ({w})")
        elif fields is not None and w["field"] not in fields:
            errors.append(f"{where}: {label}: trường '{w['field']}' của 'when' chưa khai báo")
        else:
            when = Condition(str(w["field"]), w["op"], float(w["value"]))
    past = str(raw.get("past", ""))
    if past and "@" not in past:
        errors.append(f"{where}: {label}: 'past' phải có dạng 'trường@sự_kiện' (vd. income_per_capita@ntm_year)")
    return Threshold(
        year_from=int(raw["year_from"]),
        year_to=int(raw["year_to"]),
        region=region,
        group=group,
        value=value,
        op=raw.get("op"),
        trust=trust,
        source=str(raw["source"]),
        ref_set=raw.get("ref_set", ""),
        ref_indicator=str(raw.get("ref_indicator", "")),
        factor=float(raw.get("factor", 1.0)),
        when=when,
        past=past,
    )


def classes_of(classification: str) -> tuple[str | int, ...]:
    if classification == "region":
        return REGIONS
    if classification == "group":
        return GROUPS
    return (ANY,)


def _check_coverage(ind: Indicator, head: dict[str, Any], where: str, label: str, errors: list[str]) -> None:
    """Every year of the set and every class must resolve to exactly one best threshold."""
    kind = head["classification"]
    for year in range(int(head["year_from"]), int(head["year_to"]) + 1):
        for cls in classes_of(kind):
            if pick_threshold(ind.thresholds, kind, cls, year) is None:
                what = f"vùng {cls}" if kind == "region" else (f"nhóm {cls}" if kind == "group" else "mọi đơn vị")
                errors.append(f"{where}: {label}: thiếu ngưỡng cho năm {year}, {what}")
                return


def pick_thresholds(thresholds: tuple[Threshold, ...], kind: str, cls: str | int, year: int) -> tuple[Threshold, ...]:
    """The rows that may apply to a class and year: the class's own rows win over the '*' rows.
    Several rows are returned only when they carry `when` conditions (chosen per unit's values)."""
    attr = "group" if kind == "group" else "region"
    own, general = [], []
    for t in thresholds:
        if not t.covers(year):
            continue
        mine = getattr(t, attr)
        if kind != "none" and mine == cls:
            own.append(t)
        elif mine == ANY:
            general.append(t)
    rows = own or general
    if not rows:
        return ()
    conditional = [t for t in rows if t.when is not None]
    plain = [t for t in rows if t.when is None]
    return tuple(conditional + plain[:1]) if conditional else (plain[0],)


def pick_threshold(thresholds: tuple[Threshold, ...], kind: str, cls: str | int, year: int) -> Threshold | None:
    """The most specific threshold for a class and year (the first, when rows depend on `when`)."""
    rows = pick_thresholds(thresholds, kind, cls, year)
    return rows[0] if rows else None


def choose(rows: tuple[Threshold, ...], values) -> Threshold | None:
    """Among rows picked for a class and year, the one whose `when` holds for these values (the
    unconditional row otherwise); None when a condition's field has no value."""
    for t in rows:
        if t.when is None:
            return t
        holds = t.when.holds(values)
        if holds is None:
            return None
        if holds:
            return t
    return None


def load_file(path: Path | str, known_fields: dict[str, FieldDef] | None = None) -> tuple[CriteriaSetSpec, dict[str, Any]]:
    path = Path(path)
    data, text = read_toml(path)
    return build_spec(data, text, str(path), known_fields), to_jsonable(data)


def main(argv: list[str]) -> int:
    status = 0
    for name in argv:
        try:
            spec, _ = load_file(name)
        except SpecError as exc:
            print("\n".join(exc.errors))
            status = 1
            continue
        n_ind = len(spec.indicators())
        n_thr = sum(len(i.thresholds) for i in spec.indicators())
        unverified = sum(1 for i in spec.indicators() for t in i.thresholds if t.trust == "unverified")
        print(f"{name}: OK — {len(spec.criteria)} tiêu chí, {n_ind} chỉ tiêu, {n_thr} ngưỡng ({unverified} chưa xác minh)")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
