"""The entry form's layout, as plain data (the view stays thin); validation is in `rules`."""

from __future__ import annotations

from dataclasses import dataclass, field

from ntm.criteria.evaluate import Classification, sets_above
from ntm.criteria.spec import CriteriaSetSpec


@dataclass
class Row:
    code: str
    name: str
    kind: str
    unit: str
    fields: list[str]
    shared: list[str] = field(default_factory=list)  # already entered higher up the page
    threshold: object = None
    op: str = ""
    verified: bool = True


@dataclass
class Section:
    set_code: str
    title: str
    criteria: list[tuple[str, str, list[Row]]] = field(default_factory=list)


def layout(registry, base: CriteriaSetSpec, cls: Classification, year: int) -> tuple[list[str], list[Section]]:
    """Shared denominators first, then each set of the ladder by criterion and indicator."""
    from ntm.criteria.evaluate import resolve_threshold

    specs = [base, *sets_above(registry, base.code, year)]
    dens = sorted({i.denominator for s in specs for i in s.indicators() if i.denominator})
    sections = []
    seen: set[str] = set(dens)
    for spec in specs:
        section = Section(spec.code, f"{spec.level_name} — {spec.decision}")
        for c in spec.criteria:
            rows = []
            for ind in c.indicators:
                thr, target = resolve_threshold(spec, ind, cls.class_for(spec), year, registry)
                names = [f for f in (ind.field, ind.numerator) if f]
                new = [f for f in names if f not in seen]
                seen.update(new)
                rows.append(Row(ind.code, ind.name, ind.kind, ind.unit, new, [f for f in names if f not in new],
                                target, thr.op or ind.op, thr.verified))
            section.criteria.append((c.code, c.name, rows))
        sections.append(section)
    return dens, sections
