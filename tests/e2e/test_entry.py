"""Daily entry in a real browser: Enter saves and moves on, each history shows its own field, the
phone layout keeps every input on screen, the matrix filter lives in the address."""

import pytest

from ntm.figures.models import Figure
from ntm.testing import YEAR

from .conftest import shoot

pytestmark = pytest.mark.e2e

WATCH_ERRORS = """window.__htmxErrors = [];
["htmx:targetError", "htmx:responseError", "htmx:swapError"].forEach(
  n => document.body.addEventListener(n, e => window.__htmxErrors.push(n)));
window.__sameDocument = true;"""


def open_entry(page, world):
    page.goto(f"{page.base}/don-vi/{world['tho_long'].pk}/so-lieu/{YEAR}/")
    page.wait_for_load_state("networkidle")
    page.evaluate(WATCH_ERRORS)


def test_enter_saves_and_moves_to_the_next_field(page_as, world):
    page = page_as("xa")
    open_entry(page, world)
    url = page.url
    inputs = page.locator("input.figure-input")
    first, second = inputs.nth(0), inputs.nth(1)
    field, next_field = first.get_attribute("data-field"), second.get_attribute("data-field")
    page.fill("#entry-source", "Báo cáo thống kê xã 2026")
    first.click()
    first.fill("1.234,5")
    with page.expect_response(lambda r: r.request.method == "POST" and f"/{field}/" in r.url) as saved:
        first.press("Enter")
    assert saved.value.status == 200
    page.wait_for_function(f"document.activeElement && document.activeElement.dataset.field === '{next_field}'")
    assert page.url == url and "value=" not in page.url  # no reload, nothing in the address
    assert page.evaluate("window.__sameDocument === true")
    fig = Figure.objects.get(unit=world["tho_long"], year=YEAR, field=field)
    assert float(fig.value) == 1234.5 and fig.source == "Báo cáo thống kê xã 2026"
    assert page.locator(f"input[data-field='{field}']").input_value().rstrip("0") == "1234,5"  # the saved value swapped in (no thousands dots in inputs: never re-read as ambiguous)
    # Enter on an unchanged field moves on without saving anything
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)
    assert posts == []
    assert page.evaluate("document.activeElement.dataset.field") == inputs.nth(2).get_attribute("data-field")
    # the source is remembered for the next visit
    open_entry(page, world)
    assert page.input_value("#entry-source") == "Báo cáo thống kê xã 2026"
    assert page.evaluate("window.__htmxErrors.length") == 0


def test_two_histories_in_a_row_each_show_their_own_field(page_as, world):
    page = page_as("xa")
    open_entry(page, world)
    buttons = page.locator("[data-history]")
    for index in (0, 5, 12):
        field = buttons.nth(index).locator("xpath=..").get_attribute("id").removeprefix("f-")
        buttons.nth(index).click()
        page.wait_for_selector(f"#history-dialog[open] [data-testid=history-field][data-field='{field}']")
        page.click("#history-dialog [data-close-dialog]")
        page.wait_for_selector("#history-dialog", state="hidden")
    assert page.evaluate("window.__htmxErrors") == []


def test_phone_entry_keeps_every_input_on_screen(page_as, world):
    page = page_as("xa", width=390, height=844)
    open_entry(page, world)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # the unmet criteria come first and open; met ones are collapsed
    crits = page.locator(".entry-crits").first.locator("details.crit")
    tops = page.evaluate("""Array.from(document.querySelector('.entry-crits').querySelectorAll('details.crit'))
        .map(d => [d.dataset.met, d.open, d.getBoundingClientRect().top])""")
    unmet = [t for m, _, t in tops if m == "0"]
    met = [t for m, _, t in tops if m == "1"]
    assert unmet and met and max(unmet) < min(met)
    assert all(is_open for m, is_open, _ in tops if m == "0") and not any(is_open for m, is_open, _ in tops if m == "1")
    assert crits.count() == len(tops)
    bar = page.get_by_test_id("entry-bar")
    assert bar.is_visible() and "Còn thiếu" in bar.inner_text()
    shoot(page, "entry-phone")
    page.locator("details.crit[data-met='0']").first.evaluate("d => window.scrollTo(0, d.getBoundingClientRect().top + window.scrollY - 20)")
    shoot(page, "entry-phone-criteria")
    page.evaluate("document.querySelectorAll('details.crit').forEach(d => d.open = true)")
    boxes = page.evaluate("""Array.from(document.querySelectorAll('.figure-input, [data-history]'))
        .map(e => { const r = e.getBoundingClientRect(); return [e.dataset.field || 'history', r.left, r.right, r.width]; })""")
    assert len(boxes) > 40
    off = [b for b in boxes if b[1] < 0 or b[2] > 390 or b[3] == 0]
    assert not off, off
    # the sticky bar stays in view while scrolling
    page.mouse.wheel(0, 3000)
    page.wait_for_timeout(200)
    box = bar.bounding_box()
    assert box and 0 <= box["y"] and box["y"] + box["height"] <= 844


def test_laptop_entry_screenshot(page_as, world):
    page = page_as("xa")
    open_entry(page, world)
    shoot(page, "entry-laptop")
    page.locator("details.crit[data-met='0']").first.evaluate("d => window.scrollTo(0, d.getBoundingClientRect().top + window.scrollY - 80)")
    shoot(page, "entry-laptop-criteria")


def test_matrix_filter_survives_a_reload(page_as, world):
    page = page_as("tinh")
    page.wait_for_selector("[data-testid=matrix]")
    rows = page.locator("[data-testid=matrix] tbody tr")
    before = rows.count()
    page.select_option("select[name=criterion]", "3")
    page.wait_for_url("**criterion=3**")
    page.select_option("select[name=sort]", "met")  # right after the first answer: never lost
    page.wait_for_url("**sort=met**")
    filtered = rows.count()
    assert filtered < before
    page.reload()
    page.wait_for_selector("[data-testid=matrix]")
    assert page.input_value("select[name=criterion]") == "3" and page.input_value("select[name=sort]") == "met"
    assert rows.count() == filtered
    assert rows.locator(".cell-0").first.inner_text() == "✗"  # a symbol, not colour alone
    shared = page.url
    other = page.context.new_page()
    other.goto(shared)
    assert other.input_value("select[name=criterion]") == "3"
    assert other.locator("[data-testid=matrix] tbody tr").count() == filtered
