"""Excel import: download the year's template for a unit (a commune, or every commune of a district
or province), upload it back, see every change before anything is written, confirm.

One plan (`plan_import`) serves the page and `manage.py figures import`: the file is read
(`excel.read_sheet`), every value goes through the write path in dry-run mode (`write_figures(...,
dry_run=True)`: scope, closed years, value rules, cross-field rules), and the cells are compared
with the values as the template was downloaded, to find conflicts:

- a cell its user left as downloaded while someone else changed it since: not written (the newer
  value is kept), and listed;
- a cell its user edited that someone else also changed: written only when the user ticks
  "ghi đè" on the preview.

The uploaded file waits in `staging` (per user, by token) between preview and confirmation. The
confirmation (`confirm_import`) reads the file once and writes in one transaction: conflicts are
checked again against the figures as they stand, the cells go through `write_figures` (every check
of the write path, once), and the write is rolled back, nothing written, if the changes it made are
not those the preview showed (its digest: figures changed since). Errors can be downloaded as the
user's own workbook with each bad cell marked.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ntm.accounts.scope import get_unit_for, units_for
from ntm.core.bulk import collector_paused
from ntm.core.sql import Behind
from ntm.criteria.evaluate import sets_above
from ntm.criteria.spec import FieldDef
from ntm.units.models import REFORM_DATE, Unit, valid_in

from . import excel, staging
from .models import FigureChange, closed_unit_years
from .rules import InvalidFigure, _fmt, clean_value
from .services import (
    NeedsConfirmation,
    Standing,
    WriteRefused,
    WriteResult,
    derived_fields,
    read_standing,
    same_number,
    values_for,
    write_figures,
)
from .views import _context

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Row:
    unit: str
    field: str
    old: Decimal | None
    new: Decimal | None
    where: str = ""
    conflict: bool = False  # someone else changed it too: written only with "ghi đè"


@dataclass
class Conflict:
    unit: str
    field: str
    downloaded: Decimal | None
    current: Decimal | None
    uploaded: Decimal | None
    who: str
    when: object
    kept: bool  # True: the user did not edit the cell, the newer value stays; False: both edited it
    where: str = ""


@dataclass
class Plan:
    errors: list[str] = field(default_factory=list)
    problems: list[excel.Problem] = field(default_factory=list)
    changes: list[Row] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cells: list[excel.SheetCell] = field(default_factory=list)
    overwrites: list[excel.SheetCell] = field(default_factory=list)  # written only with "ghi đè"
    checked_conflicts: bool = False
    readable: bool = False  # the file could be read (a marked copy can be made)
    cell_notes: dict[tuple[int, int], list[str]] = field(default_factory=dict)  # the write path's reasons per cell

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def digest(self) -> str:
        """What the preview showed: the changes outside conflicts, and each conflict (a cell both
        sides edited is covered by its conflict, whether or not "ghi đè" writes it)."""
        return _digest([(c.where, c.old, c.new) for c in self.changes if not c.conflict], self.conflicts)


def _digest(changes: list[tuple[str, Decimal | None, Decimal | None]], conflicts: list[Conflict]) -> str:
    """One line per change (where, old, new) and per conflict, sorted, hashed: the same for the same
    changes in any order. `where` is unique per cell and holds no tab or newline."""
    lines = sorted([f"{where}\t{old}\t{new}" for where, old, new in changes])
    lines.append("")
    lines += sorted(f"{c.where}\t{c.current}\t{c.uploaded}\t{c.kept}" for c in conflicts)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:32]


@dataclass
class _Read:
    """An upload read (`_read_file`) and, once `_sort` has checked it against the figures as they
    stand, its cells split into those to write and those both sides edited."""

    plan: Plan
    reading: excel.Reading | None
    cells: list[excel.SheetCell]
    names: dict[int, str]
    keep: list[excel.SheetCell] = field(default_factory=list)
    overwrites: list[excel.SheetCell] = field(default_factory=list)

    @functools.cached_property
    def positions(self) -> dict[str, tuple[int, int]]:
        """A cell's `where` → its (row, column) in the sheet: to mark the cells the write path refused."""
        return {c.where: (c.row, c.column) for c in self.reading.cells} if self.reading is not None else {}


