"""Criteria sets as versioned documents. A published version is immutable.

The validated spec is stored whole (JSON) because the engine reads it whole; criteria and
indicators are also kept as rows so plans, dossiers and reports can point at them.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models


class CriteriaSet(models.Model):
    code = models.CharField("mã bộ", max_length=64)
    version = models.PositiveIntegerField("phiên bản")
    name = models.CharField("tên", max_length=255)
    decision = models.CharField("quyết định", max_length=128)
    unit_level = models.CharField("cấp đơn vị", max_length=16)
    level = models.CharField("mức đạt chuẩn", max_length=16)
    requires = models.CharField("yêu cầu đạt trước", max_length=64, blank=True)
    year_from = models.PositiveSmallIntegerField("từ năm")
    year_to = models.PositiveSmallIntegerField("đến năm")
    classification = models.CharField("phân ngưỡng theo", max_length=8)
    province = models.CharField("tỉnh ban hành (bộ riêng của tỉnh)", max_length=8, blank=True)
    extends = models.CharField("dựa trên bộ", max_length=64, blank=True)
    data = models.JSONField("nội dung đã kiểm tra")
    checksum = models.CharField(max_length=64)
    source_file = models.CharField(max_length=255, blank=True)
    published = models.BooleanField("đã công bố", default=True)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "bộ tiêu chí"
        verbose_name_plural = "bộ tiêu chí"
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="criteria_set_version")]
        ordering = ["unit_level", "year_from", "code", "-version"]

    def __str__(self) -> str:
        return f"{self.name} ({self.decision}) v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk and CriteriaSet.objects.filter(pk=self.pk, published=True).exists():
            raise ValidationError("Bộ tiêu chí đã công bố không được sửa: hãy nạp phiên bản mới.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.published:
            raise ValidationError("Bộ tiêu chí đã công bố không được xoá.")
        return super().delete(*args, **kwargs)


class Criterion(models.Model):
    criteria_set = models.ForeignKey(CriteriaSet, models.CASCADE, related_name="criteria")
    code = models.CharField("mã", max_length=16)
    name = models.CharField("tên", max_length=255)
    group = models.CharField("nhóm", max_length=16, blank=True)
    position = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = "tiêu chí"
        verbose_name_plural = "tiêu chí"
        ordering = ["criteria_set", "position"]
        constraints = [models.UniqueConstraint(fields=["criteria_set", "code"], name="criterion_code")]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class Indicator(models.Model):
    criterion = models.ForeignKey(Criterion, models.CASCADE, related_name="indicators")
    code = models.CharField("mã", max_length=16)
    name = models.CharField("tên", max_length=500)
    kind = models.CharField("loại", max_length=8)
    unit = models.CharField("đơn vị tính", max_length=64, blank=True)
    position = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = "chỉ tiêu"
        verbose_name_plural = "chỉ tiêu"
        ordering = ["criterion", "position"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class FieldDef(models.Model):
    """A raw figure field (số liệu gốc) that indicators read; shared by every set."""

    code = models.CharField("mã", max_length=64, unique=True)
    name = models.CharField("tên", max_length=255)
    unit = models.CharField("đơn vị tính", max_length=64, blank=True)
    kind = models.CharField("loại", max_length=8)

    class Meta:
        verbose_name = "trường số liệu"
        verbose_name_plural = "trường số liệu"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
