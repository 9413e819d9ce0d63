"""Raw figures per (unit, year, field), with every change kept as a row of its own."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ntm.units.models import Unit


class Figure(models.Model):
    unit = models.ForeignKey(Unit, models.CASCADE, related_name="figures", verbose_name="đơn vị")
    year = models.PositiveSmallIntegerField("năm")
    field = models.CharField("trường số liệu", max_length=64)
    value = models.DecimalField("giá trị", max_digits=20, decimal_places=4, null=True, blank=True)
    source = models.CharField("nguồn", max_length=255, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField("cập nhật", auto_now=True)

    class Meta:
        verbose_name = "số liệu"
        verbose_name_plural = "số liệu"
        constraints = [models.UniqueConstraint(fields=["unit", "year", "field"], name="figure_unit_year_field")]
        indexes = [models.Index(fields=["year", "unit"])]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.year}/{self.field}={self.value}"


class FigureChange(models.Model):
    """Who changed a figure, when, from what to what, and why."""

    figure = models.ForeignKey(Figure, models.CASCADE, related_name="changes")
    old_value = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    new_value = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    source = models.CharField("nguồn", max_length=255, blank=True)
    comment = models.TextField("ghi chú", blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "lịch sử số liệu"
        verbose_name_plural = "lịch sử số liệu"
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.figure_id}: {self.old_value} → {self.new_value}"


class Period(models.Model):
    """A reporting year of a province; once closed, its figures are read-only until reopened."""

    province = models.ForeignKey(Unit, models.CASCADE, related_name="periods", verbose_name="tỉnh")
    year = models.PositiveSmallIntegerField("năm")
    closed = models.BooleanField("đã khoá", default=False)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "kỳ báo cáo"
        verbose_name_plural = "kỳ báo cáo"
        constraints = [models.UniqueConstraint(fields=["province", "year"], name="period_province_year")]

    def __str__(self) -> str:
        return f"{self.province} {self.year}{' (đã khoá)' if self.closed else ''}"

    @classmethod
    def is_closed(cls, unit: Unit, year: int) -> bool:
        return cls.objects.filter(province_id=unit.province_id, year=year, closed=True).exists()
