"""The one place where what a user may see and do is decided: every view, API route and service
goes through it.

- A grant on a unit covers the unit's subtree; a grant on a current unit also covers the legacy
  units it came from (and their subtrees): read-only for most roles, so a commune official of Thọ
  Long can read Nam Giang's history; the province office (which now owns its predecessors' records
  and enters the 2025 year-end figures of the pre-reform communes) may also act on them. Closed
  years stay closed for everyone (figures.services).
- Every role may "view" its subtree. Other actions ("figures.edit", "units.classify", …) are
  declared by each app in its AppConfig (`actions = {action: (role, …)}`).
- An administrator is national only when the grant has no unit (or the user is a superuser). An
  "admin" grant on a unit gives every declared action inside that unit's subtree and nothing more.
- `restrict(queryset, user, action)` filters any model that declares `unit_path`;
  `get_object_for` fetches one such object for a request: 404 to an outsider, 403 to a member who
  may see it but not do `action`.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import BooleanField, Case, Q, Value, When
from django.http import Http404

from ntm.units.models import Lineage, Unit

from .models import Grant, Role

VIEW = "view"
# Roles that act on the pre-2025 units their current unit came from, not only read them.
HISTORY_EDITORS = frozenset({Role.PROVINCE, Role.ADMIN})


def declared_actions() -> dict[str, frozenset[str]]:
    """{action: roles that may do it}, collected from every app's AppConfig.actions (cached)."""
    if not _DECLARED:
        for config in apps.get_app_configs():
            for action, roles in getattr(config, "actions", {}).items():
                _DECLARED[action] = frozenset(roles)
    return _DECLARED


_DECLARED: dict[str, frozenset[str]] = {}


def _role_may(role: str, action: str) -> bool:
    """Whether a grant of `role` on a unit allows `action` inside its subtree. An admin grant on a
    unit allows what any role may do there, never the national-only actions (declared with no role)."""
    if action == VIEW:
        return True
    roles = declared_actions().get(action, frozenset())
    return bool(roles) if role == Role.ADMIN else role in roles


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
    # `_subtree` of every predecessor, as subqueries (no query here, whatever the number of grants)
    preds = Unit.objects.filter(pk__in=Lineage.objects.filter(target=unit).values("source"))
    level = Unit.Level
    districts = preds.filter(level=level.DISTRICT).values("pk")
    q = (Q(province_id__in=preds.filter(level=level.PROVINCE).values("pk"))
         | Q(pk__in=preds.exclude(level=level.PROVINCE).values("pk"))
         | Q(parent_id__in=preds.filter(level__in=[level.DISTRICT, level.COMMUNE]).values("pk"))
         | Q(parent_id__in=Unit.objects.filter(parent_id__in=districts).values("pk")))
    if unit.level == Unit.Level.PROVINCE:  # a province also sees its communes' predecessors
        communes = Unit.objects.filter(province=unit, level=Unit.Level.COMMUNE)
        q |= Q(pk__in=Lineage.objects.filter(target__in=communes).values("source"))
    return q


def grants(user) -> list[Grant]:
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_ntm_grants", None)
    if cached is None:
        cached = user._ntm_grants = list(Grant.objects.filter(user=user).select_related("unit"))
    return cached


