"""The ledger's rules, pure (no ORM): values of entries, totals, shares against the national
structure, the voluntary rule, exemptions, the per-household ceiling, the special mechanism's cap and
the supervision board's composition. Every limit comes from `config.rules()` (data with sources).

Money is in đồng (Decimal). An in-kind entry (workdays, donated land, assets) has a quantity and
the rate used to value it; its value = quantity × rate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from .config import LedgerRules

ZERO = Decimal(0)


@dataclass(frozen=True)
class Entry:
    """One ledger row as plain data (a reversing entry carries negative amount/quantity)."""

    source: str
    year: int
    amount: Decimal | None = None  # money entries
    quantity: Decimal | None = None  # in-kind: workdays, m², items
    rate: Decimal | None = None  # đồng per unit of quantity, to value in-kind entries
    unit_id: int | None = None
    project_id: int | None = None
    task_id: int | None = None


def value_of(e: Entry) -> Decimal:
    """Money value of an entry: its amount, or quantity × rate (0 when an in-kind entry has no rate)."""
    if e.amount is not None:
        return Decimal(e.amount)
    if e.quantity is not None and e.rate is not None:
        return (Decimal(e.quantity) * Decimal(e.rate)).quantize(Decimal(1))
    return ZERO


def totals(entries: Iterable[Entry]) -> dict[str, dict[str, Decimal]]:
    """{source: {"value": đồng, "quantity": sum of quantities}} (reversals net out)."""
    out: dict[str, dict[str, Decimal]] = defaultdict(lambda: {"value": ZERO, "quantity": ZERO})
    for e in entries:
        row = out[e.source]
        row["value"] += value_of(e)
        if e.quantity is not None:
            row["quantity"] += Decimal(e.quantity)
    return dict(out)


def by(entries: Iterable[Entry], key: str) -> dict:
    """Total value grouped by an attribute of the entries ("year", "unit_id", "project_id", …)."""
    out: dict = defaultdict(lambda: ZERO)
    for e in entries:
        out[getattr(e, key)] += value_of(e)
    return dict(out)


@dataclass(frozen=True)
class ShareRow:
    group: str
    label: str
    value: Decimal
    share: float | None  # of the unit's total mobilised
    national: float | None  # the national structure's share for the period (None: not known)


def shares(source_totals: Mapping[str, Mapping[str, Decimal]], rules: LedgerRules, year: int) -> list[ShareRow]:
    """Each group's share of the total against the national structure of `year`'s period (§2.1)."""
    grouped: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for code, row in source_totals.items():
        src = rules.source(code)
        grouped[src.group if src else "other"] += row["value"]
    total = sum(grouped.values(), ZERO)
    structure = rules.structure_for(year)
    rows = []
    for group, label in rules.groups.items():
        value = grouped.get(group, ZERO)
        rows.append(ShareRow(group, label, value, float(value / total) if total else None,
                             structure.shares.get(group) if structure else None))
    return rows


# --- voluntary rule, exemptions, ceiling -------------------------------------------------------

def agreement_share(agreeing: int, eligible: int) -> float:
    return agreeing / eligible if eligible > 0 else 0.0


def decision_errors(*, attendance: int, eligible: int, agreeing: int, rules: LedgerRules) -> list[str]:
    """Why a residents' decision cannot carry a community contribution (empty list: it can).
    The share agreeing is counted over the eligible voters or household representatives."""
    errors = []
    if eligible <= 0:
        errors.append("Số hộ/cử tri thuộc diện biểu quyết phải lớn hơn 0")
        return errors
    if attendance > eligible:
        errors.append("Số người dự họp không được lớn hơn số hộ/cử tri thuộc diện biểu quyết")
    if agreeing > attendance:
        errors.append("Số người đồng ý không được lớn hơn số người dự họp")
    share = agreement_share(agreeing, eligible)
    need = rules.agreement_share.value
    passes = share > need if rules.agreement_strict else share >= need
    if not passes:
        sign = "trên" if rules.agreement_strict else "ít nhất"
        pct = f"{share:.1%}".replace(".", ",")
        errors.append(f"Chỉ {pct} đồng ý, cần {sign} {need:.0%} số hộ/cử tri ({rules.agreement_share.source})")
    return errors


def contribution_errors(*, source: str, rules: LedgerRules, decision_ok: bool | None, obligation: bool,
                        exemption: str = "", amount: Decimal | None = None, quantity: Decimal | None = None,
                        rate: Decimal | None = None) -> list[str]:
    """Why an entry may not be written. `decision_ok`: None = no residents' decision attached,
    else whether it passed; `obligation`: the entry is an assigned obligation (mức đóng góp theo hộ)
    rather than a gift; `exemption`: the contributor's exemption category code ("" none)."""
    errors = []
    src = rules.source(source)
    if src is None:
        return [f"Nguồn “{source}” không có trong danh mục nguồn lực"]
    if src.measure == "money":
        if amount is None:
            errors.append(f"Nguồn “{src.label}”: cần số tiền")
        if quantity is not None:
            errors.append(f"Nguồn “{src.label}” tính bằng tiền: không nhập số lượng")
    else:
        if quantity is None:
            errors.append(f"Nguồn “{src.label}”: cần số lượng ({_measure(src.measure)})")
        if amount is not None:
            errors.append(f"Nguồn “{src.label}” là hiện vật/ngày công: nhập số lượng và đơn giá quy đổi, không nhập số tiền")
        if rate is not None and rate < 0:
            errors.append("Đơn giá quy đổi không được âm")
    if src.community:
        if decision_ok is None:
            errors.append(f"Đóng góp của người dân (“{src.label}”) phải dựa trên nghị quyết/biên bản họp dân đã được "
                          "đa số đồng ý: chọn cuộc họp")
        elif decision_ok is False:
            errors.append("Cuộc họp dân được chọn chưa đủ tỷ lệ đồng ý: không thể ghi đóng góp theo quyết định này")
    if obligation and exemption:
        label = rules.exemptions.get(exemption, exemption)
        errors.append(f"Hộ thuộc diện miễn ({label}) không được giao nghĩa vụ đóng góp ({rules.exemptions_source})")
    return errors


