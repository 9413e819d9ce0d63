"""Users and grants: the only code that writes them. National administrators only; audited."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ntm.units.models import Unit

from .audit import record
from .models import Grant, Role
from .scope import is_admin


def _require_admin(actor) -> None:
    if not is_admin(actor):
        raise PermissionDenied("Chỉ quản trị viên hệ thống (toàn quốc) được quản lý người dùng và phân quyền")


def check_grant(role: str, unit: Unit | None) -> None:
    """An admin grant is national (no unit); every other role needs a unit. Raises ValidationError."""
    if role == Role.ADMIN and unit is not None:
        raise ValidationError("Quyền quản trị hệ thống chỉ cấp cho toàn quốc (để trống mã đơn vị); "
                              "với một tỉnh hay xã hãy chọn vai trò của văn phòng điều phối hoặc cán bộ xã")
    if role != Role.ADMIN and unit is None:
        raise ValidationError("Vai trò này cần một đơn vị")


@transaction.atomic
def create_user(actor, *, username: str, password: str, full_name: str, role: str, unit: Unit | None) -> User:
    _require_admin(actor)
    check_grant(role, unit)
    first, _, last = full_name.strip().rpartition(" ")
    user = User.objects.create_user(username, password=password, first_name=first or last,
                                    last_name=last if first else "")
    record(actor, "accounts.create_user", user, unit=unit, after={"username": user.username})
    grant(actor, user, role, unit)
    return user


@transaction.atomic
def grant(actor, user: User, role: str, unit: Unit | None) -> Grant:
    _require_admin(actor)
    check_grant(role, unit)
    obj, created = Grant.objects.get_or_create(user=user, unit=unit, role=role)
    if created:
        record(actor, "accounts.grant", obj, after={"user": user.username, "role": role, "unit": unit.code if unit else None})
    return obj


@transaction.atomic
def revoke(actor, obj: Grant) -> None:
    _require_admin(actor)
    record(actor, "accounts.revoke", obj, before={"user": obj.user.username, "role": obj.role,
                                                  "unit": obj.unit.code if obj.unit else None})
    obj.delete()
