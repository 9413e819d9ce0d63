"""Scope of every new model (plans and funding): an object of the outsider's unit never comes back
through `.restrict()` for a user of another unit, and its pages answer 404."""

import datetime as dt

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.db import models

from ntm.funding import services as fs
from ntm.funding.models import Contribution
from ntm.plans import services as ps
from ntm.plans.models import Task
from ntm.testing import YEAR, login
from ntm.units.models import Unit

pytestmark = pytest.mark.django_db
WORLD_COMMUNES = 1


def _world_of(unit: Unit, province: Unit) -> None:
    """One object of every plans and funding model, belonging to `unit`."""
    org = ps.save_organisation(None, unit, "Tổ chức X")
    committee = ps.save_committee(None, unit, "steering", "Ban chỉ đạo X")
    ps.add_member(None, committee, "Thành viên X", "member", organisation=org)
    ps.assign_criterion(None, unit, "1", org)
    ps.set_cost_rate(None, province, "km_hamlet_roads_hardened", label="Đường", unit_cost=1)
    ps.set_priority(None, unit, YEAR, "1", 1)
    plan = ps.create_plan(None, unit, title="KH X", target_level="ntm", target_year=YEAR, year_from=YEAR, year_to=YEAR)
    task = Task.objects.create(plan=plan, set_code="s", criterion="1", indicator="1.1", title="t", target=1,
                               deadline=dt.date(YEAR, 12, 31))
    ps.set_budget(None, task, "central_budget", 100)
    ps.save_review(None, unit, "year", YEAR)
    fs.set_ceiling(None, province, 2021, 1000)
    kind = fs.set_project_type(None, province, "x", "Loại X")
    who = fs.save_contributor(None, unit, "Người X")
    decision = fs.record_decision(None, unit, subject="Họp X", meeting_date=dt.date(YEAR, 1, 2), eligible=10,
                                  attendance=10, agreeing=10)
    project = fs.create_project(None, unit, name="Dự án X", type=kind, total=1000)
    fs.add_entry(None, unit, fs.EntryInput("community_cash", dt.date(YEAR, 2, 1), amount=10, contributor=who,
                                           decision=decision, project=project, task=task))
    fs.add_expenditure(None, unit, source="central_budget", date=dt.date(YEAR, 2, 2), amount=5, project=project)
    fs.disclose(None, unit, year=YEAR, date=dt.date(YEAR, 3, 1), place="Nơi X")
    board = fs.elect_board(None, project, elected_on=dt.date(YEAR, 1, 3), meeting="Họp", members=[("A", "head")])
    inspection = fs.inspect(None, board, date=dt.date(YEAR, 4, 1), content="Nội dung X")
    fs.make_request(None, inspection, text="Kiến nghị X", addressed_to="UBND")


def _models():
    return [m for label in ("plans", "funding") for m in apps.get_app_config(label).get_models()]


def test_every_model_declares_unit_path_and_is_scoped(world):
    outsider = world["outsider"]
    _world_of(outsider, outsider.province)
    for model in _models():
        assert hasattr(model, "unit_path"), f"{model.__name__} không khai báo unit_path"
        assert model.objects.exists(), f"no {model.__name__} built"
        for username in ("xa", "tinh", "thon", "giamsat", "xem", "thamdinh"):
            user = User.objects.get(username=username)
            assert not model.objects.restrict(user).exists(), f"{model.__name__} leaks to {username}"
        admin = User.objects.get(username="admin")
        assert model.objects.restrict(admin).exists()
    assert {m.__name__ for m in _models() if any(
        isinstance(f, models.ForeignKey) and f.related_model is Unit for f in m._meta.fields)} <= {
        m.__name__ for m in _models() if hasattr(m, "unit_path")}


def test_pages_of_another_units_objects_are_404(world):
    outsider = world["outsider"]
    _world_of(outsider, outsider.province)
    xa = login("xa")
    from ntm.funding.models import CommunityProject
    from ntm.plans.models import Plan

    plan, project, entry = Plan.objects.get(), CommunityProject.objects.get(), Contribution.objects.get()
    task = Task.objects.get()
    for url in (f"/ke-hoach/{plan.pk}/", f"/ke-hoach/{plan.pk}/excel/", f"/du-an/{project.pk}/",
                f"/don-vi/{outsider.pk}/nguon-luc/", f"/don-vi/{outsider.pk}/chi-dao/", f"/don-vi/{outsider.pk}/so-ket/{YEAR}/"):
        assert xa.get(url).status_code == 404, url
    for url in (f"/nhiem-vu/{task.pk}/", f"/nhiem-vu/{task.pk}/du-toan/", f"/nguon-luc/{entry.pk}/dao/"):
        assert xa.post(url, {"reason": "x", "source": "central_budget", "amount": "1"}).status_code == 404, url
