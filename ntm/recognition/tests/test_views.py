"""Pages through the client: the journey by form posts, refusals as messages (never a 500), the
inbox, and scope (an outsider from another province gets 404 on every object)."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from ntm.accounts.models import Grant, Role
from ntm.recognition import services
from ntm.recognition import workflow as wf
from ntm.recognition.models import (
    Attachment,
    Dossier,
    Recognition,
    WithdrawalCase,
)
from ntm.testing import YEAR, login
from ntm.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(world):
    Dossier.objects.filter(unit=world["tho_long"]).delete()
    return Dossier.objects.create(unit=world["tho_long"], level="ntm", year=YEAR)


def test_unit_page_opens_a_dossier(world):
    tho_long = world["tho_long"]
    Dossier.objects.filter(unit=tho_long).delete()
    xa = login("xa")
    page = xa.get(reverse("recognition:unit", args=[tho_long.pk]))
    assert page.status_code == 200 and "Lập hồ sơ" in page.content.decode()
    r = xa.post(reverse("recognition:open", args=[tho_long.pk]), {"level": "ntm", "year": YEAR})
    d = Dossier.objects.get(unit=tho_long)
    assert r.status_code == 302 and r["Location"] == reverse("recognition:dossier", args=[d.pk])
    r = xa.post(reverse("recognition:open", args=[tho_long.pk]), {"level": "ntm", "year": YEAR}, follow=True)
    assert "đã có hồ sơ" in r.content.decode()
    assert "Lập hồ sơ" not in login("xem").get(reverse("recognition:unit", args=[tho_long.pk])).content.decode()


def test_dossier_page_shows_next_step_per_role(world, dossier):
    url = reverse("recognition:dossier", args=[dossier.pk])
    body = login("xa").get(url).content.decode()
    assert 'data-testid="act-self_assess"' in body and "Dự thảo" in body
    body = login("tinh").get(url).content.decode()
    assert 'data-testid="act-' not in body and "Hồ sơ không chờ bước nào của bạn" in body


def test_journey_by_form_posts(world, dossier, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    xa, giamsat = login("xa"), login("giamsat")
    act = lambda c, a, data=None: c.post(reverse("recognition:act", args=[dossier.pk, a]), data or {}, follow=True)  # noqa: E731
    act(xa, wf.SELF_ASSESS)
    today = dt.date.today()
    r = act(xa, wf.OPEN_CONSULTATION, {"posted_at": "Nhà văn hóa thôn", "opened_on": today.strftime("%d/%m/%Y")})
    assert "Đang lấy ý kiến" in r.content.decode()
    r = xa.post(reverse("recognition:reading", args=[dossier.pk]), {"on": today.strftime("%d/%m/%Y")}, follow=True)
    assert "Đã đọc trên loa 1 lần" in r.content.decode()
    r = act(giamsat, wf.CLOSE_CONSULTATION)
    body = r.content.decode()
    assert r.status_code == 200 and "chưa kết thúc" in body and "Đang lấy ý kiến" in body  # refused, as a message
    r = xa.post(reverse("recognition:conditions", args=[dossier.pk]), {"no_debt": "1", "no_debt_evidence": "",
                                                                       "security_ok": "", "security_evidence": ""},
                follow=True)
    assert "minh chứng" in r.content.decode()
    r = xa.post(reverse("recognition:attach", args=[dossier.pk]),
                {"kind": "to_trinh", "file": ContentFile(b"%PDF", name="tt.pdf")}, follow=True)
    att = Attachment.objects.get(dossier=dossier)
    assert login("tinh").get(reverse("recognition:attachment", args=[att.pk])).status_code == 200


def test_unknown_action_is_404_and_get_is_405(world, dossier):
    xa = login("xa")
    assert xa.post(reverse("recognition:act", args=[dossier.pk, "fly"])).status_code == 404
    assert xa.get(reverse("recognition:act", args=[dossier.pk, wf.SUBMIT])).status_code == 405


def test_inbox_lists_what_waits(world, dossier):
    body = login("xa").get(reverse("recognition:inbox")).content.decode()
    assert world["tho_long"].full_name in body and "Tự đánh giá" in body
    body = login("thamdinh").get(reverse("recognition:inbox")).content.decode()
    assert "Không có hồ sơ nào chờ bạn" in body
    dossier.state = wf.VERIFIED
    dossier.save()
    assert world["tho_long"].full_name in login("thamdinh").get(reverse("recognition:inbox")).content.decode()
    assert 'data-testid="nav-inbox"' in login("xem").get("/", follow=True).content.decode()


def test_standings_and_case_pages(world):
    tho_long = world["tho_long"]
    Recognition.objects.filter(unit=tho_long).delete()
    rec = services.create_recognition(tho_long, "ntm", YEAR, "recorded", decision_number="5/QĐ-UBND",
                                      decision_date=dt.date(2026, 1, 5))
    tinh = login("tinh")
    body = tinh.get(reverse("recognition:standings", args=[world["province"].pk])).content.decode()
    assert "Cần duy trì" in body and tho_long.full_name in body
    r = tinh.post(reverse("recognition:open_case", args=[rec.pk]), {"reason": "Kiểm tra đột xuất"})
    case = WithdrawalCase.objects.get(recognition=rec)
    assert r["Location"] == reverse("recognition:case", args=[case.pk])
    r = tinh.post(reverse("recognition:case", args=[case.pk]), {"action": "keep", "comment": ""}, follow=True)
    assert "lý do" in r.content.decode()
    tinh.post(reverse("recognition:case", args=[case.pk]), {"action": "keep", "comment": "Đã khắc phục"})
    assert WithdrawalCase.objects.get(pk=case.pk).state == "kept"


def outsider_objects(world):
    """One object of every recognition model, on a Thanh Hóa unit."""
    tho_long = world["tho_long"]
    Dossier.objects.filter(unit=tho_long).delete()
    Recognition.objects.filter(unit=tho_long).delete()
    d = Dossier.objects.create(unit=tho_long, level="ntm", year=YEAR)
    rec = services.create_recognition(tho_long, "ntm", YEAR, "recorded", decision_number="5/QĐ-UBND")
    case = WithdrawalCase.objects.create(unit=tho_long, recognition=rec, evaluation_year=YEAR, reason="x")
    att = Attachment.objects.create(dossier=d, kind="to_trinh", file=ContentFile(b"x", name="a.pdf"))
    return d, rec, case, att


def test_scope_outsider_gets_404_everywhere(world, settings, tmp_path):
    from django.contrib.auth.models import User

    settings.MEDIA_ROOT = tmp_path
    d, rec, case, att = outsider_objects(world)
    user, _ = User.objects.get_or_create(username="hanoi")
    user.set_password("ntm-demo")
    user.save()
    Grant.objects.get_or_create(user=user, unit=Unit.objects.get(scheme="current", level="province", code="01"),
                                role=Role.PROVINCE)
    c = login("hanoi")
    for name, pk in [("dossier", d.pk), ("attachment", att.pk), ("case", case.pk), ("unit", world["tho_long"].pk),
                     ("standings", world["tho_long"].pk)]:
        assert c.get(reverse(f"recognition:{name}", args=[pk])).status_code == 404, name
    for name, pk in [("reading", d.pk), ("comment", d.pk), ("conditions", d.pk), ("override", d.pk),
                     ("attach", d.pk), ("open_case", rec.pk), ("case", case.pk), ("open", world["tho_long"].pk)]:
        assert c.post(reverse(f"recognition:{name}", args=[pk]), {}).status_code == 404, name
    assert c.post(reverse("recognition:act", args=[d.pk, wf.SELF_ASSESS])).status_code == 404
    # Querysets: nothing of Thanh Hóa for Hà Nội's office.
    from ntm.recognition import models as m
    for model in (m.Recognition, m.Dossier, m.Transition, m.Snapshot, m.Consultation, m.Reading, m.Comment, m.Survey,
                  m.Override, m.Appraisal, m.Verdict, m.Attachment, m.WithdrawalCase):
        assert model.unit_path is not None
        assert not model.objects.restrict(user).filter(pk__in=model.objects.values("pk")).exists() or \
            model.objects.count() == 0, model
    assert m.Dossier.objects.restrict(User.objects.get(username="tinh")).filter(pk=d.pk).exists()


def test_generated_documents_read_back(world, dossier, tmp_path):
    import io
    import subprocess

    from django.contrib.auth.models import User
    from docx import Document

    services.transition(User.objects.get(username="xa"), dossier, wf.SELF_ASSESS)
    tinh = login("tinh")
    r = tinh.get(reverse("recognition:document", args=[dossier.pk, "quyet_dinh", "pdf"]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    path = tmp_path / "qd.pdf"
    path.write_bytes(r.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for words in ("ỦY BAN NHÂN DÂN TỈNH", "Số: …/QĐ-UBND", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "QUYẾT ĐỊNH",
                  "CHỦ TỊCH UBND TỈNH", "Nơi nhận", "Xã Thọ Long", "DỰ THẢO"):
        assert words in text, words
    r = tinh.get(reverse("recognition:document", args=[dossier.pk, "quyet_dinh", "docx"]))
    assert r["Content-Disposition"] == f'attachment; filename="quyet_dinh-{dossier.unit.code}-{dossier.year}.docx"'
    issuer = Document(io.BytesIO(r.content)).tables[0].rows[0].cells[0].text
    assert [line for line in issuer.split("\n") if line] == ["ỦY BAN NHÂN DÂN TỈNH", "Số: …/QĐ-UBND"], issuer
    r = tinh.get(reverse("recognition:document", args=[dossier.pk, "bao_cao_ket_qua", "docx"]))
    doc = Document(io.BytesIO(r.content))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert any("UBND XÃ THỌ LONG" in c and "Số: …/BC-UBND" in c for c in cells)
    assert "3. Phát triển kinh tế nông thôn" in cells and "Không đạt" in cells  # the per-criterion table
    assert any("CHỦ TỊCH" in c for c in cells)  # the signature block
    assert any(p.text == "BÁO CÁO" for p in doc.paragraphs)
    assert tinh.get(reverse("recognition:document", args=[dossier.pk, "nope", "pdf"])).status_code == 404


def test_dashboard_tells_recognised_from_eligible(world, django_capture_on_commit_callbacks):
    tho_long, province = world["tho_long"], world["province"]
    with django_capture_on_commit_callbacks(execute=True):  # the dashboard's cache moves on commit
        Recognition.objects.filter(unit__province=province).delete()
    url = reverse("dashboard", args=[province.pk]) + f"?year={YEAR}&sort=-met"  # evaluated communes: first page
    body = login("tinh").get(url).content.decode()
    assert 'data-testid="count-recognised">0/' in body and 'data-testid="decided"' not in body
    eligible_before = int(body.split('data-testid="count-eligible">')[1].split()[0])
    other = next(u for u in Unit.objects.filter(evaluations__year=YEAR, evaluations__level="ntm", province=province))
    with django_capture_on_commit_callbacks(execute=True):
        services.create_recognition(other, "ntm", YEAR, "recorded", decision_number="9/QĐ-UBND")
        services.create_recognition(tho_long, "ntm", 2018, "acknowledged")
    body = login("tinh").get(url).content.decode()
    assert 'data-testid="count-recognised">2/' in body and body.count('data-testid="decided"') == 2
    assert f'data-testid="count-eligible">{eligible_before - 1} ' in body  # Thọ Long was not eligible by figures
    assert services.recognised_levels([tho_long.pk, other.pk], 2017) == {}


def test_province_enters_a_past_decision(world):
    nam_giang = Unit.objects.get(scheme="legacy", code="15505")
    Recognition.objects.filter(unit=nam_giang).delete()
    url = reverse("recognition:record", args=[nam_giang.pk])
    assert 'data-testid="record-form"' not in login("xa").get(reverse("recognition:unit", args=[nam_giang.pk])).content.decode()
    r = login("xa").post(url, {"level": "ntm", "year": 2016, "decision_number": "1/QĐ", "decision_date": "20/12/2016"},
                         follow=True)
    assert "không có quyền" in r.content.decode() and not Recognition.objects.filter(unit=nam_giang).exists()
    tinh = login("tinh")
    assert 'data-testid="record-form"' in tinh.get(reverse("recognition:unit", args=[nam_giang.pk])).content.decode()
    r = tinh.post(url, {"level": "ntm", "year": 2016, "decision_number": "1234/QĐ-UBND", "decision_date": "20/12/2016"},
                  follow=True)
    rec = Recognition.objects.get(unit=nam_giang)
    assert (rec.kind, rec.decision_date) == ("recorded", dt.date(2016, 12, 20)) and "1234/QĐ-UBND" in r.content.decode()
