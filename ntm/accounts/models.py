"""Unit-scoped roles, and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ntm.units.models import Unit


class Role(models.TextChoices):
    ADMIN = "admin", "Quản trị hệ thống"
    PROVINCE = "province", "Văn phòng điều phối NTM tỉnh"
    COMMUNE = "commune", "Cán bộ xã / Ban quản lý xã"
    HAMLET = "hamlet", "Trưởng thôn / Ban phát triển thôn"
    APPRAISAL = "appraisal", "Hội đồng thẩm định"
    SUPERVISOR = "supervisor", "MTTQ / Ban giám sát cộng đồng"
    VIEWER = "viewer", "Chỉ xem"


# What each role may do inside the subtree of the unit it is granted on.
ACTIONS: dict[str, set[str]] = {
    Role.ADMIN: {"view", "edit", "close_period", "manage_users"},
    Role.PROVINCE: {"view", "edit", "close_period"},
    Role.COMMUNE: {"view", "edit"},
    Role.HAMLET: {"view", "edit"},
    Role.APPRAISAL: {"view"},
    Role.SUPERVISOR: {"view"},
    Role.VIEWER: {"view"},
}


class Grant(models.Model):
    """A role on a unit, covering its subtree (and, read-only, the legacy units it came from).
    An administrator's grant may have no unit: the whole country."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="grants", verbose_name="người dùng")
    unit = models.ForeignKey(Unit, models.CASCADE, null=True, blank=True, related_name="grants", verbose_name="đơn vị")
    role = models.CharField("vai trò", max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "phân quyền"
        verbose_name_plural = "phân quyền"
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="grant_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit or 'toàn quốc'}"


class AuditEntry(models.Model):
    """Who changed what: one row per change, with before/after."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    action = models.CharField("hành động", max_length=32)
    object_type = models.CharField("loại đối tượng", max_length=64)
    object_id = models.CharField(max_length=64)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "nhật ký thay đổi"
        verbose_name_plural = "nhật ký thay đổi"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.user} {self.action} {self.object_type}#{self.object_id}"


def audit(user, action: str, obj: models.Model, before: dict | None = None, after: dict | None = None) -> None:
    AuditEntry.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None, action=action,
        object_type=obj._meta.label_lower, object_id=str(obj.pk), before=before, after=after,
    )