@collector_paused()  # a province's file: ~150,000 short-lived objects, none in a cycle (core.bulk)
def plan_import(user, data: bytes, year: int, units: dict[str, dict], fields: dict[str, FieldDef],
                filename: str = "", overwrite: bool = False) -> Plan:
    """Read and check an uploaded workbook against the write path, without writing anything.

    `units`: code → {"id", "code", "full_name", "name"} the upload may write (the page's targets, or
    every unit `--as USER` may edit for the CLI). With `overwrite`, cells both the user and someone
    else changed are part of the write."""
    read = _read_file(user, data, year, units, fields, filename)
    if not read.plan.readable:
        return read.plan
    with transaction.atomic():  # one read of the figures for the conflicts and the dry run
        standing = read_standing(_unit_ids(read), [year], lock=False)
        _sort(user, read, year, fields, overwrite, standing)
        return _dry_run(user, read, fields, standing)


class _Stale(Exception):
    """The write did not make the changes the preview showed: rolled back."""


@collector_paused()
def confirm_import(user, data: bytes, year: int, units: dict[str, dict], fields: dict[str, FieldDef], *,
                   digest: str, source: str = "", overwrite: bool = False, confirm: bool = False,
                   comment: str = "Nhập từ Excel") -> tuple[Plan, WriteResult | None, str]:
    """The confirmation of a previewed upload: the file read once; in one transaction the figures
    read (and locked) once, conflicts checked against them, the cells written through `write_figures`
    — kept only if the changes written are those the preview showed (`digest`).

    Returns (plan, result, outcome): "written" (result set; plan holds the conflicts and warnings,
    not the list of changes), or nothing written and the plan to show again — "stale" (figures
    changed since the preview), "errors", "warnings" (`confirm` is needed)."""
    try:
        with transaction.atomic():
            read, standing = _read_with_standing(user, data, year, units, fields)
            if not read.plan.readable:
                return read.plan, None, "errors"
            plan = read.plan
            if standing is None:  # more units than AHEAD_UNITS: the file's own, read now
                standing = read_standing(_unit_ids(read), [year], lock=True)
            _sort(user, read, year, fields, overwrite, standing)
            if plan.errors:  # refused by the reader: the plan with the write path's reasons too, as the preview
                raise _Refused
            both = {(c.unit_id, c.field) for c in read.overwrites}

            def as_previewed(result: WriteResult) -> None:  # checked while the rows are written
                shown = [(ch.where, ch.old, ch.new) for ch in result.changes if not both or (ch.unit_id, ch.field) not in both]
                if _digest(shown, plan.conflicts) != digest:
                    raise _Stale

            result = write_figures(user, plan.cells, source=source, comment=comment, door="excel", confirm=confirm,
                                   standing=standing, verify=as_previewed)
    except _Refused:
        plan = _dry_run(user, read, fields)
        return plan, None, "stale" if plan.digest != digest else "errors"
    except (_Stale, WriteRefused) as exc:  # NeedsConfirmation too: nothing written, the page shows the plan
        plan = _dry_run(user, read, fields)  # the same reading, checked as the preview did
        if plan.digest != digest:
            return plan, None, "stale"
        if plan.errors:
            return plan, None, "errors"
        if isinstance(exc, NeedsConfirmation):
            return plan, None, "warnings"
        if isinstance(exc, WriteRefused):
            plan.errors = exc.errors
            return plan, None, "errors"
        return plan, None, "stale"
    plan.unchanged, plan.warnings = result.unchanged, result.warnings
    return plan, result, "written"


AHEAD_UNITS = 1000  # units: up to this many, a confirmation reads their figures while it reads the file


def _read_with_standing(user, data, year, units, fields) -> tuple[_Read, Standing | None]:
    """The file read (`_read_file`) and, at the same time on a background thread of this transaction's
    connection, the figures of every unit the upload may write (read and locked as `read_standing`):
    the database works while Python reads the file. None for the figures when there are more than
    AHEAD_UNITS such units (the file's own units are then read after it)."""
    ids = sorted({u["id"] for u in units.values()})
    if not ids or len(ids) > AHEAD_UNITS:
        return _read_file(user, data, year, units, fields, ""), None
    with Behind(transaction.get_connection()) as worker:
        ahead = worker.submit(lambda cursor: read_standing(ids, [year], lock=True, cursor=cursor))
        read = _read_file(user, data, year, units, fields, "")
        return read, ahead.result()


class _Refused(Exception):
    """The reader refused cells: nothing is written, the page shows the plan."""


