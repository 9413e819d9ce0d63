"""API shapes of plans (django-ninja)."""

from __future__ import annotations

from ninja import Schema


class RankedItem(Schema):
    indicator: str
    criterion: str
    gap: float | None
    cost: float | None
    rank: int
    reason: str
    status: str


class TaskOut(Schema):
    indicator: str
    criterion: str
    title: str
    baseline: float | None
    target: float
    deadline: str
    owner: str | None
    status: str
    progress: float | None
    overdue: bool
