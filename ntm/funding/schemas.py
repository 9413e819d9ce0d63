"""API shapes of the ledger (django-ninja)."""

from __future__ import annotations

from ninja import Schema


class EntryOut(Schema):
    id: int
    date: str
    year: int
    source: str
    amount: float | None
    quantity: float | None
    rate: float | None
    value: float | None
    contributor: str | None  # a name only with consent, else "Ẩn danh"
    project: str | None
    task: str | None
    work: str
    reverses: int | None
    flagged: str | None


class SourceTotal(Schema):
    value: float | None
    quantity: float | None


class LedgerOut(Schema):
    unit: str
    year: int | None
    entries: list[EntryOut]
    totals: dict[str, SourceTotal]
