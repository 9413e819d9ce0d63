"""Recognitions as plain data for the CLI and the API (the same shape for both)."""

from __future__ import annotations

from typing import Any

from ninja import Schema

from .models import Recognition


class DecisionOut(Schema):
    number: str | None
    date: str | None
    signer: str | None
    body: str | None = None


class RecognitionOut(Schema):
    unit: str
    level: str
    year: int
    kind: str
    status: str
    decision: DecisionOut


def recognition_row(r: Recognition) -> dict[str, Any]:
    signer = " — ".join(x for x in (r.signer_role, r.signer_name) if x) or None
    return {"unit": r.unit.code, "level": r.level, "year": r.year, "kind": r.kind, "status": r.status,
            "decision": {"number": r.decision_number or None,
                         "date": r.decision_date.isoformat() if r.decision_date else None,
                         "signer": signer, "body": r.issuing_body or None}}


def recognition_rows(queryset) -> list[dict[str, Any]]:
    """Rows in order of year, for a queryset of recognitions (already scoped by the caller)."""
    return [recognition_row(r) for r in queryset.select_related("unit").order_by("year", "id")]
