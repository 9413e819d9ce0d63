"""Checking an uploaded GeoJSON against the units it claims to draw. Pure.

An uploaded file is a third party's: it is read as data and rebuilt, never passed through.
What is kept of each feature is its polygon coordinates (finite numbers in range) and three
properties as plain text — `code`, `name`, `fullName` — everything else is dropped. The page
shows these as text only (ntm/static/js/charts.js escapes every tooltip).

Refused, each with a Vietnamese message naming the feature (its position, code and name):
not UTF-8, not JSON, nested too deeply, too large (MAX_BYTES, MAX_FEATURES, MAX_POSITIONS),
not a FeatureCollection, a feature that is not an object, a geometry that is missing, a string
or not a Polygon/MultiPolygon, coordinates that are not [lon, lat] numbers (NaN, Infinity,
text, true/false, out of range), a ring of fewer than 4 points, a missing or duplicate code,
properties that are not text or numbers. Every problem is listed (up to MAX_ERRORS).
"""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext as _

from ntm.core import jsontext

MAX_BYTES = 20 * 1024 * 1024
MAX_FEATURES = 20_000
MAX_POSITIONS = 2_000_000
MAX_ERRORS = 20
MAX_TEXT = 200  # characters kept of a name
TEXT_PROPERTIES = ("name", "fullName")


class GeoError(ValueError):
    """The file cannot be used; `errors` lists every problem (Vietnamese, each naming the feature)."""

    def __init__(self, errors: list[str] | str):
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("; ".join(self.errors))


