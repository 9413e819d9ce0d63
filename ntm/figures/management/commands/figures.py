"""`figures set | show | import`: the figures' write path from the command line, with the same checks
as the pages (scope of `--as USER`, closed years, the unit's years and kind, value rules, audit).

    figures set --unit CODE [--legacy] --year YYYY --field FIELD --value V --as USER [--source TEXT]
    figures show --unit CODE [--legacy] --year YYYY --format json
    figures import FILE.xlsx --as USER [--dry-run] [--source TEXT] --format json

A refused write exits 1 with the Vietnamese reason and writes nothing."""

from __future__ import annotations

import re
from pathlib import Path

from ntm.accounts.scope import restrict
from ntm.core.cli import CommandError, SubcommandCommand, dump, user_named
from ntm.figures import excel
from ntm.figures.models import Figure
from ntm.figures.rules import ratio_limits
from ntm.figures.services import CellInput, WriteRefused, fields_for, ladder_for, set_figure, values_for, write_figures
from ntm.units.models import REFORM_DATE, Unit
from ntm.units.schemas import find_unit

SHEET = re.compile(r"^Số liệu (\d{4})$")


def _unit(code: str, legacy: bool) -> Unit:
    try:
        return find_unit(code, legacy)
    except Unit.DoesNotExist as exc:
        raise CommandError(str(exc)) from exc


class Command(SubcommandCommand):
    help = "Số liệu: ghi một ô, xem số liệu một đơn vị, nhập từ Excel (cùng kiểm tra như trên trang)"
    subcommands = {
        "set": "Ghi một số liệu (qua cùng đường ghi với trang nhập liệu)",
        "show": "Xem số liệu của một đơn vị trong một năm",
        "import": "Nhập tệp Excel theo mẫu (đúng hết mới ghi; --dry-run chỉ kiểm tra)",
    }

    def _unit_args(self, p):
        p.add_argument("--unit", required=True)
        p.add_argument("--legacy", action="store_true")
        p.add_argument("--year", type=int, required=True)

    def arguments_set(self, p):
        self._unit_args(p)
        p.add_argument("--field", required=True)
        p.add_argument("--value", required=True)
        p.add_argument("--source", default="")
        p.add_argument("--as", dest="as_user")

    def arguments_show(self, p):
        self._unit_args(p)

    def arguments_import(self, p):
        p.add_argument("file")
        p.add_argument("--as", dest="as_user")
        p.add_argument("--dry-run", action="store_true")
        p.add_argument("--source", default="Nhập từ dòng lệnh")

    def handle_set(self, unit, legacy, year, field, value, source, as_user, **_):
        user, target = user_named(as_user), _unit(unit, legacy)
        try:
            result = set_figure(target, year, field, value, user=user, source=source, door="cli")
        except WriteRefused as exc:
            raise CommandError("\n".join(exc.errors)) from exc
        return {"unit": target.code, "year": year, "field": field, "changed": result.written,
                "value": _shown(values_for([target.pk], [year]).get((target.pk, year), {}).get(field))}

    def handle_show(self, unit, legacy, year, **_):
        target = _unit(unit, legacy)
        rows = Figure.objects.filter(unit=target, year=year).order_by("field").values_list("field", "value", "source")
        return {"unit": target.code, "scheme": target.scheme, "name": target.full_name, "year": year,
                "figures": [{"field": f, "value": _shown(v), "source": s} for f, v, s in rows]}

    def handle_import(self, file, as_user, dry_run, source, **_):
        user = user_named(as_user)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không đọc được tệp “{file}” (không có hoặc là thư mục)")
        data = path.read_bytes()
        years = _sheet_years(data)
        cells: list[CellInput] = []
        errors: list[str] = []
        for year in years:
            got, errs = _read_year(data, year, user)
            cells += got
            errors += errs
        if not years:
            errors.append("Tệp không có trang “Số liệu NĂM” nào (hãy dùng tệp mẫu tải từ trang nhập Excel)")
        result = None
        if not errors:
            try:
                result = write_figures(user, cells, source=source[:255], comment="Nhập từ Excel (dòng lệnh)",
                                       door="excel", dry_run=dry_run)
            except WriteRefused as exc:
                errors = exc.errors
        out = {"file": str(path), "dry_run": dry_run, "cells": len(cells), "errors": errors,
               "changed": result.written if result else 0,
               "changes": [{"unit": c.unit_id, "year": c.year, "field": c.field, "old": _shown(c.old),
                            "new": _shown(c.new)} for c in (result.changes if result else [])][:1000]}
        if errors:
            self.stdout.write(dump(out) if _["format"] == "json" else "\n".join(errors))
            raise CommandError(f"{len(errors)} lỗi — chưa ghi gì", returncode=1)
        return out

    def as_text(self, subcommand, result):
        if subcommand == "show":
            return "\n".join([f"{result['name']} — {result['year']}"] +
                             [f"  {r['field']}: {r['value']}  ({r['source']})" for r in result["figures"]])
        if subcommand == "import":
            verb = "Sẽ ghi" if result["dry_run"] else "Đã ghi"
            return f"{verb} {result['changed']} ô thay đổi / {result['cells']} ô trong tệp"
        return dump(result)


def _shown(value) -> float | int | None:
    if value is None:
        return None
    number = float(value)
    return int(number) if number.is_integer() else number


def _sheet_years(data: bytes) -> list[int]:
    from io import BytesIO
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(BytesIO(data), read_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise CommandError("Tệp không phải bảng tính Excel (.xlsx) đọc được; hãy mở và lưu lại bằng Excel") from exc
    try:
        return sorted(int(m.group(1)) for name in wb.sheetnames if (m := SHEET.match(name)))
    finally:
        wb.close()


def _read_year(data: bytes, year: int, user) -> tuple[list[CellInput], list[str]]:
    """One sheet of the template, read as the import page reads it, for the units `user` may edit."""
    scheme = Unit.Scheme.LEGACY if year <= REFORM_DATE.year else Unit.Scheme.CURRENT
    editable = restrict(Unit.objects.filter(scheme__in=[scheme, Unit.Scheme.LOCAL]), user, "figures.edit")
    units = list(editable.filter(level__in=[Unit.Level.COMMUNE, Unit.Level.HAMLET, Unit.Level.DISTRICT]).values(
        "id", "code", "full_name", "level", "kind", "province__code"))
    by_code = {u["code"]: u["id"] for u in units}
    fields, ladder = {}, []
    seen_ladders: set[tuple] = set()
    for u in units:
        try:
            lad = ladder_for(u, year)
        except Exception:  # noqa: BLE001 — a unit no set measures is refused later, by the write path
            continue
        key = tuple(s.code for s in lad)
        if key in seen_ladders:
            continue
        seen_ladders.add(key)
        ladder += [s for s in lad if s not in ladder]
        fields.update(fields_for(lad))
    current = values_for(list(by_code.values()), [year])
    cells, errors = excel.read(data, year, fields, by_code, current, lambda f: ratio_limits(ladder, f))
    return [CellInput(u, year, f, v) for (u, f), v in cells.items()], errors
