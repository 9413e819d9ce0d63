"""The main journeys, in a real browser against a live server."""

import math

import pytest
from playwright.sync_api import expect

from ntm.criteria.loader import registry
from ntm.evaluations.models import Evaluation
from ntm.units.models import Unit

from .conftest import shoot

pytestmark = pytest.mark.e2e


def failing_fix(unit):
    """The one failing indicator of Thọ Long's criterion 3, and a value that meets it."""
    from ntm.evaluations.services import live_evaluation
    from ntm.figures.services import values_for

    ev = live_evaluation(unit, 2026)
    bad = next(i for i in ev.base.indicators if i.met is False)
    spec = registry()[ev.base.set]
    ind = spec.indicator(bad.code)
    if ind.kind == "bool":
        return ind.field, "1", True
    if ind.numerator:
        den = values_for([unit.pk], [2026])[(unit.pk, 2026)][ind.denominator]
        return ind.numerator, str(math.ceil(bad.threshold * den / 100)), False
    return ind.field, str(bad.threshold * 1.1 if bad.op.startswith(">") else 0).replace(".", ","), False


def test_sign_in_find_commune_enter_figure_scorecard_changes(page_as, world):
    page = page_as("xa")
    page.goto(f"{page.base}/don-vi/")
    page.fill("#unit-search", "tho long")
    page.locator("#search-results a", has_text="Xã Thọ Long").first.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("criteria-met").inner_text().strip() == "9/10"
    shoot(page, "scorecard-laptop")
    page.get_by_role("link", name="Nhập số liệu").click()
    page.wait_for_load_state("networkidle")
    field, value, is_bool = failing_fix(world["tho_long"])
    cells_before = page.locator("[id^='st-']").count()
    if is_bool:
        page.locator(f"form[hx-post$='/{field}/'] select").first.select_option(value)
    else:
        box = page.locator(f"input[data-field='{field}']").first
        box.fill(value)
        box.press("Tab")
    expect(page.get_by_test_id("criteria-met")).to_have_text("10/10")  # (no wait_for_function: the CSP forbids eval)
    assert "Nông thôn mới" in page.get_by_test_id("level").inner_text()
    # the indicator's own status cell turned green in place; no cell was added or lost
    assert page.locator("[id^='st-']").count() == cells_before
    assert page.locator("[id^='st-'] .cell-0").count() == 0
    assert "10/10" in page.get_by_test_id("entry-bar").inner_text()  # the sticky bar followed
    shoot(page, "entry-laptop-saved")
    assert Evaluation.objects.get(unit=world["tho_long"], year=2026).level == "ntm"


def test_bad_input_is_explained_and_kept(page_as, world):
    page = page_as("xa")
    page.goto(f"{page.base}/don-vi/{world['tho_long'].pk}/so-lieu/2026/")
    box = page.locator("input[data-field='income_per_capita']").first
    box.fill("nhiều lắm")
    box.press("Tab")
    page.wait_for_selector("text=không phải là số")
    assert page.locator("input[data-field='income_per_capita']").first.input_value() == "nhiều lắm"


def test_commune_official_cannot_open_another_commune_by_url(page_as, world):
    page = page_as("xa")
    other = Unit.objects.filter(scheme="current", province__code="38", kind="xã").exclude(pk=world["tho_long"].pk).first()
    response = page.goto(f"{page.base}/don-vi/{other.pk}/")
    assert response.status == 404
    assert other.full_name not in page.content()


def test_province_dashboard_renders_chart_and_matrix(page_as, world):
    page = page_as("tinh")  # lands on the province dashboard
    page.wait_for_selector("#chart-progress svg")
    page.wait_for_selector("#map svg path")
    rows = page.locator("[data-testid=matrix] tbody tr")
    assert rows.count() >= 10
    assert "/147" in page.get_by_test_id("count-ntm").inner_text()
    shoot(page, "dashboard-laptop")
    before = rows.count()
    page.select_option("select[name=criterion]", "3")
    expect(rows).not_to_have_count(before)
    filtered = page.locator("[data-testid=matrix] tbody tr")
    assert "Thọ Long" in page.locator("[data-testid=matrix]").inner_text()
    # every commune left fails criterion 3 (the third criterion column: after name, level, count)
    assert filtered.locator("td:nth-child(6) .cell-1").count() == 0
    assert filtered.locator("td:nth-child(6) .cell-0").count() == filtered.count()


