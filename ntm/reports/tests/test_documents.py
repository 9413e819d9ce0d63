"""The unit evaluation report as an administrative document, read back: the PDF through pdftotext,
the .docx through python-docx — the issuing body, the number, the criteria table and "Nơi nhận"."""

import subprocess

import pytest
from django.urls import reverse

from ntm.core.tests.test_documents import docx_text, pdf_text
from ntm.criteria.loader import registry
from ntm.testing import YEAR, login


@pytest.mark.django_db
def test_unit_report_pdf_reads_back(world, tmp_path):
    unit = world["tho_long"]
    r = login("xa").get(reverse("unit_report", args=[unit.pk, YEAR]), {"so": "27", "nguoi_ky": "Lê Văn Bình"})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    text = pdf_text(r.content, tmp_path)
    assert "ỦY BAN NHÂN DÂN" in text and "XÃ THỌ LONG" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "Số: 27/BC-UBND" in text and "Thọ Long, ngày" in text
    assert "BÁO CÁO" in text and "Nơi nhận:" in text and "- Lưu: VT." in text
    assert "TM. ỦY BAN NHÂN DÂN" in text and "CHỦ TỊCH" in text and "Lê Văn Bình" in text
    spec = registry()[world["base"].code]
    lines = text.splitlines()
    for c in spec.criteria:  # one row per criterion: its code, the start of its name, its verdict
        assert any(line.strip().startswith(c.code + " ") and c.name[:12] in line and ("Đạt" in line or "Chưa đạt" in line)
                   for line in lines), c.code
    assert any(line.strip().startswith("3 ") and "Chưa đạt" in line for line in lines)  # Thọ Long fails criterion 3
    path = tmp_path / "r.pdf"
    path.write_bytes(r.content)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Liberation-Serif" in fonts  # the free metric twin of Times New Roman
    # every Vietnamese letter from it (Liberation 2: fonts-liberation2), none from a fallback font
    assert "DejaVu" not in fonts, fonts


@pytest.mark.django_db
def test_unit_report_docx_has_the_same_content(world):
    unit = world["tho_long"]
    r = login("xa").get(reverse("unit_report_docx", args=[unit.pk, YEAR]), {"nguoi_ky": "Lê Văn Bình", "ky": "pho_chu_tich"})
    assert r.status_code == 200 and r["Content-Type"].endswith("wordprocessingml.document")
    assert 'filename="bao-cao-ntm-15505-2026.docx"' in r["Content-Disposition"]
    text, doc = docx_text(r.content)
    assert "ỦY BAN NHÂN DÂN" in text and "XÃ THỌ LONG" in text and "/BC-UBND" in text
    assert "Nơi nhận:" in text and "- Lưu: VT." in text
    assert "KT. CHỦ TỊCH" in text and "PHÓ CHỦ TỊCH" in text and "Lê Văn Bình" in text
    criteria = doc.tables[1]
    assert [c.text for c in criteria.rows[0].cells] == ["TT", "Tiêu chí, chỉ tiêu", "Yêu cầu", "Kết quả", "Đánh giá"]
    spec = registry()[world["base"].code]
    rows = {row.cells[0].text: [c.text for c in row.cells] for row in criteria.rows[1:]}
    assert set(rows) >= {c.code for c in spec.criteria} | {i.code for i in spec.indicators()}
    assert rows["3"][4].startswith("Chưa đạt") and rows["3"][1] == next(c.name for c in spec.criteria if c.code == "3")


@pytest.mark.django_db
def test_unit_report_is_scoped(world):
    c = login("xa")
    assert c.get(reverse("unit_report", args=[world["outsider"].pk, YEAR])).status_code == 404
    assert c.get(reverse("unit_report_docx", args=[world["outsider"].pk, YEAR])).status_code == 404
    assert c.get(reverse("unit_report", args=[world["tho_long"].pk, 1999])).status_code == 404