def _unit_ids(read: _Read) -> list[int]:
    return sorted({c.unit_id for c in read.cells})


def _read_file(user, data, year, units, fields, filename) -> _Read:
    """Read the file (once): the plan without its conflicts and dry run (errors when the file or a
    cell is refused by the reader)."""
    plan = Plan()
    try:
        reading = excel.read_sheet(data, year, fields, units, filename=filename)
    except excel.FileRefused as exc:
        plan.errors = [str(exc)]
        return _Read(plan, None, [], {})
    plan.readable = True
    plan.problems = list(reading.problems)
    cells = reading.cells  # excel.SheetCell: written as read (the write path's CellInput shape)
    names = {u["id"]: u["full_name"] for u in units.values()}
    if not reading.cells and not reading.problems:
        plan.problems.append(excel.Problem(0, 0, "Tệp không có ô số liệu nào để nhập."))
    plan.errors = [p.message for p in plan.problems]
    return _Read(plan, reading, cells, names)


def _sort(user, read: _Read, year: int, fields, overwrite: bool, standing: Standing) -> None:
    """Check a read upload's cells against the figures as they stand (`standing`): its conflicts,
    the cells to write (`plan.cells`) and those both sides edited (written with `overwrite`)."""
    plan = read.plan
    read.keep, plan.conflicts, plan.checked_conflicts, read.overwrites = _conflicts(
        user, year, read.reading, fields, read.cells, read.names, standing)
    plan.overwrites = read.overwrites
    plan.cells = read.keep + (read.overwrites if overwrite else [])


def _dry_run(user, read: _Read, fields, standing: Standing | None = None) -> Plan:
    """The plan of a read upload completed by the write path in dry-run mode: the changes it would
    make (the cells both sides edited included, marked), warnings, or every refusal by cell."""
    plan, keep, overwrites = read.plan, read.keep, read.overwrites
    plan.changes, plan.warnings, plan.cell_notes, plan.unchanged = [], [], {}, 0
    try:
        result = write_figures(user, keep + overwrites, door="excel", dry_run=True, standing=standing)
    except WriteRefused as exc:
        plan.problems += [excel.Problem(0, 0, message) for message in exc.errors]
        positions = read.positions
        for where, texts in exc.by_where.items():
            if where in positions:
                plan.cell_notes.setdefault(positions[where], []).extend(texts)
    else:
        both = {(c.unit_id, c.field) for c in overwrites}
        names = read.names
        plan.changes = [Row(names.get(ch.unit_id, str(ch.unit_id)), fields[ch.field].name if ch.field in fields else ch.field,
                            ch.old, ch.new, ch.where, (ch.unit_id, ch.field) in both)
                        for ch in result.changes]
        plan.unchanged = result.unchanged
        plan.warnings = result.warnings
        positions = read.positions if result.warnings_by_where else {}
        for where, texts in result.warnings_by_where.items():
            if where in positions:
                plan.cell_notes.setdefault(positions[where], []).extend(f"Cảnh báo: {t}" for t in texts)
    plan.errors = [p.message for p in plan.problems]
    return plan


