"""The shape of a criteria-set file, checked before its meaning (spec.build_spec). Pure.

build_spec assumes each key has the right type; a file written by hand may not: `criteria = "x"`,
`year_from = "2020"`, `year_to = 99999999`, a threshold `value = nan`. `problems(data)` lists
every key of the wrong type, by its place in the file ("[[criteria]] thứ 2 (mã 3) →
[[criteria.indicators]] thứ 1 (mã 3.1) → thresholds thứ 2: year_from …"). Keys not listed
here are left alone (a later version of the format may add some).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from ntm.core.params import YEAR_MAX, YEAR_MIN

TEXT = "text"
CODE = "code"  # a code: text, or a whole number written without quotes (group = 1)
YEAR = "year"
BOOL = "bool"
NUMBER_OR_BOOL = "number_or_bool"
NUMBER = "number"
DATE = "date"
TEXT_LIST = "text_list"

THRESHOLD = {"year_from": YEAR, "year_to": YEAR, "region": TEXT, "group": CODE, "value": NUMBER_OR_BOOL, "op": TEXT,
             "verified": BOOL, "source": TEXT, "ref_set": TEXT, "ref_indicator": CODE, "factor": NUMBER}
INDICATOR = {"code": CODE, "name": TEXT, "kind": TEXT, "unit": TEXT, "op": TEXT, "field": TEXT, "numerator": TEXT,
             "denominator": TEXT, "thresholds": ("tables", THRESHOLD)}
CRITERION = {"code": CODE, "name": TEXT, "group": CODE, "indicators": ("tables", INDICATOR)}
SET = {"code": TEXT, "name": TEXT, "decision": TEXT, "year_from": YEAR, "year_to": YEAR, "unit_level": TEXT,
       "level": TEXT, "level_name": TEXT, "classification": TEXT, "requires": TEXT, "decision_date": DATE,
       "effective_from": DATE, "amended_by": TEXT_LIST, "source": TEXT, "notes": TEXT, "province": CODE, "extends": TEXT,
       "overrides": ("tables", {"when": TEXT, "use_region": TEXT, "source": TEXT})}
FILE = {"set": ("table", SET), "fields": ("tables", {"code": TEXT, "name": TEXT, "unit": TEXT, "kind": TEXT}),
        "groups": ("tables", {"code": CODE, "name": TEXT}), "criteria": ("tables", CRITERION),
        "thresholds": ("tables", {"indicator": CODE, **THRESHOLD})}

_EXPECTED = {TEXT: "văn bản (trong ngoặc kép)", CODE: "mã (văn bản hoặc số nguyên)", YEAR: f"năm ({YEAR_MIN}–{YEAR_MAX})",
             BOOL: "true hoặc false", NUMBER_OR_BOOL: "số hoặc true/false", NUMBER: "số", DATE: "ngày hoặc văn bản",
             TEXT_LIST: "danh sách văn bản"}


def _what(value: Any) -> str:
    if isinstance(value, bool):
        return f"giá trị {str(value).lower()}"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value} (không phải là số)"
    if isinstance(value, (int, float)):
        return f"số {value}"
    if isinstance(value, str):
        return f"văn bản “{value[:30]}”"
    if isinstance(value, list):
        return "một danh sách"
    if isinstance(value, dict):
        return "một bảng"
    return type(value).__name__


def _ok(kind: str, value: Any) -> bool:
    finite = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if kind == TEXT:
        return isinstance(value, str)
    if kind == CODE:
        return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))
    if kind == YEAR:
        return isinstance(value, int) and not isinstance(value, bool) and YEAR_MIN <= value <= YEAR_MAX
    if kind == BOOL:
        return isinstance(value, bool)
    if kind == NUMBER_OR_BOOL:
        return isinstance(value, bool) or finite
    if kind == NUMBER:
        return finite
    if kind == DATE:
        return isinstance(value, (str, dt.date))
    if kind == TEXT_LIST:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    raise ValueError(kind)


def _name(table: dict, n: int, label: str) -> str:
    code = table.get("code", table.get("indicator"))
    return f"{label} thứ {n}" + (f" (mã {code})" if isinstance(code, (str, int)) and not isinstance(code, bool) else "")


def _table(table: Any, schema: dict, where: str, errors: list[str]) -> None:
    if not isinstance(table, dict):
        errors.append(f"{where}: cần một bảng, không phải {_what(table)}")
        return
    for key, kind in schema.items():
        if key not in table:
            continue
        value, at = table[key], f"{where} → {key}" if where else key
        if isinstance(kind, tuple):
            form, sub = kind
            if form == "table":
                _table(value, sub, f"[{key}]" if not where else at, errors)
            elif not isinstance(value, list):
                errors.append(f"{at}: cần danh sách các bảng [[{key}]], không phải {_what(value)}")
            else:
                for n, item in enumerate(value, start=1):
                    label = f"[[{key}]]" if not where else key
                    _table(item, sub, (f"{where} → " if where else "") + _name(item if isinstance(item, dict) else {}, n, label),
                           errors)
        elif not _ok(kind, value):
            errors.append(f"{at}: cần {_EXPECTED[kind]}, không phải {_what(value)}")


def problems(data: dict[str, Any]) -> list[str]:
    """Every key of a wrong type in a parsed criteria file (empty if the shape is right)."""
    errors: list[str] = []
    _table(data, FILE, "", errors)
    return errors