def is_admin(user) -> bool:
    """A national administrator: a superuser, or an admin grant with no unit."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or any(g.role == Role.ADMIN and g.unit_id is None for g in grants(user))


def scope_q(user, action: str = VIEW) -> Q | None:
    """A filter on Unit for what `user` may do `action` on; None means everything. For every action
    it lies inside the "view" filter (each grant's term for an action is a part of its view term), which
    `get_object_for` relies on.

    Raises LookupError for an action no app declares (a typo must not silently deny or allow)."""
    if action != VIEW and action not in declared_actions():
        raise LookupError(f"Undeclared action {action!r}: declare it in an AppConfig.actions")
    if is_admin(user):
        return None
    # kept on the user object for the request, like its grants: a page asks several times
    memo = getattr(user, "_ntm_scope", None)
    if memo is None:
        memo = user._ntm_scope = {}
    if action not in memo:
        q = Q(pk__in=[])
        for g in grants(user):
            if g.unit is None or not _role_may(g.role, action):
                continue
            if action == VIEW or g.role in HISTORY_EDITORS:
                q |= _subtree(g.unit) | _history(g.unit)
            else:
                q |= _subtree(g.unit) & ~Q(scheme=Unit.Scheme.LEGACY)
        memo[action] = q
    return memo[action]


def scope_key(user) -> str:
    """A string equal for two users exactly when they may view the same units ("*": everything), for
    keys of cached pages that show what a reader may view. A view grant's reach depends only on its
    unit (every role views its subtree and history), so the key is the granted units."""
    if is_admin(user):
        return "*"
    return ",".join(str(u) for u in sorted({g.unit_id for g in grants(user) if g.unit_id is not None}))


def units_for(user, action: str = VIEW):
    """Units the user may `action`."""
    q = scope_q(user, action)
    return Unit.objects.all() if q is None else Unit.objects.filter(q)


def restrict(queryset: models.QuerySet, user, action: str = VIEW) -> models.QuerySet:
    """Rows of any unit-owned model (one declaring `unit_path`) that `user` may `action`.

    Raises TypeError for a model that does not declare `unit_path` (so no model is left unscoped)."""
    path = getattr(queryset.model, "unit_path", None)
    if path is None:
        raise TypeError(f"{queryset.model.__name__} không khai báo unit_path: không thể giới hạn phạm vi")
    q = scope_q(user, action)
    if q is None:
        if not is_admin(user) and not getattr(user, "is_authenticated", False):
            return queryset.none()
        return queryset
    if path == "":
        return queryset.filter(q)
    return queryset.filter(**{f"{path}__in": Unit.objects.filter(q).values("pk")})


def with_may(queryset: models.QuerySet, user, action: str = VIEW, name: str = "may") -> models.QuerySet:
    """The same rows, each annotated with `name` = whether `user` may `action` on it: the decision of
    `restrict`, for a read that needs the refused rows too (to name them in a message) without a
    second query. Raises TypeError as `restrict` does."""
    path = getattr(queryset.model, "unit_path", None)
    if path is None:
        raise TypeError(f"{queryset.model.__name__} không khai báo unit_path: không thể giới hạn phạm vi")
    q = scope_q(user, action)
    if q is None:  # a national administrator
        return queryset.annotate(**{name: Value(True, output_field=BooleanField())})
    if path != "":
        q = Q(**{f"{path}__in": Unit.objects.filter(q).values("pk")})
    return queryset.annotate(**{name: Case(When(q, then=Value(True)), default=Value(False),
                                           output_field=BooleanField())})


def can(user, unit: Unit, action: str) -> bool:
    return units_for(user, action).filter(pk=unit.pk).exists()


def get_object_for(request, queryset: models.QuerySet | type[models.Model], pk, action: str = VIEW):
    """One object of a unit-owned model for this request: 404 to an outsider (never reveal that it
    exists), 403 to someone who may see it but not do `action`."""
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    # Whoever may do `action` on a unit may view it (each grant's action scope lies inside its view
    # scope, see scope_q), so the object found within the action's scope is the answer: one query.
    # Only a refusal asks again, within the view scope, to tell 403 from 404.
    try:
        # by primary key: no ordering (the model's default ordering cost a quarter of the lookup)
        obj = next(iter(restrict(queryset, request.user, action).filter(pk=pk).order_by()[:1]), None)
        if obj is None and action != VIEW:
            visible = restrict(queryset, request.user, VIEW).filter(pk=pk).exists()
        else:
            visible = obj is not None
    except (ValueError, OverflowError):  # a malformed or huge id is simply not found
        obj, visible = None, False
    if not visible:
        raise Http404("Không tìm thấy hoặc bạn không có quyền xem")
    if obj is None:
        raise PermissionDenied("Bạn không có quyền thực hiện thao tác này")
    return obj


def get_unit_for(request, pk: int, action: str = VIEW) -> Unit:
    """A unit for this request (404 outsider, 403 read-only member), with parent and province loaded."""
    return get_object_for(request, Unit.objects.select_related("parent", "province"), pk, action)


def home_unit(user) -> Unit | None:
    """Where a user lands: the highest unit they hold a grant on."""
    order = {Unit.Level.PROVINCE: 0, Unit.Level.DISTRICT: 1, Unit.Level.COMMUNE: 2, Unit.Level.HAMLET: 3}
    units = sorted((g.unit for g in grants(user) if g.unit), key=lambda u: order.get(u.level, 9))
    return units[0] if units else None