def _conflicts(user, year, reading: excel.Reading, fields, cells: list[excel.SheetCell], names, standing: Standing):
    """(cells to write, conflicts, whether conflicts could be checked, cells both sides edited).
    `standing`: the figures as they stand (`read_standing`); a cell is compared as a float first
    (`same_number`) and its value as downloaded cleaned only where it differs."""
    if reading.downloaded_at is None:
        return cells, [], False, []
    unit_ids = sorted({c.unit_id for c in cells})
    rows = standing.rows

    def changes_since() -> dict[tuple[int, str], tuple[str, object]]:
        """(unit, field) → (who, when) of the latest change since the download."""
        out: dict[tuple[int, str], tuple[str, object]] = {}
        for unit_id, fcode, who, when in FigureChange.objects.filter(
                figure__unit_id__in=unit_ids, figure__year=year, changed_at__gt=reading.downloaded_at).order_by(
                "changed_at", "id").values_list("figure__unit_id", "figure__field", "changed_by__username", "changed_at"):
            out[(unit_id, fcode)] = (who or "hệ thống", when)
        return out

    # read only when needed: without the grid as downloaded, or to name who changed a conflicting cell
    originals = reading.originals
    later = changes_since() if originals is None else None
    keep, conflicts, overwrites = [], [], []
    for cell in cells:
        key = (cell.unit_id, year, cell.field)
        row = rows.get(key)
        number = None if row is None else row[7]
        if originals is not None:
            original = originals.get((cell.code, cell.field))
            if same_number(original, number) or (number is None and (original is None or original == "")):
                keep.append(cell)  # as downloaded: nobody else changed the cell
                continue
            fdef = fields.get(cell.field)
            try:
                was = clean_value(original, fdef)
            except InvalidFigure:
                was = None
            now = standing.value(key)
            someone = not _same(now, was)
        else:  # a template without its grid: any change by another user since the download
            fdef = fields.get(cell.field)
            was = now = None
            someone = (cell.unit_id, cell.field) in later and later[(cell.unit_id, cell.field)][0] != getattr(user, "username", "")
            if someone:
                now = standing.value(key)
        if not someone:  # nobody else changed the cell: written as uploaded (checked by the write path)
            keep.append(cell)
            continue
        try:
            new = clean_value(cell.raw, fdef)
        except InvalidFigure:
            keep.append(cell)  # refused later by the write path, with its position
            continue
        if _same(new, now):
            keep.append(cell)
            continue
        if later is None:
            later = changes_since()
        who, when = later.get((cell.unit_id, cell.field), ("người khác", None))
        untouched = originals is not None and _same(new, was)
        conflicts.append(Conflict(names.get(cell.unit_id, ""), fdef.name if fdef else cell.field, was, now, new, who, when,
                                  kept=untouched, where=cell.where))
        if not untouched:
            overwrites.append(cell)
    return keep, conflicts, True, overwrites


def _same(a: Decimal | None, b: Decimal | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and a == b)


# --- views ---------------------------------------------------------------------------------------

class UploadForm(forms.Form):
    file = forms.FileField(label="Tệp Excel (.xlsx) theo mẫu")
    source = forms.CharField(label="Nguồn số liệu", max_length=255, initial="Báo cáo của xã")


def _targets(request, unit: Unit, year: int) -> list[dict]:
    """The units this import may write: the unit itself, or the xã under a district/province."""
    editable = units_for(request.user, "figures.edit")
    if unit.level in (Unit.Level.COMMUNE, Unit.Level.HAMLET):
        qs = editable.filter(pk=unit.pk)
    else:
        scheme = Unit.Scheme.LEGACY if year <= REFORM_DATE.year else Unit.Scheme.CURRENT
        qs = editable.filter(valid_in(year), level=Unit.Level.COMMUNE, kind="xã", scheme=scheme)  # the xã of that year
        qs = qs.filter(parent=unit) if unit.level == Unit.Level.DISTRICT else qs.filter(
            province__in=Unit.objects.filter(successor_links__target=unit) if scheme != unit.scheme else [unit])
    return list(qs.order_by("search_name").values("id", "code", "full_name", "name", "level"))


def _fields(unit: Unit, targets: list[dict], year: int) -> dict[str, FieldDef]:
    """Columns: every raw field of the year's ladder for the units imported (denominators first)."""
    sample = unit if unit.level in (Unit.Level.COMMUNE, Unit.Level.HAMLET) else Unit.objects.get(pk=targets[0]["id"])
    specs, base, _ = _context(sample, year)
    ladder = [base, *sets_above(specs, base.code, year)]
    fields = {}
    for spec in ladder:
        for ind in spec.indicators():
            for name in (ind.denominator, ind.field, ind.numerator):
                if name and name not in fields:
                    fields[name] = spec.fields[name]
    return fields


def _limits_text() -> dict:
    mb = 1024 * 1024
    return {"max_mb": excel.LIMITS.max_bytes // mb, "max_expanded_mb": excel.LIMITS.max_expanded // mb,
            "max_rows": f"{excel.LIMITS.max_rows:,}".replace(",", ".")}


