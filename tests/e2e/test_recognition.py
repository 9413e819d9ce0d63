"""Recognition in a real browser: xa prepares Thọ Long's dossier and opens consultation; giamsat
records the Front's comments and the survey; tinh verifies; thamdinh appraises and votes; tinh
records the province chair's decision; the province dashboard's recognised count goes up by one."""

import datetime as dt

import pytest

from ntm.recognition.models import Recognition
from ntm.recognition.rules import load

from .conftest import shoot

pytestmark = pytest.mark.e2e


def act(page, action, fields=None):
    form = page.get_by_test_id(f"act-{action}")
    for name, value in (fields or {}).items():
        box = form.locator(f"[name='{name}']")
        if box.evaluate("e => e.tagName") == "SELECT":
            box.select_option(value)
        else:
            box.fill(value)
    form.locator("button").click()
    page.wait_for_load_state("networkidle")


def count(page, url):
    page.goto(url)
    return int(page.get_by_test_id("count-recognised").inner_text().split("/")[0])


def test_dossier_journey_to_decision(page_as, world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    tho_long, province = world["tho_long"], world["province"]
    dash = None
    tinh = page_as("tinh")
    dash = f"{tinh.base}/bang-dieu-khien/{province.pk}/?year=2026"
    before = count(tinh, dash)

    xa = page_as("xa")
    xa.goto(f"{xa.base}/don-vi/{tho_long.pk}/cong-nhan/")
    xa.get_by_test_id("open-dossier").locator("button").click()
    xa.wait_for_load_state("networkidle")
    dossier_url = xa.url
    act(xa, "self_assess")
    opened = dt.date.today() - dt.timedelta(days=20)
    act(xa, "open_consultation", {"posted_at": "Trụ sở UBND xã, nhà văn hóa các thôn",
                                  "opened_on": opened.strftime("%d/%m/%Y")})
    assert "Đang lấy ý kiến" in xa.get_by_test_id("state").inner_text()
    for days in (0, 3, 6, 9, 12):
        form = xa.get_by_test_id("reading-form")
        form.locator("[name='on']").fill((opened + dt.timedelta(days=days)).strftime("%d/%m/%Y"))
        form.locator("button").click()
        xa.wait_for_load_state("networkidle")
    assert "Đã đọc trên loa 5 lần" in xa.get_by_test_id("readings").inner_text()

    gs = page_as("giamsat")
    gs.goto(dossier_url)
    form = gs.get_by_test_id("comment-form")
    form.locator("[name='on']").fill((opened + dt.timedelta(days=7)).strftime("%d/%m/%Y"))
    form.locator("[name='text']").fill("Nhất trí đề nghị công nhận")
    form.locator("button").click()
    gs.wait_for_load_state("networkidle")
    act(gs, "close_consultation")
    act(gs, "record_survey", {"households_asked": "600", "households_answered": "580", "households_satisfied": "530"})
    assert "Đã khảo sát" in gs.get_by_test_id("state").inner_text()

    # The gate: the commune declares the conditions and attaches the documents; the council accepts
    # criterion 3 (not met in the test world) with a reason.
    xa.goto(dossier_url)
    xa.locator("summary", has_text="Kê khai điều kiện").click()
    xa.select_option("select[name='no_debt']", "1")
    xa.fill("input[name='no_debt_evidence']", "Báo cáo 15/BC-UBND")
    xa.select_option("select[name='security_ok']", "1")
    xa.fill("input[name='security_evidence']", "Xác nhận của Công an xã")
    xa.locator("form[action$='/dieu-kien/'] button").click()
    xa.wait_for_load_state("networkidle")
    doc = tmp_path / "van-ban.pdf"
    doc.write_bytes(b"%PDF-1.4 demo")
    for kind in load().required_documents(2026):
        form = xa.get_by_test_id("attach-form")
        form.locator("select[name='kind']").select_option(kind)
        form.locator("input[name='file']").set_input_files(str(doc))
        form.locator("button").click()
        xa.wait_for_load_state("networkidle")
    th = page_as("thamdinh")
    th.goto(dossier_url)
    th.locator("summary", has_text="ngoại lệ").click()
    th.fill("form[action$='/ngoai-le/'] input[name='criterion']", "3")
    th.fill("form[action$='/ngoai-le/'] textarea[name='reason']", "Công trình hoàn thành trong quý IV")
    th.locator("form[action$='/ngoai-le/'] button").click()
    th.wait_for_load_state("networkidle")
    xa.goto(dossier_url)
    assert xa.get_by_test_id("gate").locator(".cell-0").count() == 0
    shoot(xa, "recognition-gate")
    act(xa, "submit")
    assert "Đã nộp hồ sơ" in xa.get_by_test_id("state").inner_text()

    tinh.goto(f"{tinh.base}/viec-can-lam/")
    tinh.get_by_test_id("waiting").locator("a", has_text="Thọ Long").click()
    tinh.wait_for_load_state("networkidle")
    act(tinh, "verify", {"comment": "Hồ sơ đầy đủ"})
    th.goto(dossier_url)
    act(th, "appraise", {"members": "Phó Chủ tịch UBND tỉnh\nGiám đốc Sở NN&MT\nChủ tịch UBMTTQ tỉnh",
                         "votes_for": "9", "votes_against": "0"})
    assert "Đã thẩm định" in th.get_by_test_id("state").inner_text()
    tinh.goto(dossier_url)
    act(tinh, "recognise", {"decision_number": "321/QĐ-UBND", "signer_name": "Nguyễn Văn A"})
    assert "321/QĐ-UBND" in tinh.get_by_test_id("decision").inner_text()
    shoot(tinh, "recognition-decided")
    timeline = tinh.get_by_test_id("timeline").inner_text()
    for word in ("Dự thảo", "Đang lấy ý kiến", "Đã thẩm tra", "Đã thẩm định", "Đã có quyết định công nhận"):
        assert word in timeline
    assert Recognition.objects.get(unit=tho_long, kind="decided").decision_number == "321/QĐ-UBND"
    assert count(tinh, dash) == before + 1
