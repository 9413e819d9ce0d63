"""Build the malformed-workbook corpus beside this file (run: python ntm/figures/tests/files/make_corpus.py).

Each file is small and real: workbooks written with openpyxl, then, for the damaged kinds, their
zip parts cut, swapped or padded by hand. The files from /work/shared/cases/ are copied here as
they are (see CASES in test_corpus.py for what each must give). The outputs are committed, so
the tests never depend on this script running."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import sys
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
SHARED = Path("/work/shared/cases")
CODE, NAME = "15505", "Xã Thọ Long"


def sheet(fields: list[str], rows: list[list], year: int = 2026, title: str | None = None, fmt: dict | None = None) -> bytes:
    """A workbook in the template's layout: row 1 labels, row 2 field codes, then unit rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = title or f"Số liệu {year}"
    ws.append(["Mã đơn vị", "Tên đơn vị", *fields])
    ws.append(["code", "name", *fields])
    for row in rows:
        ws.append(row)
    for (r, c), number_format in (fmt or {}).items():
        ws.cell(r, c).number_format = number_format
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def one(field: str, value, fmt: str | None = None) -> bytes:
    return sheet([field], [[CODE, NAME, value]], fmt={(3, 3): fmt} if fmt else None)


def rezip(data: bytes, change) -> bytes:
    """The same workbook with its parts passed through `change(name, bytes) -> bytes | None`."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = change(info.filename, src.read(info))
            if body is not None:
                dst.writestr(info.filename, body)
    return out.getvalue()


def _without_declaration(body: bytes) -> bytes:
    return body.split(b"?>", 1)[1] if body.startswith(b"<?xml") else body


BOMB_SIZE = 70 * 1024 * 1024


def bomb() -> bytes:
    """A workbook whose sheet XML expands to 70 MB of spaces (~70 KB compressed)."""
    base = one("km_commune_roads_total", 25)
    src = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                with dst.open(info.filename, "w") as stream:
                    rest = _without_declaration(body)
                    stream.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>')
                    chunk = b" " * (1024 * 1024)
                    for _ in range(BOMB_SIZE // len(chunk)):
                        stream.write(chunk)
                    stream.write(rest)
            else:
                dst.writestr(info.filename, body)
    return out.getvalue()


def entities() -> bytes:
    laughs = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
              + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
              + b"]>")

    def change(name, body):
        if name == "xl/worksheets/sheet1.xml":
            return laughs + _without_declaration(body).replace(b"<v>25</v>", b"<v>&lol9;</v>")
        return body
    return rezip(one("km_commune_roads_total", 25), change)


def files() -> dict[str, bytes]:
    km, income, pct = "km_commune_roads_total", "income_per_capita", "online_admin_procedures_pct"
    good = one(km, 25)
    out = {
        "nan-typed-infinity.xlsx": one(km, "Infinity"),
        "number-minus-infinity.xlsx": one(km, "-Infinity"),
        "number-small-exponent.xlsx": one(km, "1e2"),
        "number-underscore.xlsx": one(km, "1_000"),
        "number-fullwidth-digits.xlsx": one(km, "１２"),
        "number-arabic-indic-digits.xlsx": one(km, "١٢"),
        "number-boolean-cell.xlsx": one(km, True),
        "number-words.xlsx": one(km, "hai mươi"),
        "number-17-digits.xlsx": one(km, 12345678901234567),
        "number-20-digit-text.xlsx": one(km, "12345678901234567890"),
        "income-in-dong-number-cell.xlsx": one(income, 33500000),
        "number-negative.xlsx": one(km, "-5"),
        "percent-over-100.xlsx": one(pct, 150),
        "count-with-decimals.xlsx": one("households_total", "1950,5"),
        "number-ambiguous-dot.xlsx": one(km, "1.234"),
        "bool-given-a-number.xlsx": one("commune_master_plan_valid", 5),
        "number-date-cell.xlsx": one(km, dt.datetime(2026, 3, 5)),
        "number-excel-error-value.xlsx": one(km, "#DIV/0!"),
        "percent-format-on-km.xlsx": one(km, 0.5, "0%"),
        "wrong-year-sheet.xlsx": sheet([km], [[CODE, NAME, 25]], title="Số liệu 2025"),
        "no-code-header.xlsx": rezip(sheet([km], [[CODE, NAME, 25]]), lambda n, b: b.replace(
            b'<c r="A2" t="inlineStr"><is><t>code</t>', b'<c r="A2" t="inlineStr"><is><t>ma</t>') if n.endswith("sheet1.xml") else b),
        "unknown-field-column.xlsx": sheet(["no_such_field"], [[CODE, NAME, 1]]),
        "unknown-unit-code.xlsx": sheet([km], [["99999", "Xã Không Có", 25]]),
        "unit-row-twice.xlsx": sheet([km], [[CODE, NAME, 25], [CODE, NAME, 26]]),
        "working-age-above-population.xlsx": sheet(["population_total", "working_age_population"], [[CODE, NAME, 5000, 6000]]),
        "households-above-population.xlsx": sheet(["population_total", "households_total"], [[CODE, NAME, 3000, 3500]]),
        "workers-above-working-age-warning.xlsx": sheet(
            ["population_total", "working_age_population", "workers_total"], [[CODE, NAME, 6000, 3000, 3200]]),
        "too-many-rows.xlsx": sheet([km], [[f"9{i:05d}", "", 1] for i in range(5001)]),
        "xls-old-format.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504,
        "csv-renamed.csv": "code,name,km_commune_roads_total\n15505,Xã Thọ Long,25\n".encode(),
        "random-bytes.xlsx": bytes(range(256)) * 4,
        "zip-without-workbook.xlsx": rezip(good, lambda n, b: None if n == "xl/workbook.xml" else b),
        "zip-cut-in-half.xlsx": good[: len(good) // 2],
        "xml-entities.xlsx": entities(),
        "zip-bomb.xlsx": bomb(),
        # good files, to show the format rules read them right
        "ok-zero-point-750-km.xlsx": one(km, "0.750"),
        "ok-dot-thousands-count.xlsx": one("households_total", "1.234"),
    }
    return out


def main() -> None:
    for name, data in files().items():
        (HERE / name).write_bytes(data)
    if SHARED.is_dir():
        for path in SHARED.glob("*.xlsx"):
            shutil.copyfile(path, HERE / path.name)
    print(f"{len(list(HERE.glob('*.xls*')) + list(HERE.glob('*.csv')))} files in {HERE}", file=sys.stderr)


if __name__ == "__main__":
    main()