@login_required
def import_figures(request, pk: int, year: int):
    unit = get_unit_for(request, pk, "figures.edit")
    targets = _targets(request, unit, year)
    if not targets:
        raise Http404("Không có đơn vị nào bạn được nhập số liệu năm này")
    fields = _fields(unit, targets, year)
    by_code = {t["code"]: t for t in targets}
    if request.GET.get("template"):
        typed = [f for f in fields.values() if f.code not in derived_fields()]  # derived ones are never typed
        data = excel.template(year, typed, targets, values_for([t["id"] for t in targets], [year]))
        response = HttpResponse(data, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="so-lieu-{unit.code}-{year}.xlsx"'
        return response
    if request.GET.get("marked"):
        return _marked(request, unit, year, fields, by_code, request.GET["marked"])
    context = {"unit": unit, "year": year, "targets": len(targets), "limits": _limits_text(),
               "closed": bool(closed_unit_years([t["id"] for t in targets], [year]))}
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and request.POST.get("token"):
        return _confirm(request, unit, year, fields, by_code, context)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > excel.LIMITS.max_bytes:
            context.update(form=form, plan=Plan(errors=[
                f"Tệp quá lớn: {upload.size / 1024 / 1024:.1f} MB (tối đa {excel.LIMITS.max_bytes // 1024 // 1024} MB)".replace(".", ",")]))
            return render(request, "figures/import.html", context)
        data = upload.read()
        plan = plan_import(request.user, data, year, by_code, fields, filename=upload.name)
        token = ""
        if plan.readable:
            token = staging.save(request.user, data, {"unit": unit.pk, "year": year, "name": upload.name,
                                                      "source": form.cleaned_data["source"][:255]})
        context.update(form=UploadForm(initial={"source": form.cleaned_data["source"]}), plan=plan, token=token)
        return render(request, "figures/import.html", context)
    context.update(form=form)
    return render(request, "figures/import.html", context)


def _confirm(request, unit, year, fields, by_code, context):
    token = request.POST["token"]
    stored = staging.load(request.user, token)
    if stored is None or stored[1].get("unit") != unit.pk or stored[1].get("year") != year:
        messages.error(request, "Tệp đã tải lên không còn (quá 2 giờ hoặc đã ghi): hãy tải lên lại.")
        return redirect("figure_import", pk=unit.pk, year=year)
    data, meta = stored
    overwrite = request.POST.get("overwrite") == "1"
    plan, result, outcome = confirm_import(request.user, data, year, by_code, fields, digest=request.POST.get("digest", ""),
                                           source=meta.get("source", "")[:255], overwrite=overwrite,
                                           confirm=request.POST.get("confirm_warnings") == "1")
    context.update(form=UploadForm(initial={"source": meta.get("source", "")}), plan=plan, token=token)
    if outcome != "written":
        context["stale"] = outcome == "stale"
        context["need_warning_confirm"] = outcome == "warnings"
        return render(request, "figures/import.html", context)
    staging.discard(request.user, token)
    kept = sum(1 for c in plan.conflicts if c.kept or not overwrite)

    counts = {name: number_format(n, force_grouping=True)  # 10.690, as the preview shows it
              for name, n in (("written", result.written), ("units", len(result.unit_ids)),
                              ("unchanged", result.unchanged), ("kept", kept))}
    messages.success(request, (_("Đã ghi %(written)s ô thay đổi của %(units)s đơn vị (%(unchanged)s ô không đổi, giữ "
                                 "%(kept)s ô người khác đã sửa); kết quả đã cập nhật.") if kept else
                               _("Đã ghi %(written)s ô thay đổi của %(units)s đơn vị (%(unchanged)s ô không đổi); "
                                 "kết quả đã cập nhật.")) % counts)
    return redirect("figure_import", pk=unit.pk, year=year)


def _marked(request, unit, year, fields, by_code, token):
    stored = staging.load(request.user, token)
    if stored is None or stored[1].get("unit") != unit.pk:
        raise Http404("Tệp đã tải lên không còn: hãy tải lên lại")
    data, meta = stored
    plan = plan_import(request.user, data, year, by_code, fields)
    if not plan.readable:
        raise Http404("Tệp không đọc được nên không đánh dấu được")
    marked = excel.mark(data, year, [p for p in plan.problems if p.row], plan.cell_notes)
    response = HttpResponse(marked, content_type=XLSX)
    stem = (meta.get("name") or f"so-lieu-{unit.code}-{year}.xlsx").rsplit(".", 1)[0]
    safe = "".join(ch for ch in stem if ch.isalnum() or ch in "-_")[:60] or "so-lieu"
    response["Content-Disposition"] = f'attachment; filename="{safe}-loi.xlsx"'
    return response


def shown(value: Decimal | None) -> str:
    return "—" if value is None else _fmt(value)