def _measure(measure: str) -> str:
    return {"workday": "ngày công", "land": "m²", "asset": "hiện vật"}.get(measure, measure)


def over_ceiling(per_household: Decimal | None, ceiling: Decimal | None) -> bool:
    """An obligation per household above the province's ceiling is flagged for review (not refused)."""
    return per_household is not None and ceiling is not None and per_household > ceiling


# --- special mechanism and supervision board -------------------------------------------------

def project_errors(*, total: Decimal, type_listed: bool, unit_level: str, rules: LedgerRules) -> list[str]:
    """A community project under the special mechanism (§2.2): one commune, ≤ the cap, a listed type."""
    errors = []
    cap = Decimal(str(rules.project_cap.value))
    if total > cap:
        errors.append(f"Tổng mức đầu tư {_vnd(total)} đồng vượt mức tối đa {_vnd(cap)} đồng của cơ chế đặc thù "
                      f"({rules.project_cap.source})")
    if total <= 0:
        errors.append("Tổng mức đầu tư phải lớn hơn 0")
    if not type_listed:
        errors.append("Loại dự án không có trong danh mục loại dự án áp dụng cơ chế đặc thù của tỉnh")
    if unit_level != "commune":
        errors.append("Dự án theo cơ chế đặc thù phải thuộc một xã, do UBND xã quản lý")
    return errors


def _vnd(value: Decimal) -> str:
    return f"{value:,.0f}".replace(",", ".")


def board_errors(roles: Iterable[str], rules: LedgerRules) -> list[str]:
    """The board's composition with the members' roles ("head", "deputy", "member"): at most the
    data's number of members and of deputies, one head (§2.4)."""
    roles = list(roles)
    errors = []
    most, deputies = int(rules.board_max_members.value), int(rules.board_max_deputies.value)
    if len(roles) > most:
        errors.append(f"Ban giám sát đầu tư của cộng đồng có tối đa {most} thành viên ({rules.board_max_members.source})")
    if roles.count("deputy") > deputies:
        errors.append(f"Ban giám sát có tối đa {deputies} phó trưởng ban ({rules.board_max_deputies.source})")
    if roles.count("head") > 1:
        errors.append("Ban giám sát chỉ có một trưởng ban")
    return errors


def budget_vs_mobilised(budget: Mapping[str, Decimal], mobilised: Mapping[str, Decimal]) -> list[dict]:
    """Per source: planned, mobilised, the rest to mobilise (never below 0) and the share done."""
    rows = []
    for code in sorted(set(budget) | set(mobilised)):
        planned, got = Decimal(budget.get(code, ZERO)), Decimal(mobilised.get(code, ZERO))
        rows.append({"source": code, "planned": planned, "mobilised": got, "remaining": max(planned - got, ZERO),
                     "share": float(got / planned) if planned else None})
    return rows
