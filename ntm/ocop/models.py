"""The OCOP register: one row per product with its current rating and certificate.

Stars and expiry are computed by `services` from `stars.py` (data from 148/QĐ-TTg), never typed."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from ntm.core.scoping import ScopedManager
from ntm.units.models import Unit

from . import stars as rules


def group_choices():
    return list(rules.rules().groups.items())


def issuer_choices():
    return list(rules.rules().issuers.items())


class OcopProduct(models.Model):
    unit_path = "unit"

    class Status(models.TextChoices):
        NONE = "", "Chưa có giấy chứng nhận"
        IN_FORCE = rules.IN_FORCE, "Còn hiệu lực"
        EXPIRED = rules.EXPIRED, "Hết hiệu lực"
        REVOKED = rules.REVOKED, "Bị thu hồi"

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="ocop_products", verbose_name="xã")
    name = models.CharField("tên sản phẩm", max_length=200)
    producer = models.CharField("chủ thể sản xuất", max_length=200)
    producer_email = models.EmailField("thư điện tử của chủ thể (không công khai)", blank=True)
    group = models.CharField("nhóm sản phẩm", max_length=16, choices=group_choices)
    description = models.TextField("mô tả", blank=True)
    score_a = models.DecimalField("điểm phần A", max_digits=5, decimal_places=2)
    score_b = models.DecimalField("điểm phần B", max_digits=5, decimal_places=2)
    score_c = models.DecimalField("điểm phần C", max_digits=5, decimal_places=2)
    total = models.DecimalField("tổng điểm", max_digits=5, decimal_places=2, editable=False)
    stars = models.PositiveSmallIntegerField("số sao", editable=False)
    issuer = models.CharField("cấp công nhận", max_length=16, choices=issuer_choices, blank=True)
    certificate_number = models.CharField("số quyết định/giấy chứng nhận", max_length=64, blank=True)
    issued_on = models.DateField("ngày cấp", null=True, blank=True)
    expires_on = models.DateField("ngày hết hạn", null=True, blank=True, editable=False)
    revoked_on = models.DateField("ngày thu hồi", null=True, blank=True)
    revoke_reason = models.CharField("lý do thu hồi", max_length=255, blank=True)
    status = models.CharField("trạng thái", max_length=16, choices=Status.choices, blank=True, editable=False)
    reminded_at = models.DateTimeField("đã nhắc hết hạn lúc", null=True, blank=True, editable=False)
    photo = models.ImageField("ảnh", upload_to="ocop/", blank=True)
    public = models.BooleanField("công khai", default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = "sản phẩm OCOP"
        verbose_name_plural = "sản phẩm OCOP"
        ordering = ["-stars", "name"]
        indexes = [models.Index(fields=["unit", "status"]), models.Index(fields=["expires_on"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.stars}★)"

    def status_today(self, today: dt.date | None = None) -> str:
        return rules.status_on(today or dt.date.today(), self.issued_on, self.expires_on, self.revoked_on)

    @property
    def group_label(self) -> str:
        return rules.rules().groups.get(self.group, self.group)

    @property
    def issuer_label(self) -> str:
        return rules.rules().issuers.get(self.issuer, self.issuer)