@pytest.mark.parametrize("user, path, name", [("tinh", "", "dashboard-phone"), ("xa", "/don-vi/{pk}/", "scorecard-phone")])
def test_phone_width(page_as, world, user, path, name):
    page = page_as(user, width=390, height=844)
    page.goto(page.base + path.format(pk=world["tho_long"].pk) if path else page.base + "/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400  # no sideways scrolling
    shoot(page, name)


def evaluate_predecessor_2025():
    """Figures for 2025 for Thọ Long's predecessor Nam Giang (a 19-criteria year), evaluated by the engine."""
    import random
    from decimal import Decimal

    from ntm.criteria.evaluate import Classification, base_set_for
    from ntm.criteria.loader import province_view
    from ntm.demo.synth import Target, synthesize
    from ntm.evaluations.recompute import recompute_all
    from ntm.figures.models import Figure

    nam_giang = Unit.objects.get(scheme=Unit.Scheme.LEGACY, code="15505")
    specs = province_view(registry(), "38")
    base = base_set_for(specs, "commune", 2025)
    values, _ = synthesize(specs, base.code, Classification(region=nam_giang.region, group=2), 2025,
                           Target(fail={"17"}, level=None), random.Random(7))
    Figure.objects.bulk_create([Figure(unit=nam_giang, year=2025, field=k, value=Decimal(str(round(v, 4))))
                                for k, v in values.items()])
    recompute_all(years=[2025])
    return Evaluation.objects.get(unit=nam_giang, year=2025)


def test_trend_chart_marks_the_reform_and_labels_the_current_year(page_as, world):
    before = evaluate_predecessor_2025()
    assert before.criteria_total == 19
    now = Evaluation.objects.get(unit=world["tho_long"], year=2026)
    page = page_as("xa")
    page.goto(f"{page.base}/don-vi/{world['tho_long'].pk}/")
    page.wait_for_selector("#trend svg")
    text = page.locator("#trend").inner_text()
    assert "QĐ 51/2025" in text  # the reform mark between 2025 (19 criteria) and 2026 (10 criteria)
    assert f"{now.criteria_met}/{now.criteria_total}" in text  # the lone current year carries its value
    assert "100%" in text and "Xã Nam Giang" in text  # one axis of shares, the predecessor's series beside
    page = page_as("tinh")
    page.wait_for_selector("#chart-progress svg")
    assert "QĐ 51/2025" in page.locator("#chart-progress").inner_text()
    assert "51/2025/QĐ-TTg" in page.get_by_test_id("reform-note").inner_text()


def test_matrix_pages_in_place_and_a_reload_keeps_the_page(page_as, world):
    """The matrix shows 50 communes a page: the pager swaps only the matrix (htmx), the address
    carries the page with the filters, and a reload or a shared link shows the same page."""
    page = page_as("tinh")
    page.wait_for_selector("#chart-progress svg")
    names = page.locator("[data-testid=matrix] tbody td.name a")
    first = names.first.inner_text()
    page.select_option("select[name=sort]", "-met")
    page.wait_for_url("**sort=-met**")
    top = names.first.inner_text()
    page.get_by_test_id("matrix-pages").get_by_role("link", name="2", exact=True).click()
    page.wait_for_url("**page=2**")
    assert "sort=-met" in page.url
    expect(names.first).not_to_have_text(top)
    second = names.first.inner_text()
    assert page.locator("#chart-progress svg").count() == 1  # the charts were not drawn again
    page.reload()
    page.wait_for_selector("[data-testid=matrix]")
    assert names.first.inner_text() == second and page.input_value("select[name=sort]") == "-met"
    assert first  # page 1 by name had communes too
