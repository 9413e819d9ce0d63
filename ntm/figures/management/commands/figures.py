"""`figures set | show | import`: the figures' write path from the command line, with the same checks
as the pages (scope of `--as USER`, closed years, the unit's years and kind, value rules, audit).

    figures set --unit CODE [--legacy] --year YYYY --field FIELD --value V --as USER [--source TEXT]
    figures show --unit CODE [--legacy] --year YYYY --format json
    figures import FILE.xlsx --as USER [--dry-run] [--confirm] [--overwrite] [--source TEXT] --format json

`import` reads the file as the import page does (`figures.imports.plan_import`: the same limits,
messages, conflicts with the values as the template was downloaded) for every "Số liệu YYYY" sheet.

A refused write exits 1 with the Vietnamese reason and writes nothing."""

from __future__ import annotations

from pathlib import Path

from ntm.accounts.scope import restrict
from ntm.core.cli import CommandError, SubcommandCommand, dump, user_named
from ntm.figures import excel
from ntm.figures.imports import plan_import
from ntm.figures.models import Figure
from ntm.figures.services import (
    NeedsConfirmation,
    WriteRefused,
    fields_for,
    ladder_for,
    set_figure,
    values_for,
    write_figures,
)
from ntm.units.models import REFORM_DATE, Unit
from ntm.units.schemas import find_unit


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
        p.add_argument("--confirm", action="store_true", help="vẫn ghi khi chỉ có cảnh báo")

    def arguments_show(self, p):
        self._unit_args(p)

    def arguments_import(self, p):
        p.add_argument("file")
        p.add_argument("--as", dest="as_user")
        p.add_argument("--dry-run", action="store_true")
        p.add_argument("--confirm", action="store_true", help="vẫn ghi khi chỉ có cảnh báo")
        p.add_argument("--overwrite", action="store_true", help="ghi cả ô người khác đã sửa sau khi tải mẫu")
        p.add_argument("--source", default="Nhập từ dòng lệnh")

    def handle_set(self, unit, legacy, year, field, value, source, as_user, confirm, **_):
        user, target = user_named(as_user), _unit(unit, legacy)
        try:
            result = set_figure(target, year, field, value, user=user, source=source, door="cli", confirm=confirm)
        except NeedsConfirmation as exc:
            raise CommandError("\n".join([*exc.errors, "Có cảnh báo: chạy lại với --confirm để vẫn ghi"])) from exc
        except WriteRefused as exc:
            raise CommandError("\n".join(exc.errors)) from exc
        return {"unit": target.code, "year": year, "field": field, "changed": result.written,
                "value": _shown(values_for([target.pk], [year]).get((target.pk, year), {}).get(field))}

    def handle_show(self, unit, legacy, year, **_):
        target = _unit(unit, legacy)
        rows = Figure.objects.filter(unit=target, year=year).order_by("field").values_list("field", "value", "source")
        return {"unit": target.code, "scheme": target.scheme, "name": target.full_name, "year": year,
                "figures": [{"field": f, "value": _shown(v), "source": s} for f, v, s in rows]}

    def handle_import(self, file, as_user, dry_run, source, confirm, overwrite, **_):
        user = user_named(as_user)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không đọc được tệp “{file}” (không có hoặc là thư mục)")
        if path.stat().st_size > excel.LIMITS.max_bytes:
            mb = 1024 * 1024
            raise CommandError(f"Tệp quá lớn: {path.stat().st_size / mb:.1f} MB (tối đa {excel.LIMITS.max_bytes // mb} MB)".replace(".", ","))
        data = path.read_bytes()
        errors: list[str] = []
        try:
            years = excel.sheet_years(data, path.name)
        except excel.FileRefused as exc:
            errors, years = [str(exc)], []
        if not years and not errors:
            errors.append("Tệp không có trang “Số liệu NĂM” nào (hãy dùng tệp mẫu tải từ trang nhập Excel)")
        cells, changes, conflicts, warnings, unchanged = [], [], [], [], 0
        for year in years:
            units, fields = _scope(user, year)
            plan = plan_import(user, data, year, units, fields, filename=path.name, overwrite=overwrite)
            errors += plan.errors
            cells += plan.cells
            warnings += plan.warnings
            unchanged += plan.unchanged
            changes += [{"year": year, "unit": r.unit, "field": r.field, "old": _shown(r.old), "new": _shown(r.new),
                         "where": r.where, "conflict": r.conflict} for r in plan.changes]
            conflicts += [{"year": year, "unit": c.unit, "field": c.field, "downloaded": _shown(c.downloaded),
                           "current": _shown(c.current), "uploaded": _shown(c.uploaded), "by": c.who,
                           "kept": c.kept, "where": c.where} for c in plan.conflicts]
        written = 0
        if not errors and not dry_run:
            try:
                result = write_figures(user, cells, source=source[:255], comment="Nhập từ Excel (dòng lệnh)",
                                       door="excel", confirm=confirm)
                written = result.written
            except NeedsConfirmation as exc:
                errors = [*exc.errors, "Có cảnh báo: xem lại rồi chạy lại với --confirm để vẫn ghi"]
            except WriteRefused as exc:
                errors = exc.errors
        out = {"file": str(path), "dry_run": dry_run, "cells": len(cells), "errors": errors,
               "changed": written if not dry_run else len(changes), "unchanged": unchanged,
               "changes": changes[:1000], "conflicts": conflicts[:1000], "warnings": warnings}
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


def _scope(user, year: int) -> tuple[dict[str, dict], dict]:
    """The units `user` may write for `year` (by code) and the fields of their sets: what the page's
    import offers, for every unit in the user's scope."""
    scheme = Unit.Scheme.LEGACY if year <= REFORM_DATE.year else Unit.Scheme.CURRENT
    editable = restrict(Unit.objects.filter(scheme__in=[scheme, Unit.Scheme.LOCAL]), user, "figures.edit")
    units = list(editable.filter(level__in=[Unit.Level.COMMUNE, Unit.Level.HAMLET, Unit.Level.DISTRICT]).values(
        "id", "code", "name", "full_name", "level", "kind", "province__code"))
    fields: dict = {}
    seen_ladders: set[tuple] = set()
    for u in units:
        try:
            lad = ladder_for(u, year)
        except Exception:  # noqa: BLE001 — a unit no set measures is refused later, by the write path
            continue
        key = tuple(s.code for s in lad)
        if key not in seen_ladders:
            seen_ladders.add(key)
            fields.update(fields_for(lad))
    return {u["code"]: u for u in units}, fields
