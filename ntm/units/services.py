"""Classifications of units (commune group 2026–2030, 2021–2025 flags): the only code that writes
them. Province offices (`units.classify`) set them on a screen or by Excel; each change is audited
with its source and brings the stored evaluations of the years it covers up to date."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ntm.accounts.audit import record
from ntm.accounts.scope import can

from .models import Classification, Unit
from .rules import flag_defs, group_years, suggest_group
from .signals import classification_changed

CLASSIFY = "units.classify"


@dataclass(frozen=True)
class GroupChange:
    unit: Unit
    old: int | None
    new: int
    reason: str


def _check(user, unit: Unit) -> None:
    if not can(user, unit, CLASSIFY):
        raise PermissionDenied(f"Bạn không có quyền phân loại {unit.full_name} (văn phòng điều phối tỉnh)")
    if unit.level != Unit.Level.COMMUNE or unit.kind != "xã":
        raise ValidationError(f"{unit.full_name}: chỉ xã mới được phân nhóm theo bộ tiêu chí xã nông thôn mới")


def current_group(unit: Unit) -> Classification | None:
    y0, _ = group_years()
    return Classification.objects.filter(unit=unit, scheme=Classification.Scheme.GROUP, year_from__lte=y0).order_by(
        "-year_from", "-id").first()


@transaction.atomic
def set_group(user, unit: Unit, *, inputs: dict[str, Any], source: str, group: int | None = None) -> GroupChange:
    """Set a commune's group for 2026–2030 from the decision's inputs (the group they give, unless the
    office states another with its source). Raises PermissionDenied or ValidationError (Vietnamese)."""
    _check(user, unit)
    source = (source or "").strip()
    if not source:
        raise ValidationError("Cần ghi căn cứ phân nhóm (số quyết định, văn bản của tỉnh)")
    answer = suggest_group(inputs)
    chosen = group if group is not None else answer.group
    if chosen not in (1, 2, 3):
        raise ValidationError("Nhóm xã phải là 1, 2 hoặc 3")
    y0, y1 = group_years()
    row = current_group(unit)
    old = int(row.value) if row else None
    reason = answer.reason if chosen == answer.group else f"Tỉnh xác định nhóm {chosen} (theo dữ kiện: nhóm {answer.group})"
    before = {"group": old, "inputs": row.inputs if row else None, "source": row.source if row else None}
    if row is None:
        row = Classification(unit=unit, scheme=Classification.Scheme.GROUP, year_from=y0, year_to=y1)
    if (old, row.inputs, row.source) == (chosen, inputs, source):
        return GroupChange(unit, old, chosen, reason)
    row.value, row.inputs, row.source, row.set_by, row.set_at = str(chosen), inputs, source[:255], user, timezone.now()
    row.year_to = row.year_to or y1
    row.save()
    record(user, "units.classify", row, unit=unit, before=before,
           after={"group": chosen, "inputs": inputs, "source": row.source, "reason": reason})
    if old != chosen:
        classification_changed.send(sender=Classification, unit_ids=[unit.pk], years=list(range(y0, y1 + 1)))
    return GroupChange(unit, old, chosen, reason)


@transaction.atomic
def set_flags(user, unit: Unit, *, flags: set[str], source: str) -> set[str]:
    """Set a pre-2025 commune's 2021–2025 flags (đặc biệt khó khăn, an toàn khu). Returns the flags."""
    if not can(user, unit, CLASSIFY):
        raise PermissionDenied(f"Bạn không có quyền phân loại {unit.full_name}")
    defs = flag_defs()
    unknown = flags - set(defs)
    if unknown:
        raise ValidationError(f"Đặc điểm không có: {', '.join(sorted(unknown))}")
    if flags and not (source or "").strip():
        raise ValidationError("Cần ghi căn cứ (quyết định công nhận xã đặc biệt khó khăn, an toàn khu…)")
    rows = {r.value: r for r in Classification.objects.filter(unit=unit, scheme=Classification.Scheme.FLAG)}
    before = sorted(rows)
    years: set[int] = set()
    for code in set(rows) - flags:
        years |= set(range(rows[code].year_from, (rows[code].year_to or rows[code].year_from) + 1))
        rows[code].delete()
    for code in flags - set(rows):
        y0, y1 = defs[code]["years"]
        Classification.objects.create(unit=unit, scheme=Classification.Scheme.FLAG, value=code, year_from=y0, year_to=y1,
                                      source=source[:255], set_by=user, set_at=timezone.now())
        years |= set(range(y0, y1 + 1))
    if years:
        record(user, "units.flags", unit, unit=unit, before={"flags": before}, after={"flags": sorted(flags), "source": source})
        classification_changed.send(sender=Classification, unit_ids=[unit.pk], years=sorted(years))
    return flags


@transaction.atomic
def import_groups(user, province: Unit, rows) -> list[GroupChange]:
    """Set the groups of many communes of `province` at once (rows from `units.excel.read`): every row is
    checked first; any error → ValidationError listing all of them, nothing written."""
    by_code = {u.code: u for u in Unit.objects.filter(province=province, level=Unit.Level.COMMUNE, kind="xã")}
    errors = [f"{r.where}, cột A: “{r.code}” không phải xã của {province.full_name}" for r in rows if r.code not in by_code]
    errors += [f"{r.where}: bạn không có quyền phân loại {by_code[r.code].full_name}" for r in rows
               if r.code in by_code and not can(user, by_code[r.code], CLASSIFY)]
    if errors:
        raise ValidationError(errors)
    return [set_group(user, by_code[r.code], inputs=r.inputs, source=r.source, group=r.group) for r in rows]
