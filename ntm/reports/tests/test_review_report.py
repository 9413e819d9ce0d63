"""The periodic review as an administrative document: read back from the PDF and the .docx."""

import io
import subprocess

import pytest
from django.urls import reverse

from ntm.testing import YEAR, login

WORLD_COMMUNES = 1
pytestmark = pytest.mark.django_db


def test_review_report_pdf_and_docx_carry_the_evaluation_and_the_signature_block(world, tmp_path):
    from docx import Document as Docx

    client = login("xa")
    unit = world["tho_long"]
    r = client.get(reverse("review_report", args=[unit.pk, YEAR]), {"so": "12", "nguoi_ky": "Lê Văn B"})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(r.content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    for expected in ("ỦY BAN NHÂN DÂN", "XÃ THỌ LONG", "Số: 12/BC-UBND", "Tổng kết năm 2026", "KẾT QUẢ THỰC HIỆN BỘ TIÊU CHÍ",
                     "Nơi nhận", "CHỦ TỊCH", "Lê Văn B"):
        assert expected in text, expected
    d = client.get(reverse("review_report_docx", args=[unit.pk, YEAR]), {"ky": "half"})
    paragraphs = "\n".join(p.text for p in Docx(io.BytesIO(d.content)).paragraphs)
    assert "Sơ kết 6 tháng" in paragraphs and "HUY ĐỘNG NGUỒN LỰC" in paragraphs
    assert login("tinh").get(reverse("review_report", args=[world["outsider"].pk, YEAR])).status_code == 404
