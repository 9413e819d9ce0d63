"""Raw figures per (unit, year, field), with every change kept as a row of its own."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ntm.core.scoping import ScopedManager
from ntm.core.sql import in_ids, reading
from ntm.units.models import Lineage, Unit


class Figure(models.Model):
    """One raw value for (unit, year, field). Written only by `figures.services.write_figures`."""

    unit_path = "unit"

    # no index of its own: the unique (unit, year, field) below starts with unit and serves every lookup
    # by unit; a fifth index cost every write (a province's import rewrites 7,500 index entries each)
    unit = models.ForeignKey(Unit, models.CASCADE, related_name="figures", verbose_name="đơn vị", db_index=False)
    year = models.PositiveSmallIntegerField("năm")
    field = models.CharField("trường số liệu", max_length=64)
    value = models.DecimalField("giá trị", max_digits=20, decimal_places=4, null=True, blank=True)
    source = models.CharField("nguồn", max_length=255, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField("cập nhật", auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = "số liệu"
        verbose_name_plural = "số liệu"
        constraints = [models.UniqueConstraint(fields=["unit", "year", "field"], name="figure_unit_year_field")]
        indexes = [models.Index(fields=["year", "unit"])]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.year}/{self.field}={self.value}"


class FigureChange(models.Model):
    """Who changed a figure, when, from what to what, and why."""

    unit_path = "figure__unit"

    # A trail, written only by `write_figures` beside the figure it has just locked and changed, and
    # by the user of that request: its two references are kept by Django (deleting a figure still
    # deletes its history, a user's still sets changed_by to NULL) but are not database constraints,
    # as django-simple-history's history tables do. PostgreSQL checks a constraint row by row, at
    # commit: 15,000 checks for a province's import of 7,500 cells, 150 ms, more than the rows' insert.
    figure = models.ForeignKey(Figure, models.CASCADE, related_name="changes", db_constraint=False)
    old_value = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    new_value = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    source = models.CharField("nguồn", max_length=255, blank=True)
    comment = models.TextField("ghi chú", blank=True)
    # Not indexed: nothing lists a user's changes across units (the entry form's "last source" goes
    # through the unit's figures), and the index cost a province's import 5 ms of its history insert's
    # 28 on PostgreSQL; deleting a user (rare: accounts are deactivated) scans the history instead.
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                                   db_constraint=False, db_index=False)
    changed_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = "lịch sử số liệu"
        verbose_name_plural = "lịch sử số liệu"
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.figure_id}: {self.old_value} → {self.new_value}"


class Period(models.Model):
    """A reporting year of a province; once closed, nobody writes figures of that year for any of the
    province's units — current, their pre-2025 predecessors and their hamlets — until an
    administrator reopens it. Rows are kept on the current province (see `owner_province_ids`)."""

    unit_path = "province"

    province = models.ForeignKey(Unit, models.CASCADE, related_name="periods", verbose_name="tỉnh")
    year = models.PositiveSmallIntegerField("năm")
    closed = models.BooleanField("đã khoá", default=False)
    reason = models.CharField("lý do", max_length=255, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    changed_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = "kỳ báo cáo"
        verbose_name_plural = "kỳ báo cáo"
        constraints = [models.UniqueConstraint(fields=["province", "year"], name="period_province_year")]

    def __str__(self) -> str:
        return f"{self.province} {self.year}{' (đã khoá)' if self.closed else ''}"

    @classmethod
    def is_closed(cls, unit: Unit, year: int) -> bool:
        return bool(closed_unit_years([unit.pk], [year]))


def _any_closed(unit_ids: list[int], years: list[int]) -> bool:
    """Whether a closed period of these years may bind one of these units: of the unit's province (a
    province itself) or of the current province a pre-2025 province was merged into. One plain
    statement (the ORM took longer to build it than the database to answer: docs/benchmarks.md)."""
    db = reading(Period)
    vendor = db.vendor
    units, unit_params = in_ids("u.id", unit_ids, vendor)
    in_years, year_params = in_ids("p.year", years, vendor, "integer")
    unit_table, lineage = Unit._meta.db_table, Lineage._meta.db_table
    owner = f"SELECT CASE WHEN u.level = %s THEN u.id ELSE u.province_id END FROM {unit_table} u WHERE {units}"
    province = [Unit.Level.PROVINCE]
    with db.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {Period._meta.db_table} p WHERE p.closed = %s AND {in_years} AND (p.province_id IN ({owner}) "
            f"OR p.province_id IN (SELECT l.target_id FROM {lineage} l JOIN {unit_table} t ON t.id = l.target_id "
            f"WHERE t.level = %s AND l.source_id IN ({owner}))) LIMIT 1",
            [True, *year_params, *province, *unit_params, *province, *province, *unit_params])
        return cursor.fetchone() is not None


def owner_province_ids(province_ids: set[int]) -> dict[int, set[int]]:
    """{province id: the province rows whose closed periods bind it}: itself and, for a pre-2025
    province, the current province it was merged into (the office that now owns its history)."""
    out = {pid: {pid} for pid in province_ids if pid is not None}
    for source, target in Lineage.objects.filter(source_id__in=out, target__level=Unit.Level.PROVINCE).values_list(
            "source_id", "target_id"):
        out[source].add(target)
    return out


def closed_unit_years(unit_ids: list[int], years: list[int]) -> dict[tuple[int, int], Period]:
    """{(unit id, year): the closed Period} for every pair that falls in a closed year. One query when
    none of the years is closed for these units' provinces (the common case); three when one is."""
    if not unit_ids or not years or not _any_closed(unit_ids, years):
        return {}
    rows = list(Unit.objects.filter(pk__in=unit_ids).values_list("id", "province_id", "level"))
    prov_of = {uid: (pid if level != Unit.Level.PROVINCE else uid) for uid, pid, level in rows}
    owners = owner_province_ids(set(prov_of.values()))
    all_owner_ids = {o for ids in owners.values() for o in ids}
    closed = {(p.province_id, p.year): p for p in Period.objects.filter(
        province_id__in=all_owner_ids, year__in=years, closed=True).select_related("province")}
    out: dict[tuple[int, int], Period] = {}
    if not closed:
        return out
    for uid, pid in prov_of.items():
        for year in years:
            hit = next((closed[(o, year)] for o in owners.get(pid, ()) if (o, year) in closed), None)
            if hit is not None:
                out[(uid, year)] = hit
    return out
