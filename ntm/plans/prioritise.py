"""What to do first: a pure, deterministic ranking of a unit's unmet and at-risk indicators, and the
progress of a task between its baseline and its target. No ORM: plain values in, plain values out.

Why this order (seeds 001 and 003, program-rules.md §2.3: "easy, low-cost criteria first"):

1. unmet indicators before at-risk ones (an unmet one blocks the level; an at-risk one may slip);
2. unmet: the gap band (relative gap = gap / threshold, bands in data/prioritise.toml) — small gaps
   first;
3. the residents' priority from consultation (higher first);
4. the estimated cost — known costs first, cheaper first; an indicator whose kind has no rate in the
   cost catalogue comes after the costed ones of the same band and priority, and its reason says so;
5. effort (catalogue, 1 dễ … 3 khó), then the relative gap itself, then the indicator code
   (natural order), so equal items always come out in the same order;
at-risk items: the thinnest margin (relative) first, a slip since last year counted as margin 0
(smaller slips first: quicker to recover).

Each item's `reason` is one Vietnamese sentence: its state, and what places it after the item
ranked just before it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from .config import CostRate, Rules

NOT_MET, AT_RISK = "not_met", "at_risk"


@dataclass(frozen=True)
class IndicatorState:
    """One indicator of the unit this year, as the engine sees it, with what the costing needs.

    `quantity_field` is the figure whose increase (or decrease, for "≤" indicators) closes the gap:
    the indicator's numerator or field. `denominator` is the value of the ratio's denominator (a
    percent gap of 5 points on 40 km is 2 km). `last_value` is last year's value (None if unknown)."""

    code: str
    criterion: str
    name: str
    kind: str  # bool | number | percent | count
    unit: str
    op: str
    value: float | bool | None
    threshold: float | bool | None
    met: bool | None
    gap: float | None = None
    quantity_field: str = ""
    denominator: float | None = None
    last_value: float | bool | None = None
    quantity_kind: str = ""  # kind of `quantity_field` (count → whole units), "" unknown
    quantity_unit: str = ""  # its unit (km, hộ, trường…), shown when the catalogue has no rate