def _text(value: Any) -> str | None:
    """A property as text: strings as they are, integers and finite decimals written out."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    return None


def _n(number: int) -> str:
    """12345 → "12.345" (Vietnamese thousands separator)."""
    return f"{number:,}".replace(",", ".")


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def label(n: int, feature: Any) -> str:
    """ "Vùng thứ 3 (mã “15505”, tên “Thọ Long”)" — as much as the feature tells about itself."""
    props = feature.get("properties") if isinstance(feature, dict) else None
    parts = []
    if isinstance(props, dict):
        code = _text(props.get("code"))
        name = _text(props.get("fullName")) or _text(props.get("name"))
        if code:
            parts.append(f"mã “{_short(code, 20)}”")
        if name:
            parts.append(f"tên “{_short(name)}”")
    return f"Vùng thứ {n}" + (f" ({', '.join(parts)})" if parts else "")


def _kind(value: Any) -> str:
    if isinstance(value, str):
        return f"chuỗi văn bản “{_short(value, 30)}”"
    if isinstance(value, bool):
        return "giá trị true/false"
    if isinstance(value, (int, float)):
        return f"số {value}"
    if isinstance(value, list):
        return "một danh sách"
    if value is None:
        return "null"
    return "một đối tượng"


class _Counter:
    positions = 0


def _position(p: Any, where: str, counter: _Counter) -> str | None:
    if not isinstance(p, list) or len(p) not in (2, 3):
        shown = f"một danh sách {len(p)} phần tử" if isinstance(p, list) else _kind(p)
        return f"{where}: mỗi điểm phải là [kinh độ, vĩ độ], không phải {shown}"
    for v in p:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return f"{where}: toạ độ phải là số, không phải {_kind(v)}"
        if not math.isfinite(v):
            shown = "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
            return f"{where}: toạ độ {shown} không phải là số"
    lon, lat = p[0], p[1]
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return f"{where}: toạ độ [{lon}, {lat}] nằm ngoài phạm vi kinh độ −180…180, vĩ độ −90…90"
    counter.positions += 1
    if counter.positions > MAX_POSITIONS:
        raise GeoError(f"Tệp có hơn {_n(MAX_POSITIONS)} điểm toạ độ: hãy đơn giản hoá ranh giới trước khi nạp")
    return None


def _polygon(rings: Any, where: str, counter: _Counter) -> str | None:
    if not isinstance(rings, list) or not rings:
        return f"{where}: Polygon cần danh sách các vòng toạ độ, không phải {_kind(rings)}"
    for r, ring in enumerate(rings, start=1):
        if not isinstance(ring, list) or len(ring) < 4:
            return f"{where}, vòng {r}: cần ít nhất 4 điểm (điểm cuối trùng điểm đầu)"
        for p in ring:
            problem = _position(p, f"{where}, vòng {r}", counter)
            if problem:
                return problem
    return None


def _geometry(geometry: Any, where: str, counter: _Counter) -> tuple[dict | None, str | None]:
    if geometry is None:
        return None, f"{where}: thiếu hình học (geometry)"
    if not isinstance(geometry, dict):
        return None, (f"{where}: hình học (geometry) là {_kind(geometry)}, cần một đối tượng "
                      "{\"type\": \"Polygon\" hoặc \"MultiPolygon\", \"coordinates\": […]}")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        problem = _polygon(coordinates, where, counter)
    elif kind == "MultiPolygon":
        if not isinstance(coordinates, list) or not coordinates:
            problem = f"{where}: MultiPolygon cần danh sách các Polygon, không phải {_kind(coordinates)}"
        else:
            problem = next((p for i, poly in enumerate(coordinates, start=1)
                            if (p := _polygon(poly, f"{where}, phần {i}", counter))), None)
    else:
        shown = _kind(kind) if not isinstance(kind, str) else f"“{_short(kind, 30)}”"
        return None, f"{where}: hình học phải là Polygon hoặc MultiPolygon, không phải {shown}"
    if problem:
        return None, problem
    return {"type": kind, "coordinates": coordinates}, None


def _properties(props: Any, where: str) -> tuple[dict | None, str | None]:
    if not isinstance(props, dict):
        return None, f"{where}: thiếu properties.code (mã đơn vị hành chính)"
    raw_code = props.get("code")
    code = _text(raw_code)
    if raw_code is None or code == "":
        return None, f"{where}: thiếu properties.code (mã đơn vị hành chính)"
    if code is None or len(code) > 20:
        return None, f"{where}: properties.code phải là mã đơn vị (chữ số), không phải {_kind(raw_code)}"
    out = {"code": code}
    for key in TEXT_PROPERTIES:
        if key in props and props[key] is not None:
            text = _text(props[key])
            if text is None:
                return None, f"{where}: properties.{key} phải là văn bản, không phải {_kind(props[key])}"
            out[key] = text[:MAX_TEXT]
    return out, None


def parse_layer(raw: bytes, known_codes: set[str]) -> tuple[dict, int, list[str]]:
    """Return (FeatureCollection rebuilt from checked parts, matched count, unmatched codes),
    or raise GeoError listing every problem (Vietnamese)."""
    if len(raw) > MAX_BYTES:
        raise GeoError(f"Tệp quá lớn ({len(raw) / 1024 / 1024:.1f} MB; tối đa {MAX_BYTES // 1024 // 1024} MB)".replace(".", ",", 1))
    if not raw.strip():
        raise GeoError("Tệp rỗng")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GeoError(f"Tệp không phải văn bản UTF-8 (byte thứ {exc.start + 1}): hãy xuất lại GeoJSON với mã hoá UTF-8") from exc
    try:  # NaN/Infinity are let through here so that the message can name the feature they are in
        data = jsontext.loads(text, allow_constants=True)
    except jsontext.JSONTextError as exc:
        raise GeoError(f"Tệp không phải GeoJSON hợp lệ: {exc}") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise GeoError(_("Cần một FeatureCollection (GeoJSON) có danh sách features"))
    features = data["features"]
    if not features:
        raise GeoError("FeatureCollection không có vùng nào (features rỗng)")
    if len(features) > MAX_FEATURES:
        raise GeoError(f"Tệp có {_n(len(features))} vùng, tối đa {_n(MAX_FEATURES)}")
    errors: list[str] = []
    out: list[dict] = []
    seen: dict[str, int] = {}
    counter = _Counter()
    for n, feature in enumerate(features, start=1):
        if len(errors) >= MAX_ERRORS:
            errors.append(f"… và có thể còn lỗi ở các vùng sau vùng thứ {n - 1}")
            break
        where = label(n, feature)
        if not isinstance(feature, dict) or feature.get("type", "Feature") != "Feature":
            errors.append(f"{where}: phải là một đối tượng Feature, không phải {_kind(feature)}")
            continue
        props, problem = _properties(feature.get("properties"), where)
        if problem:
            errors.append(problem)
            continue
        geometry, problem = _geometry(feature.get("geometry"), where, counter)
        if problem:
            errors.append(problem)
            continue
        if props["code"] in seen:
            errors.append(f"{where}: trùng mã với vùng thứ {seen[props['code']]}")
            continue
        seen[props["code"]] = n
        out.append({"type": "Feature", "properties": props, "geometry": geometry})
    if errors:
        raise GeoError(errors)
    matched = sum(1 for f in out if f["properties"]["code"] in known_codes)
    unmatched = [f["properties"]["code"] for f in out if f["properties"]["code"] not in known_codes]
    if not matched:
        raise GeoError(_("Không vùng nào khớp mã với đơn vị của tỉnh này"))
    return {"type": "FeatureCollection", "features": out}, matched, unmatched
