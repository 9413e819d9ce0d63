"""Stored evaluations: computed by the engine, never typed in; current on every save."""

from django.db import models

from ntm.units.models import Unit


class Evaluation(models.Model):
    unit = models.ForeignKey(Unit, models.CASCADE, related_name="evaluations", verbose_name="đơn vị")
    year = models.PositiveSmallIntegerField("năm")
    set_code = models.CharField("bộ tiêu chí", max_length=64)
    level = models.CharField("mức đạt", max_length=16, blank=True)
    criteria_met = models.PositiveSmallIntegerField("số tiêu chí đạt")
    criteria_total = models.PositiveSmallIntegerField("tổng số tiêu chí")
    met = models.JSONField("tiêu chí: đạt/không/thiếu", default=dict)  # {"1": true, "2": null, …}
    result = models.JSONField("kết quả chi tiết")
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "kết quả đánh giá"
        verbose_name_plural = "kết quả đánh giá"
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="evaluation_unit_year")]
        indexes = [models.Index(fields=["year", "level"])]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}: {self.criteria_met}/{self.criteria_total} {self.level or '—'}"
