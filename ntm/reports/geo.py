"""Checking an uploaded GeoJSON against the units it claims to draw. Pure."""

from __future__ import annotations

import json

from django.utils.translation import gettext as _


class GeoError(ValueError):
    pass


def parse_layer(raw: bytes, known_codes: set[str]) -> tuple[dict, int, list[str]]:
    """Return (FeatureCollection, matched count, unmatched codes) or raise GeoError (Vietnamese)."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise GeoError(_("Tệp không phải văn bản UTF-8")) from exc
    except json.JSONDecodeError as exc:
        raise GeoError(_("Tệp không phải GeoJSON hợp lệ: dòng %(line)s, cột %(col)s (%(msg)s)")
                       % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg}) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(data.get("features"), list):
        raise GeoError(_("Cần một FeatureCollection (GeoJSON) có danh sách features"))
    unmatched, matched = [], 0
    for n, feature in enumerate(data["features"], start=1):
        geometry = (feature or {}).get("geometry") or {}
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            raise GeoError(_("Vùng thứ %(n)s: hình học phải là Polygon hoặc MultiPolygon") % {"n": n})
        code = str(((feature or {}).get("properties") or {}).get("code", "")).strip()
        if not code:
            raise GeoError(_("Vùng thứ %(n)s: thiếu properties.code (mã đơn vị hành chính)") % {"n": n})
        feature["properties"]["code"] = code
        if code in known_codes:
            matched += 1
        else:
            unmatched.append(code)
    if not matched:
        raise GeoError(_("Không vùng nào khớp mã với đơn vị của tỉnh này"))
    return data, matched, unmatched
