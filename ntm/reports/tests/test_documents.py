"""Administrative documents (Decree 30/2020 layout) read back: the PDF through pdftotext, the
.docx through python-docx — the issuing body, the number, the criteria table and "Nơi nhận"."""

import datetime as dt
import io
import subprocess

import pytest
from django.urls import reverse
from docx import Document as Docx

from ntm.criteria.loader import registry
from ntm.reports.documents import (
    Document,
    Heading,
    Issuer,
    Paragraph,
    Row,
    Signer,
    Table,
    date_line,
    render_docx,
    render_pdf,
)
from ntm.testing import YEAR, login


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def docx_text(data: bytes) -> tuple[str, Docx]:
    """Every paragraph of the body and of every table cell, in order, one per line."""
    doc = Docx(io.BytesIO(data))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            seen = set()
            for cell in row.cells:
                if id(cell._tc) in seen:
                    continue
                seen.add(id(cell._tc))
                lines += [p.text for p in cell.paragraphs]
    return "\n".join(lines), doc


def sample() -> Document:
    return Document(
        issuer=Issuer(name="VĂN PHÒNG ĐIỀU PHỐI\nNÔNG THÔN MỚI", parent="UBND tỉnh Thanh Hóa", place="Thanh Hóa", symbol="VPĐP"),
        kind="Tờ trình", summary="Đề nghị thẩm định xã Thọ Long đạt chuẩn nông thôn mới năm 2026", code="TTr",
        number="15", date=dt.date(2026, 2, 5),
        body=[Paragraph("Căn cứ Quyết định số 51/2025/QĐ-TTg;"), Heading("I. KẾT QUẢ"),
              Table(columns=("TT", "Tiêu chí", "Đánh giá"), rows=[Row(("1", "Quy hoạch", "Đạt"), strong=True), ("1.1", "Quy hoạch chung xã", "Đạt")],
                    widths=(1, 5, 2), align="llc")],
        recipients=["Hội đồng thẩm định tỉnh", "Lưu: VT, VPĐP"],
        signer=Signer(authority=("KT. CHÁNH VĂN PHÒNG",), title="Phó Chánh Văn phòng", name="Nguyễn Thị Hoa"),
    )


def test_date_line_pads_days_below_ten_and_the_first_two_months():
    assert date_line("Thọ Long", dt.date(2026, 2, 5)) == "Thọ Long, ngày 05 tháng 02 năm 2026"
    assert date_line("Thọ Long", dt.date(2026, 11, 30)) == "Thọ Long, ngày 30 tháng 11 năm 2026"
    assert date_line("Thọ Long", dt.date(2026, 3, 9)) == "Thọ Long, ngày 09 tháng 3 năm 2026"
    assert date_line("Thọ Long", None, 2027).startswith("Thọ Long, ngày\u00a0") and date_line("X", None, 2027).endswith("năm 2027")


def test_number_and_recipients_follow_the_decree():
    doc = sample()
    assert doc.number_line == "Số: 15/TTr-VPĐP"
    assert doc.recipient_lines() == ["- Hội đồng thẩm định tỉnh;", "- Lưu: VT, VPĐP."]
    doc.number = ""
    assert doc.number_line.startswith("Số: ") and doc.number_line.endswith("/TTr-VPĐP")


def test_sample_document_as_pdf(tmp_path):
    text = pdf_text(render_pdf(sample()), tmp_path)
    for expected in ("UBND TỈNH THANH HÓA", "VĂN PHÒNG ĐIỀU PHỐI", "NÔNG THÔN MỚI", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                     "Độc lập - Tự do - Hạnh phúc", "Số: 15/TTr-VPĐP", "Thanh Hóa, ngày 05 tháng 02 năm 2026", "TỜ TRÌNH",
                     "Nơi nhận:", "- Hội đồng thẩm định tỉnh;", "KT. CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG", "Nguyễn Thị Hoa"):
        assert expected in text, expected
    assert any("1.1" in line and "Quy hoạch chung xã" in line and "Đạt" in line for line in text.splitlines())


def test_sample_document_as_docx():
    text, doc = docx_text(render_docx(sample()))
    for expected in ("UBND TỈNH THANH HÓA", "VĂN PHÒNG ĐIỀU PHỐI", "NÔNG THÔN MỚI", "Số: 15/TTr-VPĐP", "TỜ TRÌNH",
                     "Thanh Hóa, ngày 05 tháng 02 năm 2026", "Nơi nhận:", "- Lưu: VT, VPĐP.", "PHÓ CHÁNH VĂN PHÒNG", "Nguyễn Thị Hoa"):
        assert expected in text, expected
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.left_margin, section.right_margin, section.top_margin, section.bottom_margin)] == [30, 15, 20, 20]
    table = doc.tables[1]
    assert [c.text for c in table.rows[2].cells] == ["1.1", "Quy hoạch chung xã", "Đạt"]
    fonts = {r.font.name for p in doc.paragraphs for r in p.runs if r.text}
    assert fonts == {"Times New Roman"}
    assert doc.styles["Normal"].font.size.pt == 14


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
