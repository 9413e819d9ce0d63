"""Criteria sets as plain data for the API and the CLI (`criteria show`): every criterion,
indicator and threshold with its source and whether it is verified."""

from __future__ import annotations

from .spec import CriteriaSetSpec


def threshold_rows(spec: CriteriaSetSpec, ind) -> list[dict]:
    rows = []
    for t in ind.thresholds:
        row: dict = {}
        if spec.classification == "group":
            row["group"] = t.group
        elif spec.classification == "region":
            row["region"] = t.region
        row.update({"year_from": t.year_from, "year_to": t.year_to, "op": t.op or ind.op})
        if t.ref_set:
            row.update({"value": None, "ref": f"{t.ref_set}/{t.ref_indicator}", "factor": t.factor})
        elif t.past:
            row.update({"value": None, "past": t.past, "factor": t.factor})
        else:
            row["value"] = t.value
        if t.when:
            row["when"] = {"field": t.when.field, "op": t.when.op, "value": t.when.value}
        row.update({"trust": t.trust, "verified": t.verified, "source": t.source})
        rows.append(row)
    return rows


def spec_detail(spec: CriteriaSetSpec, version: int) -> dict:
    return {
        "code": spec.code, "version": version, "name": spec.name, "decision": spec.decision,
        "decision_date": spec.decision_date, "effective_from": spec.effective_from, "amended_by": list(spec.amended_by),
        "years": [spec.year_from, spec.year_to], "unit_level": spec.unit_level, "level": spec.level,
        "level_name": spec.level_name, "requires": spec.requires or None, "classification": spec.classification,
        "province": spec.province or None, "extends": spec.extends or None,
        "overrides": [vars(o) for o in spec.overrides], "source": spec.source, "notes": spec.notes,
        "groups": [{"code": g, "name": n} for g, n in spec.groups],
        "criteria": [
            {
                "code": c.code, "name": c.name, "group": c.group,
                "indicators": [
                    {
                        "code": i.code, "name": i.name, "kind": i.kind, "unit": i.unit, "op": i.op,
                        "field": i.field or None, "numerator": i.numerator or None, "denominator": i.denominator or None,
                        "thresholds": threshold_rows(spec, i),
                    }
                    for i in c.indicators
                ],
            }
            for c in spec.criteria
        ],
    }
