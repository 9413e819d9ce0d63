"""Plans and resources in a real browser: xa opens the prioritiser, accepts three items into a plan,
assigns owners, records a contribution and discloses it; an anonymous visitor sees it on the public
page."""

import datetime as dt

import pytest

from ntm.funding.models import Contribution
from ntm.plans.models import Plan

from .conftest import shoot

pytestmark = pytest.mark.e2e


def test_prioritise_plan_owners_contribution_public(page_as, world, browser, live_server):
    unit = world["tho_long"]
    page = page_as("xa")
    # a plan first
    page.goto(f"{page.base}/don-vi/{unit.pk}/ke-hoach/")
    form = page.get_by_test_id("plan-form")
    form.locator("[name=title]").fill("Kế hoạch Thọ Long đạt chuẩn NTM")
    form.locator("button").click()
    page.wait_for_load_state("networkidle")
    plan = Plan.objects.get(unit=unit)
    # the prioritiser: tick the first three items and accept them
    page.goto(f"{page.base}/don-vi/{unit.pk}/uu-tien/2026/")
    rows = page.get_by_test_id("ranked").locator("tbody tr")
    assert rows.count() >= 3
    picked = [rows.nth(i).get_attribute("data-indicator") for i in range(3)]
    for i in range(3):
        rows.nth(i).locator("input[type=checkbox]").check()
    shoot(page, "prioritiser")
    page.get_by_test_id("accept").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/ke-hoach/{plan.pk}/")
    assert sorted(plan.tasks.values_list("indicator", flat=True)) == sorted(picked)
    # an organisation of the commune, then owners for the three tasks
    page.goto(f"{page.base}/don-vi/{unit.pk}/chi-dao/")
    org_form = page.get_by_test_id("org-form")
    org_form.locator("[name=name]").fill("Hội Nông dân xã")
    org_form.locator("button").click()
    page.wait_for_load_state("networkidle")
    page.goto(f"{page.base}/ke-hoach/{plan.pk}/")
    for i in range(3):
        task_form = page.get_by_test_id("task-form").nth(i)
        task_form.locator("[name=owner]").select_option(label="Hội Nông dân xã")
        task_form.locator("button").click()
        page.wait_for_load_state("networkidle")
    assert list(plan.tasks.values_list("owner__name", flat=True)) == ["Hội Nông dân xã"] * 3
    shoot(page, "plan-tasks")
    # a contribution, then its disclosure
    page.goto(f"{page.base}/don-vi/{unit.pk}/nguon-luc/")
    entry = page.get_by_test_id("entry-form")
    entry.locator("[name=source]").select_option("enterprise")
    entry.locator("[name=amount]").fill("25.000.000")
    entry.locator("[name=work]").fill("Nhà văn hóa thôn 1")
    entry.get_by_test_id("add-entry").click()
    page.wait_for_load_state("networkidle")
    assert Contribution.objects.get(unit=unit).value == 25_000_000
    disclose = page.get_by_test_id("disclosure-form")
    disclose.locator("[name=date]").fill(dt.date.today().strftime("%d/%m/%Y"))
    disclose.locator("[name=place]").fill("Nhà văn hóa thôn 1")
    disclose.locator("button").click()
    page.wait_for_load_state("networkidle")
    # an anonymous visitor
    ctx = browser.new_context(locale="vi-VN")
    public = ctx.new_page()
    public.goto(f"{live_server.url}/cong-khai/don-vi/15505/nguon-luc/")
    card = public.get_by_test_id("disclosure").first
    assert "25 triệu đồng" in card.inner_text() and "Nhà văn hóa thôn 1" in card.inner_text()
    shoot(public, "public-disclosure")
    ctx.close()