@dataclass(frozen=True)
class Item:
    indicator: str
    criterion: str
    name: str
    status: str  # not_met | at_risk
    gap: float | None  # engine gap for an unmet indicator (indicator units); 0 for an at-risk one
    value: float | bool | None
    threshold: float | bool | None
    quantity: float | None  # physical amount to do (km, schools, households…), None if unknown
    quantity_unit: str
    cost: float | None  # đồng; None: no catalogue rate, or nothing to build
    effort: int
    priority: int
    rank: int
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _natural(code: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", code) if p != "")


def fmt(value: float | None, digits: int = 2) -> str:
    """Vietnamese number: thousands '.', decimal ',' (1234.5 → '1.234,5'); trailing zeros dropped."""
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def money(value: float | None) -> str:
    """'1,2 tỷ đồng', '350 triệu đồng', '— '."""
    if value is None:
        return "—"
    if abs(value) >= 1e9:
        return f"{fmt(value / 1e9, 2)} tỷ đồng"
    if abs(value) >= 1e6:
        return f"{fmt(value / 1e6, 1)} triệu đồng"
    return f"{fmt(value, 0)} đồng"


def _gap_unit(s: IndicatorState) -> str:
    return "điểm %" if s.kind == "percent" else s.unit


def relative_gap(s: IndicatorState, rules: Rules) -> float:
    """gap / threshold (0 when met); a yes/no indicator not met counts as rules.bool_relative_gap."""
    if s.kind == "bool" or isinstance(s.threshold, bool):
        return rules.bool_relative_gap
    if s.gap is None:
        return 0.0
    base = abs(float(s.threshold or 0)) or 1.0
    return abs(s.gap) / base


def margin(s: IndicatorState) -> float | None:
    """How far a numeric value is past its threshold on the good side (≥ 0 when met)."""
    if s.kind == "bool" or isinstance(s.value, bool) or s.value is None or s.threshold is None:
        return None
    if s.op in (">=", ">"):
        return float(s.value) - float(s.threshold)
    if s.op in ("<=", "<"):
        return float(s.threshold) - float(s.value)
    return None


def slipped(s: IndicatorState) -> float | None:
    """How much the value moved the wrong way since last year (> 0), else None."""
    if s.last_value is None or s.value is None or s.kind == "bool":
        if s.kind == "bool" and s.last_value is True and s.value is False:
            return 1.0
        return None
    delta = float(s.last_value) - float(s.value)
    if s.op in ("<=", "<"):
        delta = -delta
    return delta if delta > 1e-9 else None


def at_risk(s: IndicatorState, rules: Rules) -> tuple[bool, float, float | None]:
    """(at risk?, relative margin, slip) for a met indicator: thin margin or a slip since last year."""
    m = margin(s)
    slip = slipped(s)
    if m is None:
        return (slip is not None, 0.0, slip)
    threshold = abs(float(s.threshold or 0))
    thin = m <= (rules.thin_margin * threshold if threshold else rules.thin_margin_abs) and not at_best(s)
    rel = m / threshold if threshold else m
    return (thin or slip is not None, 0.0 if slip is not None else rel, slip)


def at_best(s: IndicatorState) -> bool:
    """The value is the best it can be (100 % on a "≥" percent, 0 on a "≤" count): no margin can be
    thinner or thicker, so a thin margin is no warning there (a slip still is)."""
    if s.value is None or isinstance(s.value, bool):
        return False
    if s.kind == "percent" and s.op in (">=", ">"):
        return float(s.value) >= 100.0
    return s.op in ("<=", "<") and float(s.value) <= 0.0


def quantity(s: IndicatorState, amount: float | None) -> float | None:
    """Physical quantity behind an amount in indicator units: percent points × denominator / 100 for
    ratios; the amount itself for fields; 1 for a yes/no indicator."""
    if s.kind == "bool" or isinstance(s.threshold, bool):
        return 1.0
    if amount is None:
        return None
    if s.kind == "percent":
        if s.denominator is None or s.denominator <= 0:
            return None
        return round(amount * s.denominator / 100.0, 4)
    return round(amount, 4)


def _ceil_units(q: float | None, kind: str) -> float | None:
    """Whole units for countable things (2,3 households → 3); km and ha stay fractional."""
    if q is None:
        return None
    return float(math.ceil(q - 1e-9)) if kind in ("count", "bool") else q


@dataclass
class _Row:
    state: IndicatorState
    status: str
    band: int
    priority: int
    cost: float | None
    costed: bool
    effort: int
    rel: float
    quantity: float | None
    qunit: str
    slip: float | None
    key: tuple
    slip_rel: float = 0.0


def prioritise(states: Sequence[IndicatorState], costs: Mapping[str, CostRate], priorities: Mapping[str, int],
               rules: Rules) -> list[Item]:
    """Rank the unmet and at-risk indicators among `states` (missing data is left out).

    `costs`: {figure field: CostRate}; `priorities`: {indicator or criterion code: weight ≥ 0} from
    the residents' consultation (the indicator's own entry wins over its criterion's).
    Returns items ranked 1…n (see the module docstring for the order)."""
    rows: list[_Row] = []
    for s in states:
        if s.met is None or s.value is None:
            continue
        priority = int(priorities.get(s.code, priorities.get(s.criterion, 0)) or 0)
        rate = costs.get(s.quantity_field) if s.quantity_field else None
        effort = rate.effort if rate else rules.default_effort
        if s.met is False:
            rel = relative_gap(s, rules)
            q = _ceil_units(quantity(s, s.gap), "bool" if s.kind == "bool" else _count_kind(s))
            cost = None if rate is None or q is None else round(q * rate.unit_cost)
            band = rules.band(rel)
            key = (0, band, -priority, cost is None, cost or 0.0, effort, rel, _natural(s.code))
            rows.append(_Row(s, NOT_MET, band, priority, cost, rate is not None, effort, rel, q,
                             rate.unit if rate else s.quantity_unit, None, key))
        else:
            risky, rel_margin, slip = at_risk(s, rules)
            if not risky:
                continue
            q = _ceil_units(quantity(s, slip), _count_kind(s)) if slip is not None and s.kind != "bool" else None
            cost = None if rate is None or q is None else round(q * rate.unit_cost)
            # a slip since last year counts as margin 0; among slips, the smaller (easier to recover) first
            base = abs(float(s.threshold)) if isinstance(s.threshold, (int, float)) and s.threshold else 1.0
            slip_rel = (slip or 0.0) / base if s.kind != "bool" else 0.0
            key = (1, 0, -priority, rel_margin, slip_rel, cost is None, cost or 0.0, effort, _natural(s.code))
            rows.append(_Row(s, AT_RISK, 0, priority, cost, rate is not None, effort, rel_margin, q,
                             rate.unit if rate else s.quantity_unit, slip, key, slip_rel))
    rows.sort(key=lambda r: r.key)
    items = []
    for i, row in enumerate(rows):
        previous = rows[i - 1] if i else None
        items.append(Item(
            indicator=row.state.code, criterion=row.state.criterion, name=row.state.name, status=row.status,
            gap=row.state.gap if row.status == NOT_MET else 0.0, value=row.state.value, threshold=row.state.threshold,
            quantity=row.quantity, quantity_unit=row.qunit, cost=row.cost, effort=row.effort, priority=row.priority,
            rank=i + 1, reason=_reason(row, previous, rules),
        ))
    return items


def _count_kind(s: IndicatorState) -> str:
    """Percent indicators over counts (households, schools, hamlets) are done in whole units."""
    if s.quantity_kind:
        return "count" if s.quantity_kind in ("count", "bool") else "number"
    field = s.quantity_field
    whole = field.startswith(("households_", "schools_", "hamlets_", "people_", "workers_")) or s.kind == "count"
    return "count" if whole else "number"


def _state_text(row: _Row, rules: Rules) -> str:
    s = row.state
    if row.status == NOT_MET:
        if s.kind == "bool" or isinstance(s.threshold, bool):
            text = "chưa đạt (chỉ tiêu đạt/không đạt)"
        else:
            band = rules.bands[row.band].label
            text = f"chưa đạt, còn thiếu {fmt(s.gap)} {_gap_unit(s)} (khoảng cách {band})"
    elif row.slip is not None:
        if s.kind == "bool":
            text = "đã đạt năm trước nhưng năm nay không còn đạt"
        else:
            text = (f"đã đạt nhưng giảm {fmt(row.slip)} {_gap_unit(s)} so với năm trước "
                    f"(từ {fmt(float(s.last_value))} xuống {fmt(float(s.value))})")
    elif not margin(s):
        text = "đã đạt nhưng vừa đúng ngưỡng"
    else:
        text = f"đã đạt nhưng sát ngưỡng (chỉ hơn {fmt(margin(s))} {_gap_unit(s)})"
    if row.priority:
        text += f", người dân ưu tiên mức {row.priority}"
    if row.cost is not None:
        what = f" cho {fmt(row.quantity)} {row.qunit}" if row.quantity is not None and row.qunit else ""
        text += f", chi phí ước tính {money(row.cost)}{what}"
    elif row.status == NOT_MET and not row.costed:
        text += ", chưa có đơn giá trong danh mục chi phí"
    elif row.status == AT_RISK and row.slip is None:
        text += ", cần duy trì chứ chưa cần đầu tư thêm"
    text += f", {rules.effort_labels.get(row.effort, str(row.effort))}"
    return text


def _why_after(row: _Row, prev: _Row, rules: Rules) -> str:
    """What places `row` after `prev`: the first key component where they differ."""
    p = prev.state.code
    if row.status != prev.status:
        return "xếp sau các chỉ tiêu chưa đạt vì đã đạt, chỉ cần giữ vững"
    if row.status == NOT_MET:
        if row.band != prev.band:
            return f"xếp sau {p} vì khoảng cách lớn hơn"
        if row.priority != prev.priority:
            return f"xếp sau {p} vì người dân ưu tiên thấp hơn"
        if (row.cost is None) != (prev.cost is None):
            return f"xếp sau {p} (cùng mức khoảng cách) vì chưa có chi phí ước tính"
        if row.cost != prev.cost:
            return f"xếp sau {p} vì chi phí cao hơn"
        if row.effort != prev.effort:
            return f"xếp sau {p} vì khó làm hơn"
        if row.rel != prev.rel:
            return f"xếp sau {p} vì khoảng cách tương đối lớn hơn"
        return f"ngang {p} về mọi mặt nên xếp theo mã chỉ tiêu"
    if row.priority != prev.priority:
        return f"xếp sau {p} vì người dân ưu tiên thấp hơn"
    if row.rel != prev.rel:
        return f"xếp sau {p} vì còn cách ngưỡng xa hơn"
    if row.slip_rel != prev.slip_rel:
        return f"xếp sau {p} vì giảm nhiều hơn so với năm trước"
    if (row.cost is None) != (prev.cost is None) or row.cost != prev.cost:
        return f"xếp sau {p} vì chi phí cao hơn hoặc chưa ước tính được"
    if row.effort != prev.effort:
        return f"xếp sau {p} vì khó làm hơn"
    return f"ngang {p} về mọi mặt nên xếp theo mã chỉ tiêu"


def _reason(row: _Row, prev: _Row | None, rules: Rules) -> str:
    head = f"Chỉ tiêu {row.state.code} {_state_text(row, rules)}"
    if prev is None:
        return f"{head}; xếp đầu tiên vì {_first(row)}."
    return f"{head}; {_why_after(row, prev, rules)}."


def _first(row: _Row) -> str:
    if row.status == AT_RISK:
        return "không còn chỉ tiêu nào chưa đạt và đây là chỉ tiêu dễ tụt nhất"
    return "đứng trước các chỉ tiêu chưa đạt khác theo thứ tự khoảng cách, ưu tiên của người dân, chi phí, độ khó"


# --- progress of a task (pure) -----------------------------------------------------------------

def progress(baseline: float | bool | None, target: float | bool | None, current: float | bool | None) -> float | None:
    """Share of the way from baseline to target reached by the current value, clamped to [0, 1]:
    (current − baseline) / (target − baseline). Yes/no: 1 when current equals target, else 0.
    None when the current value is unknown."""
    if current is None or target is None:
        return None
    if isinstance(target, bool) or isinstance(current, bool):
        return 1.0 if bool(current) == bool(target) else 0.0
    if baseline is None:
        return 1.0 if float(current) == float(target) else 0.0
    b, t, c = float(baseline), float(target), float(current)
    if t == b:
        return 1.0 if c == t else 0.0
    return max(0.0, min(1.0, (c - b) / (t - b)))
