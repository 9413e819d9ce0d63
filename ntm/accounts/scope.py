"""The one place where what a user may see and do is decided (every view goes through it).

A grant on a unit covers the unit's subtree; a grant on a current unit also covers, read-only,
the legacy units it came from (and their subtrees), so a commune official of Thọ Long can read
Nam Giang's history. Legacy units are history: only an administrator edits them.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from ntm.units.models import Lineage, Unit

from .models import ACTIONS, Grant, Role


def _subtree(unit: Unit) -> Q:
    if unit.level == Unit.Level.PROVINCE:
        return Q(province_id=unit.pk)
    if unit.level == Unit.Level.DISTRICT:
        return Q(pk=unit.pk) | Q(parent_id=unit.pk) | Q(parent__parent_id=unit.pk)
    if unit.level == Unit.Level.COMMUNE:
        return Q(pk=unit.pk) | Q(parent_id=unit.pk)
    return Q(pk=unit.pk)


def _history(unit: Unit) -> Q:
    """The legacy units the granted unit came from, with their subtrees (read-only)."""
    preds = list(Unit.objects.filter(pk__in=Lineage.objects.filter(target=unit).values("source")))
    q = Q(pk__in=[])
    for pred in preds:
        q |= _subtree(pred)
    if unit.level == Unit.Level.PROVINCE:  # a province also sees its communes' predecessors
        communes = Unit.objects.filter(province=unit, level=Unit.Level.COMMUNE)
        q |= Q(pk__in=Lineage.objects.filter(target__in=communes).values("source"))
    return q


def grants(user) -> list[Grant]:
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_ntm_grants", None)
    if cached is None:
        cached = user._ntm_grants = list(Grant.objects.filter(user=user).select_related("unit"))
    return cached


def is_admin(user) -> bool:
    return user.is_authenticated and (user.is_superuser or any(g.role == Role.ADMIN for g in grants(user)))


def scope_q(user, action: str = "view") -> Q | None:
    """A filter on Unit for what `user` may do `action` on; None means everything."""
    if is_admin(user):
        return None
    q = Q(pk__in=[])
    for g in grants(user):
        if action not in ACTIONS[g.role] or g.unit is None:
            continue
        q |= _subtree(g.unit)
        if action == "view":
            q |= _history(g.unit)
    if action != "view":
        q &= ~Q(scheme=Unit.Scheme.LEGACY)
    return q


def units_for(user, action: str = "view"):
    """Units the user may `action` (the `.restrict()` of this project)."""
    q = scope_q(user, action)
    return Unit.objects.all() if q is None else Unit.objects.filter(q)


def can(user, unit: Unit, action: str) -> bool:
    return units_for(user, action).filter(pk=unit.pk).exists()


def get_unit_for(request, pk: int, action: str = "view") -> Unit:
    """404 to an outsider (never reveal that the unit exists to someone who cannot see it),
    403 to someone who may see it but not do `action`."""
    unit = units_for(request.user, "view").select_related("parent", "province").filter(pk=pk).first()
    if unit is None:
        raise Http404("Không tìm thấy đơn vị")
    if action != "view" and not can(request.user, unit, action):
        raise PermissionDenied("Bạn không có quyền thực hiện thao tác này trên đơn vị này")
    return unit


def home_unit(user) -> Unit | None:
    """Where a user lands: the highest unit they hold a grant on."""
    order = {Unit.Level.PROVINCE: 0, Unit.Level.DISTRICT: 1, Unit.Level.COMMUNE: 2, Unit.Level.HAMLET: 3}
    units = sorted((g.unit for g in grants(user) if g.unit), key=lambda u: order.get(u.level, 9))
    return units[0] if units else None
