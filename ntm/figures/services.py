"""Writing figures: one entry point, so history and recompute are never skipped."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.db import transaction
from django.db.models import FloatField
from django.db.models.functions import Cast

from ntm.units.models import Unit

from .models import Figure, FigureChange


@transaction.atomic
def set_figure(
    unit: Unit, year: int, field: str, value: Decimal | None, *, user=None, source: str = "", comment: str = "",
    recompute: bool = True,
) -> Figure:
    """Save one figure, record the change, and bring the unit's evaluation up to date."""
    figure, created = Figure.objects.select_for_update().get_or_create(
        unit=unit, year=year, field=field, defaults={"value": value, "source": source, "updated_by": user}
    )
    old = None if created else figure.value
    if not created:
        if old == value and figure.source == source:
            return figure
        figure.value, figure.source, figure.updated_by = value, source, user
        figure.save()
    FigureChange.objects.create(
        figure=figure, old_value=old, new_value=value, source=source, comment=comment, changed_by=user
    )
    if recompute:
        from ntm.evaluations.recompute import recompute_units

        recompute_units([unit.pk], [year])
    return figure


def figure_rows(queryset) -> Iterator[tuple[int, int, str, float | None]]:
    """(unit, year, field, value) rows; values read as floats in SQL (the engine computes in floats,
    and skipping Decimal conversion halves the read)."""
    rows = queryset.annotate(v=Cast("value", FloatField())).values_list("unit_id", "year", "field", "v")
    return rows.iterator(chunk_size=20000)


def values_for(unit_ids: list[int], years: list[int]) -> dict[tuple[int, int], dict[str, float]]:
    """All figures of these units and years in one query, grouped for the engine."""
    out: dict[tuple[int, int], dict[str, float]] = {}
    for unit_id, year, field, value in figure_rows(Figure.objects.filter(unit_id__in=unit_ids, year__in=years)):
        key = (unit_id, year)
        bucket = out.get(key)
        if bucket is None:
            bucket = out[key] = {}
        bucket[field] = value
    return out
