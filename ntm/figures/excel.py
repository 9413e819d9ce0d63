"""Excel files of figures: the template, reading an uploaded workbook, marking its bad cells.
No ORM here: the import plan (`imports.plan_import`) gives the units and fields and checks values
through the write path.

The template has one row per unit and one column per raw field of the year's sets (row 1: what
users read, row 2: the field code the importer reads, data from row 3), and a hidden sheet
`_ntm` with the time it was downloaded and the values as downloaded, so an upload can tell the
cells its user edited from those someone else changed meanwhile.

Reading is defensive, every refusal a Vietnamese sentence naming sheet, row and column:
- before parsing (`inspect`): file size, .xls / CSV / not a zip, damaged zip, the size the zip
  declares it expands to (a zip bomb is refused before anything is decompressed), XML with a
  DTD or entities (also refused by defusedxml inside openpyxl);
- while reading the sheet (`read_sheet`): rows limit, damaged sheet XML, the same field in two
  columns, a unit name that does not match its code, a formula without a stored value, an Excel
  error value, the cell's number format (a cell shown as 75% holds 0,75 and means 75 in a percent
  field).

Two readers give the same values. A workbook holding only plain values — numbers, text, booleans,
blanks, in formats that are neither dates nor percentages, no formula, no error value, well-formed
XML (`survey`, one pass over the zipped parts) — is read by calamine (python-calamine, a Rust
reader: about 8× faster than openpyxl's read-only parse). Any other workbook, and any file
calamine cannot read, goes through openpyxl in read-only mode (row by row, never the whole sheet in
memory as cells), whose cells say their type, number format and formula; every refusal of a
damaged file comes from there, worded as before.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO
from itertools import repeat
from typing import NamedTuple
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
from openpyxl.styles.stylesheet import Stylesheet
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.xml.constants import REL_NS, SHEET_MAIN_NS
from openpyxl.xml.functions import fromstring

from ntm.core.text import fold
from ntm.criteria.spec import FieldDef

try:  # a dependency (pyproject.toml); until an old environment installs it, every file goes through openpyxl
    from python_calamine import CalamineWorkbook
except ImportError:  # pragma: no cover — test_excel_readers fails loudly when it is missing
    CalamineWorkbook = None

HEADER_ROWS = 2
META_SHEET = "_ntm"


@dataclass(frozen=True)
class Limits:
    """What an upload may be; said on the import page."""

    max_bytes: int = 5 * 1024 * 1024
    max_expanded: int = 60 * 1024 * 1024  # the total the zip declares its parts expand to
    max_parts: int = 500
    max_rows: int = 5000
    max_columns: int = 400


LIMITS = Limits()


class FileRefused(Exception):
    """The whole file is refused (not a cell of it); the message says why, in Vietnamese."""


@dataclass
class Problem:
    """A refusal tied to a cell (row/column 1-based; 0 when it is about the whole sheet)."""

    row: int
    column: int
    message: str


class SheetCell(NamedTuple):
    """A value read from the sheet, ready for `write_figures` as it is (its first five fields are a
    `figures.services.CellInput`'s; raw: int/float/str/bool/Decimal); `code` the unit's, `row` and
    `column` where it is in the sheet (1-based)."""

    unit_id: int
    year: int
    field: str
    raw: object
    where: str
    code: str
    row: int
    column: int


@dataclass
class Reading:
    cells: list[SheetCell] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0
    downloaded_at: dt.datetime | None = None
    originals: dict[tuple[str, str], object] | None = None  # (unit code, field) → value as downloaded

    @property
    def errors(self) -> list[str]:
        return [p.message for p in self.problems]


def sheet_name(year: int) -> str:
    return f"Số liệu {year}"


def where(sheet: str, row: int, column: int) -> str:
    return f"Trang “{sheet}”, dòng {row}, cột {get_column_letter(column)}"


# --- the template --------------------------------------------------------------------------------

def template(year: int, fields: list[FieldDef], units: list[dict], values: dict[tuple[int, int], dict],
             downloaded_at: dt.datetime | None = None) -> bytes:
    """The year's sheet for these units with their current values, and the hidden `_ntm` sheet
    (download time, the same grid as downloaded) the upload compares against."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name(year)
    ws.append(["Mã đơn vị", "Tên đơn vị"] + [f"{f.name} ({f.unit})" if f.unit else f.name for f in fields])
    ws.append(["code", "name"] + [f.code for f in fields])
    meta = wb.create_sheet(META_SHEET)
    meta.sheet_state = "hidden"
    meta.append(["downloaded_at", (downloaded_at or dt.datetime.now(dt.UTC)).isoformat()])
    meta.append(["year", year])
    meta.append(["code"] + [f.code for f in fields])
    for u in units:
        current = values.get((u["id"], year), {})
        row = [current.get(f.code) for f in fields]
        ws.append([u["code"], u["full_name"]] + row)
        meta.append([u["code"]] + row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for cell in ws[2]:
        cell.font = Font(color="868E96", size=8)
        cell.fill = PatternFill("solid", fgColor="F1F3F5")
    ws.column_dimensions["B"].width = 28
    for i in range(len(fields)):
        ws.column_dimensions[get_column_letter(3 + i)].width = 16
    ws.freeze_panes = "C3"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


# --- before parsing ------------------------------------------------------------------------------

_DAMAGED = ("Tệp Excel bị hỏng hoặc không trọn vẹn (có thể bị cắt khi sao chép hay tải lên){detail}: "
            "hãy mở tệp bằng Excel, lưu lại (dạng .xlsx) rồi tải lên lần nữa")


def inspect(data: bytes, filename: str = "", limits: Limits = LIMITS) -> None:
    """Refuse a file that is not a readable .xlsx before openpyxl parses anything.

    Raises FileRefused with a Vietnamese sentence."""
    mb = 1024 * 1024
    if len(data) > limits.max_bytes:
        raise FileRefused(f"Tệp quá lớn: {len(data) / mb:.1f} MB (tối đa {limits.max_bytes // mb} MB)".replace(".", ","))
    if not data:
        raise FileRefused("Tệp rỗng (0 byte)")
    name = filename.lower()
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileRefused("Tệp là bảng tính Excel 97–2003 (.xls) hoặc tệp có mật khẩu: NTM chỉ đọc .xlsx — hãy mở "
                          "bằng Excel, bỏ mật khẩu nếu có, chọn Lưu thành → Excel Workbook (.xlsx) rồi tải lên")
    if data[:4] != b"PK\x03\x04":
        if name.endswith((".csv", ".txt")) or _looks_like_text(data):
            raise FileRefused("Tệp là văn bản (CSV), không phải bảng tính Excel (.xlsx): hãy mở bằng Excel, chọn Lưu thành → "
                              "Excel Workbook (.xlsx), hoặc điền vào tệp mẫu tải từ trang này")
        raise FileRefused("Tệp không phải bảng tính Excel (.xlsx) đọc được: hãy dùng tệp mẫu tải từ trang này")
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise FileRefused(_DAMAGED.format(detail="")) from exc
    names = {p.filename for p in parts}
    if "xl/workbook.xml" not in names:
        raise FileRefused("Tệp nén không phải bảng tính Excel (.xlsx) (thiếu phần xl/workbook.xml): hãy dùng tệp mẫu "
                          "tải từ trang này")
    if len(parts) > limits.max_parts:
        raise FileRefused(f"Tệp có {len(parts)} phần nén (tối đa {limits.max_parts}): không phải tệp mẫu số liệu")
    expanded = sum(p.file_size for p in parts)
    if expanded > limits.max_expanded:
        raise FileRefused(f"Tệp giải nén ra {expanded / mb:.0f} MB (tối đa {limits.max_expanded // mb} MB): quá lớn "
                          "cho một tệp số liệu — hãy chỉ giữ trang số liệu của năm và tải lên lại")
    for p in parts:
        if not p.filename.endswith((".xml", ".rels")):
            continue
        try:
            with archive.open(p) as stream:
                head = stream.read(4096)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise FileRefused(_DAMAGED.format(detail=f" (phần “{p.filename}” không giải nén được)")) from exc
        if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper() or b"\x00<\x00!" in head:
            raise FileRefused(f"Tệp có khai báo DOCTYPE/ENTITY trong phần “{p.filename}”: Excel không tạo ra loại "
                              "tệp này và NTM không đọc nó — hãy mở bằng Excel, lưu lại rồi tải lên")


def _looks_like_text(data: bytes) -> bool:
    head = data[:2048]
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = head.decode("utf-16")
        except UnicodeDecodeError:
            return False
    return bool(text) and all(ch.isprintable() or ch in "\r\n\t" for ch in text[:500])


# --- reading -------------------------------------------------------------------------------------

_READ_ERRORS = (ParseError, zipfile.BadZipFile, zlib.error, KeyError, EOFError, ValueError, OSError, TypeError,
                IndexError, AttributeError, InvalidFileException)
_PERCENT = re.compile(r'%(?=(?:[^"]*"[^"]*")*[^"]*$)')  # a % outside quoted text in a number format


def open_workbooks(data: bytes, formulas: bool | None = None):
    """(values, formulas): the workbook read-only with its cached values, and — only when a sheet
    holds a formula — once more with the formulas, to tell a formula without a stored value from a
    blank cell (None otherwise: a template filled by hand has none, and is then parsed once).
    `formulas`: whether a sheet holds one, when `survey` already said (None: look).
    Raises FileRefused when it cannot be opened."""
    if formulas is None:
        formulas = survey(data).formulas
    try:
        values = load_workbook(BytesIO(data), read_only=True, data_only=True)
        with_formulas = load_workbook(BytesIO(data), read_only=True, data_only=False) if formulas else None
    except _READ_ERRORS as exc:
        raise FileRefused(_DAMAGED.format(detail=f" ({_reason(exc)})")) from exc
    except Exception as exc:  # defusedxml's refusals (entities, DTD) and anything else the parser raises
        raise FileRefused(_DAMAGED.format(detail=f" ({_reason(exc)})")) from exc
    return values, with_formulas


@dataclass(frozen=True)
class Survey:
    """What one pass over a workbook's zipped parts found (`survey`).

    formulas: a worksheet holds a formula element (or a part could not be read: the full parse
    then reports it). plain: every worksheet holds only values calamine reads as openpyxl does —
    well-formed XML in the main namespace, no formula, no error (`t="e"`) or ISO-date (`t="d"`)
    cell, no integer of 16 digits or more (openpyxl keeps it exact, calamine as a float), no cell
    styled as a date, duration or percentage, no more rows than the limit. dimensions: sheet part
    → (max column, max row) of its `<dimension>`, which openpyxl's read-only mode reads up to."""

    formulas: bool
    plain: bool
    dimensions: dict[str, tuple[int, int]] = field(default_factory=dict)


_MAIN_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_ROOT = re.compile(rb'^\s*(?:<\?xml[^>]*\?>\s*)?<worksheet\s[^>]*' + re.escape(_MAIN_NS))
_FORMULA_HINT = re.compile(rb"f[\s>/]")  # fast: a literal first; then checked with _FORMULA
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")  # an <f> element (with or without a namespace prefix)
_TYPE_E_D = re.compile(rb"""t=["'][ed]["']""")  # an error or ISO-date cell (when an attribute: see _not_plain)
_LONG_INT = (re.compile(rb"<v>\s*-?\d{16}"), re.compile(rb":v>\s*-?\d{16}"))  # 16+ digits (searched apart: fast)
_STYLE_ID = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\bs=["'](\d+)["']""")
_DIMENSION = re.compile(rb"""<dimension\s+ref=["']([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)["']""")


def survey(data: bytes, limits: Limits = LIMITS) -> Survey:
    """One pass over the worksheet parts (each read whole: `inspect` bounded their size): see Survey.
    Never raises: a part that cannot be read makes the file not plain (openpyxl then says why)."""
    formulas, plain, dimensions = False, True, {}
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            special = _special_styles(archive)
            for part in archive.namelist():
                if not (part.startswith("xl/worksheets/") and part.endswith(".xml")):
                    continue
                body = archive.read(part)
                if _FORMULA_HINT.search(body) and _FORMULA.search(body):
                    formulas, plain = True, False
                    continue
                if not plain:
                    continue
                head = body[: body.find(b"<sheetData")] if b"<sheetData" in body else body[:4096]
                if (not _ROOT.match(head) or _not_plain(body) or special is None
                        or body.count(b"<row") > limits.max_rows + HEADER_ROWS or not _well_formed(body)
                        or (special and any(int(s) in special for s in _STYLE_ID.findall(body)))):
                    plain = False
                    continue
                if m := _DIMENSION.search(head):
                    min_col, min_row, max_col, max_row = range_boundaries(m.group(1).decode())
                    if min_row is None or max_row is None:
                        plain = False
                        continue
                    dimensions[part] = (max_col, max_row)
    except Exception:  # noqa: BLE001 — a damaged part: openpyxl reads it and says what is wrong
        return Survey(formulas=True, plain=False)
    return Survey(formulas, plain, dimensions)


def _not_plain(body: bytes) -> bool:
    """An error or ISO-date cell (`t="e"`, `t="d"`), or an integer of 16 digits or more."""
    if any(p.search(body) for p in _LONG_INT):
        return True
    return any(body[m.start() - 1 : m.start()].isspace() for m in _TYPE_E_D.finditer(body))


def _special_styles(archive: zipfile.ZipFile) -> set[int] | None:
    """Indices of the cell styles openpyxl reads as a date, a duration or a percentage (its own
    stylesheet code decides); None when the stylesheet cannot be read (the file is then not plain)."""
    try:
        body = archive.read("xl/styles.xml")
    except KeyError:
        return set()
    try:
        if not _well_formed(body):
            return None
        sheet = Stylesheet.from_tree(fromstring(body))
    except Exception:  # noqa: BLE001
        return None
    out = set(sheet.date_formats) | set(sheet.timedelta_formats)
    for i, xf in enumerate(sheet.cell_styles):
        fid = xf.numFmtId or 0
        fmt = BUILTIN_FORMATS.get(fid, "General") if fid < BUILTIN_FORMATS_MAX_SIZE else sheet.number_formats[
            fid - BUILTIN_FORMATS_MAX_SIZE]
        if _PERCENT.search(fmt or ""):
            out.add(i)
    return out


def _refuse_declarations(*_args) -> None:
    raise ValueError("DOCTYPE/ENTITY")


def _well_formed(body: bytes) -> bool:
    """Whether a part is well-formed XML without a DOCTYPE or entity declaration (expat, no
    handlers: a C-speed pass)."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_declarations
    parser.EntityDeclHandler = _refuse_declarations
    try:
        parser.Parse(body, True)
    except (expat.ExpatError, ValueError):
        return False
    return True


def _close(*workbooks) -> None:
    for wb in workbooks:
        if wb is not None:
            wb.close()


def sheet_years(data: bytes, filename: str = "") -> list[int]:
    """The years of the "Số liệu YYYY" sheets of a workbook (FileRefused when unreadable)."""
    inspect(data, filename)
    values, formulas = open_workbooks(data)
    try:
        return sorted(int(m.group(1)) for n in values.sheetnames if (m := re.match(r"^Số liệu (\d{4})$", n)))
    finally:
        _close(values, formulas)


def read_sheet(data: bytes, year: int, fields: Mapping[str, FieldDef], units: Mapping[str, dict],
               limits: Limits = LIMITS, filename: str = "", fast: bool = True) -> Reading:
    """Read the year's sheet: every cell to write, or every problem (sheet, row, column, reason).

    `units`: code → {"id", "full_name", "name"} of the units this upload may write. Blank cells are
    left as they are (not cleared). The file is parsed once: by calamine when `survey` finds it
    plain, else by openpyxl (`fast=False`: always openpyxl — the tests compare the two). Raises
    FileRefused when the file itself cannot be read."""
    inspect(data, filename, limits=limits)
    found = survey(data, limits)
    if fast and found.plain and CalamineWorkbook is not None:
        book = _calamine_book(data, year, found)
        if book is not None:
            names, rows, meta = book
            try:
                return _read(names, rows, meta, year, fields, units, limits)
            except _NotPlain:
                pass
    values_wb, formulas_wb = open_workbooks(data, found.formulas)
    try:
        names = values_wb.sheetnames
        name = sheet_name(year)
        if name not in names:
            return _read(names, iter(()), None, year, fields, units, limits)
        formula_rows = formulas_wb[name].iter_rows() if formulas_wb is not None else repeat(())
        rows = ((tuple(c.value for c in vrow), vrow, frow)
                for vrow, frow in zip(values_wb[name].iter_rows(), formula_rows, strict=False))
        meta = values_wb[META_SHEET].iter_rows(values_only=True) if META_SHEET in names else None
        return _read(names, rows, meta, year, fields, units, limits)
    except FileRefused:
        raise
    except Exception as exc:  # a damaged part met while streaming (truncated XML, a bad CRC…)
        raise FileRefused(_DAMAGED.format(detail=f" (trang “{sheet_name(year)}”: {_reason(exc)})")) from exc
    finally:
        _close(values_wb, formulas_wb)


def _calamine_book(data: bytes, year: int, found: Survey):
    """(sheet names, the year's rows, the `_ntm` rows) read by calamine, cut to each sheet's declared
    dimension as openpyxl's read-only mode does; None when calamine cannot read the file (the
    caller then reads it with openpyxl, which says why). Values are calamine's: "" for a blank
    (openpyxl: None) and a float for every number (openpyxl: an int when written without a
    decimal point) — the same to every check and to `clean_value` (a whole float below 2**53 is
    exact; `survey` sent longer integers to openpyxl); `_read` sends the file to openpyxl if it
    meets a date or time (`_NotPlain`)."""
    try:
        with CalamineWorkbook.from_filelike(BytesIO(data)) as book:
            names = list(book.sheet_names)
            parts = _sheet_parts(data)
            out = []
            for name in (sheet_name(year), META_SHEET):
                if name not in names:
                    out.append(None)
                    continue
                grid = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
                limit = found.dimensions.get(parts.get(name, ""))
                if limit is not None:
                    max_col, max_row = limit
                    if len(grid) > max_row or (grid and len(grid[0]) > max_col):
                        grid = [row[:max_col] for row in grid[:max_row]]
                out.append(grid)
    except Exception:  # noqa: BLE001 — CalamineError and the like: openpyxl reads it and says why
        return None
    rows, meta = out
    return names, ((row, None, None) for row in rows or ()), (iter(meta) if meta is not None else None)


_TEMPORAL = (dt.date, dt.time, dt.timedelta)  # dt.datetime is a dt.date


class _NotPlain(Exception):
    """calamine gave a value openpyxl reads from the cell's style (a date, a time): read with openpyxl."""


def _sheet_parts(data: bytes) -> dict[str, str]:
    """Sheet name → its part ("xl/worksheets/sheet1.xml"), from the workbook and its relationships."""
    with zipfile.ZipFile(BytesIO(data)) as archive:
        book = fromstring(archive.read("xl/workbook.xml"))
        rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    out = {}
    for sheet in book.iter(f"{{{SHEET_MAIN_NS}}}sheet"):
        target = targets.get(sheet.get(f"{{{REL_NS}}}id"), "")
        target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        out[sheet.get("name")] = target
    return out


def _reason(exc: Exception) -> str:
    kind = exc.__class__.__name__
    if isinstance(exc, ParseError) or kind in ("ParseError", "XMLSyntaxError"):
        return "phần XML bị cắt hoặc sai cú pháp"
    if kind in ("EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden", "NotSupportedError"):
        return "có khai báo DOCTYPE/ENTITY"
    if isinstance(exc, (zipfile.BadZipFile, zlib.error, EOFError)):
        return "phần nén bị hỏng"
    if isinstance(exc, KeyError):
        return "thiếu một phần của tệp"
    return "cấu trúc tệp không đọc được"


def _read(names: list[str], rows, meta, year, fields, units, limits) -> Reading:
    """The checks of `read_sheet` over rows from either reader: `rows` yields (values, cells, formula
    cells) — the row's values as openpyxl gives them, and, from openpyxl only, its cells (type,
    number format) and the same row read with formulas (None or () when there are none); `meta`
    the `_ntm` sheet's rows as values (None without one)."""
    name = sheet_name(year)
    out = Reading()
    if name not in names:
        shown = [n for n in names if n != META_SHEET]
        raise FileRefused(f"Không có trang “{name}” (các trang: {', '.join(shown)}). Hãy dùng tệp mẫu của năm {year}.")
    problem = out.problems.append
    header = next(rows, None)
    codes_row = next(rows, None)
    if header is None or codes_row is None:
        raise FileRefused(f"Trang “{name}”: thiếu dòng tiêu đề (dòng 2 ghi mã trường) — hãy dùng tệp mẫu")
    codes = [_text(v) for v in codes_row[0]]
    if len(codes) > limits.max_columns:
        raise FileRefused(f"Trang “{name}”: {len(codes)} cột (tối đa {limits.max_columns})")
    if codes[:1] != ["code"]:
        problem(Problem(2, 1, f"{where(name, 2, 1)}: cần “code” (dòng 2 ghi mã trường; hãy dùng tệp mẫu)"))
    columns: dict[int, str] = {}
    first_column: dict[str, int] = {}
    doubled: set[str] = set()
    for i, code in enumerate(codes[2:], start=3):
        if not code:
            continue
        if code not in fields:
            problem(Problem(2, i, f"{where(name, 2, i)}: “{code}” không phải trường số liệu của năm {year}"))
        elif code in first_column:
            a, b = get_column_letter(first_column[code]), get_column_letter(i)
            problem(Problem(2, i, f"Trang “{name}”, dòng 2: trường “{code}” ({fields[code].name}) có ở hai cột {a} và "
                                  f"{b} — mỗi trường chỉ một cột; hãy xoá một cột"))
            doubled.add(code)
        else:
            columns[i] = code
            first_column[code] = i
    # neither of two columns of one field is read; per column: index, field, definition, where's prefix
    read = [(i - 1, code, fields[code], f", cột {get_column_letter(i)}") for i, code in columns.items()
            if code not in doubled]
    seen: dict[str, int] = {}
    sheet_at = f"Trang “{name}”, dòng "
    cells = out.cells
    for r, (vals, vrow, frow) in enumerate(rows, start=HEADER_ROWS + 1):
        if r - HEADER_ROWS > limits.max_rows:
            raise FileRefused(f"Trang “{name}” có hơn {limits.max_rows:,} dòng số liệu (tối đa {limits.max_rows:,}): "
                              "hãy chia thành nhiều tệp".replace(",", "."))
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in vals):
            continue
        out.rows += 1
        if vrow is None and any(isinstance(v, _TEMPORAL) for v in vals[:2]):
            raise _NotPlain
        code = _text(vals[0] if vals else None)
        code = code[:-2] if code.endswith(".0") else code  # a code Excel turned into a number
        unit = units.get(code) or units.get(code.zfill(5))
        if not code:
            problem(Problem(r, 1, f"{where(name, r, 1)}: thiếu mã đơn vị"))
            continue
        if unit is None:
            problem(Problem(r, 1, f"{where(name, r, 1)}: mã đơn vị “{code}” không có hoặc bạn không được nhập cho đơn vị này"))
            continue
        if unit["code"] in seen:
            problem(Problem(r, 1, f"{where(name, r, 1)}: đơn vị “{code}” đã có ở dòng {seen[unit['code']]}"))
            continue
        seen[unit["code"]] = r
        label = _text(vals[1] if len(vals) > 1 else None)
        if label and not _same_name(label, unit):
            problem(Problem(r, 2, f"{where(name, r, 2)}: tên “{label}” không khớp mã {unit['code']} "
                                  f"({unit['full_name']}) — kiểm tra lại mã đơn vị hoặc tên, chưa ghi gì"))
            continue
        unit_id, unit_code, width = unit["id"], unit["code"], len(vals)
        row_at = f"{sheet_at}{r}"
        for j, fcode, fdef, column_at in read:
            raw = vals[j] if j < width else None
            if frow:  # read by openpyxl, and the sheet has formulas
                formula = getattr(frow[j] if j < len(frow) else None, "value", None)
                if isinstance(formula, str) and formula.startswith("=") and raw is None:
                    problem(Problem(r, j + 1, f"{row_at}{column_at} ({fdef.name}): ô có công thức “{formula[:60]}” nhưng "
                                              "chưa có giá trị tính sẵn — hãy mở tệp bằng Excel và lưu lại (để công thức "
                                              "được tính) rồi tải lên"))
                    continue
            if raw is None:
                continue
            kind = type(raw)
            text = kind is str
            if text and not raw.strip():
                continue
            at = f"{row_at}{column_at}"
            vcell = vrow[j] if vrow is not None and j < len(vrow) else None
            if vrow is None and not (text or kind is float or kind is int or kind is bool):
                raise _NotPlain  # read by calamine: a date or time, which openpyxl tells from the style
            if getattr(vcell, "data_type", "") == "e" or (text and raw.startswith("#") and raw.endswith(("!", "?", "A"))):
                problem(Problem(r, j + 1, f"{at} ({fdef.name}): ô báo lỗi công thức {raw} — sửa công thức trong Excel"))
                continue
            if vcell is not None:  # read by openpyxl: the cell's type and format count
                if isinstance(raw, (dt.datetime, dt.date, dt.time, dt.timedelta)):
                    problem(Problem(r, j + 1, f"{at} ({fdef.name}): ô dạng ngày giờ ({raw}) không phải là số — đặt định "
                                              "dạng ô là Số (Number)"))
                    continue
                if isinstance(raw, (int, float)) and not isinstance(raw, bool) and _PERCENT.search(
                        getattr(vcell, "number_format", "") or ""):
                    if fdef.kind != "percent":
                        problem(Problem(r, j + 1, f"{at} ({fdef.name}): ô định dạng phần trăm (hiển thị "
                                                  f"{_pct(raw)}%) nhưng trường tính bằng {fdef.unit or 'số'}: hãy ghi số "
                                                  f"theo đơn vị {fdef.unit or 'của trường'} và bỏ định dạng %"))
                        continue
                    raw = Decimal(repr(float(raw))) * 100  # shown as 75% → holds 0,75 → means 75
            cells.append(SheetCell(unit_id, year, fcode, raw, at, unit_code, r, j + 1))
    out.downloaded_at, out.originals = _meta(meta, year)
    return out


def _meta(rows, year: int) -> tuple[dt.datetime | None, dict[tuple[str, str], object] | None]:
    """The download time and the values as downloaded, from the hidden `_ntm` sheet's rows (None,
    None when the file has none or it is for another year)."""
    if rows is None:
        return None, None
    try:
        first, second, codes = next(rows), next(rows), next(rows)
        stamp = dt.datetime.fromisoformat(str(first[1])) if first and first[0] == "downloaded_at" else None
        if stamp is None or not second or second[0] != "year" or int(second[1]) != year:
            return None, None
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=dt.UTC)
        originals: dict[tuple[str, str], object] = {}
        for row in rows:
            if not row or row[0] is None or row[0] == "":
                continue
            code = _text(row[0])
            for fcode, value in zip(codes[1:], row[1:], strict=False):
                if fcode and value is not None and value != "":  # a blank (calamine: "") was blank
                    originals[(code, str(fcode))] = value
        return stamp, originals
    except (StopIteration, ValueError, TypeError, IndexError):
        return None, None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _same_name(label: str, unit: Mapping) -> bool:
    """The name beside a code matches the unit: its full name or its name, accents and case aside."""
    if label == unit.get("full_name") or label == unit.get("name"):  # as the template wrote it
        return True
    key = fold(label)
    return key in {fold(unit.get("full_name") or ""), fold(unit.get("name") or "")}


def _pct(raw: float) -> str:
    text = f"{raw * 100:.4f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


# --- marking a workbook --------------------------------------------------------------------------

def mark(data: bytes, year: int, problems: list[Problem], extra: Mapping[tuple[int, int], list[str]] | None = None) -> bytes:
    """The uploaded workbook back, each bad cell filled red with a comment saying why (problems without
    a cell go on A1). Only called on files that `read_sheet` could read (so within the limits)."""
    wb = load_workbook(BytesIO(data))
    ws = wb[sheet_name(year)]
    notes: dict[tuple[int, int], list[str]] = {}
    for p in problems:
        notes.setdefault((p.row or 1, p.column or 1), []).append(p.message)
    for key, messages in (extra or {}).items():
        notes.setdefault(key, []).extend(messages)
    fill = PatternFill("solid", fgColor="FFC9C9")
    for (r, c), messages in notes.items():
        cell = ws.cell(r, c)
        cell.fill = fill
        text = "\n".join(dict.fromkeys(messages))
        cell.comment = Comment(text[:30000], "NTM", height=160, width=320)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
