"""Unit-scoped roles, and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ntm.core.scoping import ScopedManager
from ntm.units.models import Unit


class Role(models.TextChoices):
    ADMIN = "admin", "Quản trị hệ thống"
    PROVINCE = "province", "Văn phòng điều phối NTM tỉnh"
    COMMUNE = "commune", "Cán bộ xã / Ban quản lý xã"
    HAMLET = "hamlet", "Trưởng thôn / Ban phát triển thôn"
    APPRAISAL = "appraisal", "Hội đồng thẩm định"
    SUPERVISOR = "supervisor", "MTTQ / Ban giám sát cộng đồng"
    VIEWER = "viewer", "Chỉ xem"


# Every role may "view" inside its subtree; other actions are declared by each app in its AppConfig
# (`actions = {"figures.edit": ("province", "commune", "hamlet"), …}`) and collected by `scope`.
# Actions no role is given (e.g. "accounts.manage_users") belong to national administrators only.


class Grant(models.Model):
    """A role on a unit, covering its subtree (and, read-only, the legacy units it came from).
    Only an administrator's grant has no unit: the whole country. A grant on a unit never reaches
    beyond that unit's subtree, whatever its role."""

    unit_path = "unit"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="grants", verbose_name="người dùng")
    unit = models.ForeignKey(Unit, models.CASCADE, null=True, blank=True, related_name="grants", verbose_name="đơn vị")
    role = models.CharField("vai trò", max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = "phân quyền"
        verbose_name_plural = "phân quyền"
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="grant_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit or 'toàn quốc'}"


class AuditEntry(models.Model):
    """Who changed what, where and when: one row per change, with before/after and the request id.
    Written only through `ntm.accounts.audit.record`."""

    unit_path = "unit"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                             verbose_name="người thực hiện")
    action = models.CharField("hành động", max_length=48)
    unit = models.ForeignKey(Unit, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="đơn vị")
    object_type = models.CharField("loại đối tượng", max_length=64)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField("đối tượng", max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    request_id = models.CharField("mã yêu cầu", max_length=64, blank=True, db_index=True)
    at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = "nhật ký thay đổi"
        verbose_name_plural = "nhật ký thay đổi"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["unit", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.user} {self.action} {self.object_type}#{self.object_id}"


