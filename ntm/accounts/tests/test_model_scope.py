"""Scope for every model that belongs to a unit: each declares `unit_path`, and one row of each,
seeded on an outsider unit (Hà Nội), is invisible to every Thanh Hóa role through `restrict` and
`get_object_for`. A new unit-owned model must add its row to `OUTSIDER_ROWS` (ntm.testing)."""

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.test import RequestFactory

from ntm.accounts.scope import get_object_for, restrict
from ntm.testing import OUTSIDER_ROWS
from ntm.units.models import Unit

ROLES = ["tinh", "xa", "thon", "thamdinh", "giamsat", "xem"]
WORLD_COMMUNES = 1


def unit_owned_models():
    for model in apps.get_models():
        if not model.__module__.startswith("ntm."):
            continue
        points_at_unit = any(isinstance(f, models.ForeignKey) and f.related_model is Unit for f in model._meta.fields)
        if points_at_unit or model is Unit or hasattr(model, "unit_path"):
            yield model


def test_every_model_pointing_at_a_unit_declares_its_scope():
    missing = [m.__name__ for m in unit_owned_models() if getattr(m, "unit_path", None) is None]
    assert not missing, f"declare unit_path on {missing}"


def test_every_unit_owned_model_has_an_outsider_row_in_the_sweep():
    missing = [m._meta.label for m in unit_owned_models() if m._meta.label not in OUTSIDER_ROWS]
    assert not missing, f"add an outsider row factory to ntm.testing.OUTSIDER_ROWS for {missing}"


pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(world):
    outsider = world["outsider"]
    return {label: make(outsider) for label, make in OUTSIDER_ROWS.items()}


@pytest.mark.parametrize("username", ROLES)
def test_no_outsider_row_reaches_a_thanh_hoa_role(seeded, username):
    from django.contrib.auth.models import User

    user = User.objects.get(username=username)
    request = RequestFactory().get("/")
    request.user = user
    for label, obj in seeded.items():
        model = apps.get_model(label)
        manager = getattr(model, "all_rows", model._default_manager)
        assert not restrict(manager.filter(pk=obj.pk), user, "view").exists(), f"{label} leaks to {username}"
        with pytest.raises(Http404):
            get_object_for(request, manager.all(), obj.pk)


def test_a_read_only_member_gets_403_on_an_action(world):
    from django.contrib.auth.models import User

    request = RequestFactory().get("/")
    request.user = User.objects.get(username="xem")
    with pytest.raises(PermissionDenied):
        get_object_for(request, Unit.objects.all(), world["tho_long"].pk, "figures.edit")


def test_an_admin_grant_on_a_commune_is_not_national(world):
    from django.contrib.auth.models import User

    from ntm.accounts.models import Grant
    from ntm.accounts.scope import can, is_admin, units_for

    user = User.objects.create_user("qtxa")
    Grant.objects.create(user=user, unit=world["tho_long"], role="admin")
    assert not is_admin(user)
    assert can(user, world["tho_long"], "figures.edit")
    assert not units_for(user).filter(pk=world["outsider"].pk).exists()
    assert not units_for(user).filter(pk=world["province"].pk).exists()
    assert not can(user, world["tho_long"], "accounts.manage_users")


@pytest.mark.parametrize("username", [*ROLES, "admin"])
def test_with_may_decides_as_restrict_does(world, username):
    """The write path reads the units it writes with the scope decision on each (`with_may`): for every
    role, action and unit — own commune, its pre-2025 predecessor, the province, an outsider — the same
    answer as `restrict`, also through a model's `unit_path` (figures)."""
    from django.contrib.auth.models import User

    from ntm.accounts.scope import with_may
    from ntm.figures.models import Figure
    from ntm.units.models import Lineage

    user = User.objects.get(username=username)
    tl = world["tho_long"]
    units = [tl.pk, world["outsider"].pk, world["province"].pk,
             *Lineage.objects.filter(target=tl).values_list("source_id", flat=True)[:1]]
    for action in ("view", "figures.edit", "figures.close_period"):
        qs = Unit.objects.filter(pk__in=units)
        assert {u.pk: u.may for u in with_may(qs, user, action)} == {
            pk: pk in set(restrict(qs, user, action).values_list("pk", flat=True)) for pk in units}, action
        figures = Figure.objects.filter(unit=tl)[:3]
        assert {f.pk: f.may for f in with_may(Figure.objects.filter(pk__in=figures), user, action)} == {
            f.pk: restrict(Figure.objects.filter(pk=f.pk), user, action).exists() for f in figures}


def test_an_outsider_gets_404_also_when_an_action_is_asked(world):
    from django.contrib.auth.models import User

    request = RequestFactory().get("/")
    request.user = User.objects.get(username="xa")
    with pytest.raises(Http404):
        get_object_for(request, Unit.objects.all(), world["outsider"].pk, "figures.edit")
    assert get_object_for(request, Unit.objects.all(), world["tho_long"].pk, "figures.edit") == world["tho_long"]
