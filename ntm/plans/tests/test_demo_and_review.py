"""The demo loaders (through the services) and the review's content."""

import pytest

from ntm.funding import demo as funding_demo
from ntm.funding.models import Board, Contribution
from ntm.funding.selectors import summary
from ntm.plans import demo as plans_demo
from ntm.plans import services
from ntm.plans.documents import review_content
from ntm.plans.models import Plan
from ntm.plans.selectors import what_if
from ntm.testing import YEAR, login
from ntm.units.models import Unit

pytestmark = pytest.mark.django_db
WORLD_COMMUNES = 1


def test_demo_plans_and_ledger(world):
    logs = []
    funding_demo.load(logs.append)
    plans_demo.load(logs.append)
    plan = Plan.objects.get(unit=world["tho_long"], title=plans_demo.THO_LONG_PLAN)
    assert plan.tasks.count() >= 2 and all(t.owner_id for t in plan.tasks.all())
    assert what_if(plan)["reached_year"] == YEAR
    assert Plan.objects.get(title=plans_demo.THO_XUAN_PLAN).target_level == "nang_cao"
    nam_giang = Unit.objects.get(scheme="legacy", level="commune", code="15505")
    s = summary(nam_giang)
    by = {r["source"]: r for r in s["sources"]}
    assert by["workdays"]["quantity"] > 0 and by["land"]["quantity"] > 0 and s["by_year"].keys() >= {2011, 2016, 2023}
    assert not Contribution.objects.filter(unit=nam_giang, source__in=["community_cash", "workdays", "land"],
                                           decision__isnull=True).exists()
    assert Board.objects.get().members.count() == 5
    # idempotent
    funding_demo.load(logs.append)
    plans_demo.load(logs.append)
    assert Plan.objects.filter(title=plans_demo.THO_LONG_PLAN).count() == 1
    body = login("xa").get("/cong-khai/don-vi/15505/nguon-luc/").content.decode()
    assert "Trước sáp nhập: Xã Nam Giang" in body and "Hội đồng hương Nam Giang" in body
    assert "Hộ bà Nguyễn Thị Kín" not in body


def test_review_content_gathers_evaluation_plans_ledger_and_lessons(world):
    unit = world["tho_long"]
    services.save_review(None, unit, "year", YEAR, lessons="Dân biết, dân bàn, dân làm", commendations="Thôn 1")
    content = review_content(unit, YEAR, "year")
    assert content["title"].startswith("Báo cáo tổng kết năm 2026")
    assert content["evaluation"]["criteria_total"] == 10 and content["lessons"] == "Dân biết, dân bàn, dân làm"
    assert content["ledger"]["total"] == 0 and content["plans"] == []
    assert login("xa").get(f"/don-vi/{unit.pk}/so-ket/{YEAR}/").status_code == 200
