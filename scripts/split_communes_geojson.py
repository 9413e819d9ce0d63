"""Split the national 2025 commune layer into one small GeoJSON file per province.

The full layer (vn2025_communes.geojson, ~10 MB) is too big to ship and to load in the
browser, so the map loads only the province it shows: static/geo/communes/{provinceCode}.geojson.
Geometry and feature ids are kept as they are; properties are reduced to
code, name, fullName, provinceCode. Output is compact JSON, stable across runs.

    .venv/bin/python scripts/split_communes_geojson.py [SRC] [OUT_DIR]
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SRC = Path("/work/shared/geo/vn2025_communes.geojson")
DEFAULT_OUT = ROOT / "ntm" / "static" / "geo" / "communes"
KEEP = ("code", "name", "fullName", "provinceCode")


def split(src: Path, out_dir: Path) -> dict[str, int]:
    data = json.loads(src.read_text(encoding="utf-8"))
    if data.get("type") != "FeatureCollection":
        raise ValueError(f"{src}: not a FeatureCollection")

    by_province: dict[str, list[dict]] = defaultdict(list)
    for feature in data["features"]:
        props = feature["properties"]
        missing = [k for k in KEEP if k not in props]
        if missing:
            raise ValueError(f"feature {feature.get('id')!r} lacks {missing}")
        by_province[props["provinceCode"]].append(
            {
                "type": "Feature",
                "id": feature.get("id", props["code"]),
                "properties": {k: props[k] for k in KEEP},
                "geometry": feature["geometry"],
            }
        )

    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob("*.geojson"):
        if stale.stem not in by_province:
            stale.unlink()
    counts = {}
    for code in sorted(by_province):
        features = sorted(by_province[code], key=lambda f: f["properties"]["code"])
        text = json.dumps(
            {"type": "FeatureCollection", "features": features},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        (out_dir / f"{code}.geojson").write_text(text, encoding="utf-8")
        counts[code] = len(features)
    return counts


def main(argv: list[str]) -> int:
    src = Path(argv[1]) if len(argv) > 1 else DEFAULT_SRC
    out_dir = Path(argv[2]) if len(argv) > 2 else DEFAULT_OUT
    counts = split(src, out_dir)
    total = sum(counts.values())
    size = sum(p.stat().st_size for p in out_dir.glob("*.geojson"))
    print(f"{len(counts)} provinces, {total} communes -> {out_dir} ({size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
