"""Reading the ledger (no writes): entries as plain data, totals by source/unit/year, shares against
the national structure, budgets against what was mobilised, and the public disclosure's content."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum

from ntm.units.models import Unit

from . import ledger
from .config import rules
from .models import CommunityProject, Contribution, Disclosure, Expenditure


def entries(qs: QuerySet) -> list[ledger.Entry]:
    return [ledger.Entry(r["source"], r["year"], r["amount"], r["quantity"], r["rate"], r["unit_id"], r["project_id"],
                         r["task_id"])
            for r in qs.values("source", "year", "amount", "quantity", "rate", "unit_id", "project_id", "task_id")]


def subtree(unit: Unit) -> Q:
    """The unit and everything under it (a province's communes, a district's communes and hamlets…)."""
    if unit.level == Unit.Level.PROVINCE:
        return Q(unit=unit) | Q(unit__province=unit)
    return Q(unit=unit) | Q(unit__parent=unit) | Q(unit__parent__parent=unit)


def unit_ledger(unit: Unit, year: int | None = None) -> QuerySet:
    """The entries of the unit and of the units under it (a commune's ledger includes its hamlets',
    a district's its communes')."""
    qs = Contribution.objects.filter(subtree(unit))
    return qs.filter(year=year) if year else qs


def by_unit(unit: Unit, year: int | None = None) -> list[dict]:
    """Totals per unit under `unit` (largest first)."""
    rows = unit_ledger(unit, year).values("unit_id", "unit__full_name").annotate(total=Sum("value")).order_by("-total")
    return [{"unit_id": r["unit_id"], "name": r["unit__full_name"], "total": r["total"]} for r in rows]


def summary(unit: Unit, year: int | None = None) -> dict[str, Any]:
    """Totals by source (value and quantity), by year, the group shares against the national
    structure of the year's period, and the total."""
    rows = entries(unit_ledger(unit, year))
    by_source = ledger.totals(rows)
    r = rules()
    total = sum((v["value"] for v in by_source.values()), Decimal(0))
    out_sources = []
    for src in r.sources:
        if src.code in by_source:
            out_sources.append({"source": src.code, "label": src.label, "measure": src.measure,
                                "value": by_source[src.code]["value"], "quantity": by_source[src.code]["quantity"]})
    share_year = year or max((e.year for e in rows), default=None)
    structure = r.structure_for(share_year) if share_year else None
    return {
        "total": total,
        "sources": out_sources,
        "by_year": dict(sorted(ledger.by(rows, "year").items())),
        "shares": ledger.shares(by_source, r, share_year) if share_year else [],
        "structure": structure,
    }


def api_entries(unit: Unit, year: int | None) -> dict[str, Any]:
    """The API's answer: entries (contributors only as they consented) and totals by source."""
    qs = unit_ledger(unit, year).select_related("contributor", "project", "task").order_by("date", "pk")
    items = []
    for c in qs:
        items.append({
            "id": c.pk, "date": c.date.isoformat(), "year": c.year, "source": c.source, "amount": _num(c.amount),
            "quantity": _num(c.quantity), "rate": _num(c.rate), "value": _num(c.value),
            "contributor": c.contributor.public_name if c.contributor else None,
            "project": c.project.name if c.project else None, "task": c.task.indicator if c.task else None,
            "work": c.work, "reverses": c.reverses_id, "flagged": c.flagged or None,
        })
    totals = ledger.totals(entries(unit_ledger(unit, year)))
    return {"unit": unit.code, "year": year, "entries": items,
            "totals": {k: {"value": _num(v["value"]), "quantity": _num(v["quantity"])} for k, v in totals.items()}}


def _num(v: Decimal | None) -> float | int | None:
    if v is None:
        return None
    return int(v) if v == v.to_integral_value() else float(v)


def budget_vs_mobilised(task_budgets: dict[int, dict[str, Decimal]]) -> dict[int, list[dict]]:
    """{task id: [per source rows]} for tasks with budgets (`plans.Budget`) against their entries."""
    mobilised: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for e in entries(Contribution.objects.filter(task_id__in=list(task_budgets))):
        mobilised[e.task_id][e.source] += ledger.value_of(e)
    return {tid: ledger.budget_vs_mobilised(b, mobilised.get(tid, {})) for tid, b in task_budgets.items()}


def disclosure(unit: Unit) -> list[dict[str, Any]]:
    """The public page's content: for each disclosure of the unit (latest first), what was mobilised
    and spent that year up to its date, per project and source; contributors named only with
    consent (others are counted as anonymous)."""
    out = []
    labels = {s.code: s.label for s in rules().sources}
    for d in Disclosure.objects.filter(unit=unit).order_by("-date"):
        qs = unit_ledger(unit, d.year).filter(date__lte=d.date).select_related("contributor", "project")
        rows = list(qs)
        by_source = ledger.totals(entries(qs))
        projects: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for c in rows:
            projects[c.project.name if c.project else (c.work or "Nội dung chung")][labels.get(c.source, c.source)] += c.value
        named: dict[str, Decimal] = defaultdict(Decimal)
        anonymous = Decimal(0)
        for c in rows:
            if c.contributor and c.contributor.public_consent:
                named[c.contributor.name] += c.value
            elif c.contributor:
                anonymous += c.value
        spent = Expenditure.objects.filter(unit=unit, year=d.year, date__lte=d.date).select_related("project")
        spent_rows: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for s in spent:
            spent_rows[s.project.name if s.project else (s.work or "Nội dung chung")][labels.get(s.source, s.source)] += s.amount
        out.append({
            "disclosure": d,
            "sources": [{"label": labels.get(k, k), "value": v["value"], "quantity": v["quantity"],
                         "measure": rules().source(k).measure if rules().source(k) else "money"}
                        for k, v in by_source.items() if v["value"] or v["quantity"]],
            "total": sum((v["value"] for v in by_source.values()), Decimal(0)),
            "projects": {k: dict(v) for k, v in projects.items()},
            "spent": {k: dict(v) for k, v in spent_rows.items()},
            "spent_total": sum((s.amount for s in spent), Decimal(0)),
            "contributors": sorted(named.items(), key=lambda kv: -kv[1]),
            "anonymous": anonymous,
        })
    return out


def projects(unit: Unit) -> QuerySet:
    return CommunityProject.objects.filter(unit=unit).select_related("type").prefetch_related(
        "board__members", "board__inspections__requests")
