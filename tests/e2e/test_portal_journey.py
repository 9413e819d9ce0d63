"""On a phone (390 px): a resident sends feedback on Thọ Long without an account (the browser does the
proof of work), the commune official approves and answers it, the answer appears on the portal."""

import pytest

from ntm.community.models import Feedback

from .conftest import shoot

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}


def test_resident_feedback_answered_on_the_portal(browser, live_server, world, page_as):
    resident = browser.new_context(viewport=PHONE, locale="vi-VN").new_page()
    resident.set_default_timeout(30000)
    resident.goto(f"{live_server.url}/cong-khai/don-vi/15505/")
    assert resident.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(resident, "portal-commune-phone")
    resident.get_by_role("link", name="Gửi ý kiến về xã").click()
    resident.fill("#id_title", "Rãnh thoát nước thôn 2 bị tắc")
    resident.fill("#id_body", "Sau mưa, rãnh thoát nước cạnh nhà văn hóa thôn 2 bị tắc, nước tràn ra đường.")
    resident.fill("#id_contact", "0987000111")
    shoot(resident, "portal-feedback-phone")
    resident.click("#send")
    resident.wait_for_url("**/cong-khai/y-kien/theo-doi/**")
    assert "Chờ kiểm duyệt" in resident.content()
    track_url = resident.url
    fb = Feedback.objects.get(title="Rãnh thoát nước thôn 2 bị tắc")
    assert fb.moderation == "pending" and fb.contact == "0987000111"

    official = page_as("xa", width=PHONE["width"], height=PHONE["height"])
    official.goto(f"{official.base}/y-kien/")
    official.get_by_role("link", name="Rãnh thoát nước thôn 2 bị tắc").click()
    official.get_by_role("button", name="Duyệt, công khai").click()
    official.fill("#answer", "Xã đã cho nạo vét rãnh thôn 2 ngày 28/11; cảm ơn bà con đã phản ánh.")
    official.get_by_role("button", name="Trả lời").click()
    official.wait_for_load_state("networkidle")
    assert official.get_by_test_id("status").inner_text().strip() == "Đã trả lời"

    resident.goto(f"{live_server.url}/cong-khai/y-kien/{fb.pk}/")
    assert "Xã đã cho nạo vét rãnh thôn 2" in resident.get_by_test_id("answer").inner_text()
    assert "0987000111" not in resident.content()
    shoot(resident, "portal-answer-phone")
    resident.goto(track_url)
    assert "Đã trả lời" in resident.get_by_test_id("status").inner_text()
    resident.context.close()
