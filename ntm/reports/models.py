from django.conf import settings
from django.db import models

from ntm.units.models import Unit


class MapLayer(models.Model):
    """Boundaries an administrator uploaded for a province (matched to units by code);
    it replaces the shipped map for that province."""

    unit_path = "province"

    class Kind(models.TextChoices):
        COMMUNES = "communes", "Xã hiện hành"
        DISTRICTS = "districts", "Huyện trước 2025"

    province = models.ForeignKey(Unit, models.CASCADE, related_name="map_layers", verbose_name="tỉnh")
    kind = models.CharField("lớp", max_length=16, choices=Kind.choices)
    data = models.JSONField()
    credit = models.CharField("nguồn, giấy phép", max_length=255)
    matched = models.PositiveIntegerField("số vùng khớp mã")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "lớp bản đồ"
        verbose_name_plural = "lớp bản đồ"
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.province} — {self.get_kind_display()}"
