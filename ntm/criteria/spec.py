"""Criteria-set files: parse and validate TOML into plain, immutable specs.

No ORM here: the same spec feeds the loader, the evaluation engine, the CLI and the tests.
Run `python -m ntm.criteria.spec FILE.toml` to validate a file by hand.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import tomllib
from dataclasses import dataclass, field
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
class Threshold:
    year_from: int
    year_to: int
    region: str = ANY
    group: int | str = ANY
    value: float | bool | None = None
    op: str | None = None
    verified: bool = False
    source: str = ""
    ref_set: str = ""
    ref_indicator: str = ""
    factor: float = 1.0

    def covers(self, year: int) -> bool:
        return self.year_from <= year <= self.year_to


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
    code: str
    name: str
    unit: str
    kind: str


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


def shared_fields() -> dict[str, FieldDef]:
    data = tomllib.loads(SHARED_FIELDS_FILE.read_text(encoding="utf-8"))
    return {f["code"]: FieldDef(f["code"], f["name"], f.get("unit", ""), f.get("kind", "number")) for f in data["fields"]}


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    """Parse a file; a syntax error becomes a SpecError naming the line."""
    try:
        text = path.read_text(encoding="utf-8")
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
        t = _build_threshold(raw_t, head, where, label, kind, errors)
        if t:
            thresholds.append(t)
    ind = Indicator(code, raw["name"], kind, raw.get("unit", ""), op, tuple(thresholds), fld, num, den)
    _check_coverage(ind, head, where, label, errors)
    return ind


def _build_threshold(
    raw: dict[str, Any], head: dict[str, Any], where: str, label: str, kind: str, errors: list[str]
) -> Threshold | None:
    missing = [k for k in ("year_from", "year_to", "verified", "source") if k not in raw]
    has_value = "value" in raw or "ref_set" in raw
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
    if raw.get("verified") is True and str(raw.get("source", "")).startswith("provisional"):
        errors.append(f"{where}: {label}: giá trị tạm (provisional) không thể verified = true")
    return Threshold(
        year_from=int(raw["year_from"]),
        year_to=int(raw["year_to"]),
        region=region,
        group=group,
        value=value,
        op=raw.get("op"),
        verified=bool(raw["verified"]),
        source=str(raw["source"]),
        ref_set=raw.get("ref_set", ""),
        ref_indicator=str(raw.get("ref_indicator", "")),
        factor=float(raw.get("factor", 1.0)),
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


def pick_threshold(thresholds: tuple[Threshold, ...], kind: str, cls: str | int, year: int) -> Threshold | None:
    """The most specific threshold for a class and year: its own row wins over the '*' row."""
    attr = "group" if kind == "group" else "region"
    best = None
    for t in thresholds:
        if not t.covers(year):
            continue
        mine = getattr(t, attr)
        if kind != "none" and mine == cls:
            return t
        if mine == ANY and best is None:
            best = t
    return best


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
        unverified = sum(1 for i in spec.indicators() for t in i.thresholds if not t.verified)
        print(f"{name}: OK — {len(spec.criteria)} tiêu chí, {n_ind} chỉ tiêu, {n_thr} ngưỡng ({unverified} chưa xác minh)")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
