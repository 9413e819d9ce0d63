"""The administrative document builder (Decree 30/2020 layout) read back: the PDF through pdftotext,
the .docx through python-docx — issuer, number, date line, table, "Nơi nhận", signer, draft mark."""

import datetime as dt
import io
import subprocess

from docx import Document as Docx

from ntm.core.documents import (
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




def test_draft_mark_in_both_renderings(tmp_path):
    doc = sample()
    assert "DỰ THẢO" not in pdf_text(render_pdf(doc), tmp_path) and "DỰ THẢO" not in docx_text(render_docx(doc))[0]
    doc.draft = True
    lines = [line.strip() for line in pdf_text(render_pdf(doc), tmp_path).splitlines() if line.strip()]
    assert lines[lines.index("DỰ THẢO") + 1] == "TỜ TRÌNH"  # above the kind
    text, _ = docx_text(render_docx(doc))
    assert "DỰ THẢO\nTỜ TRÌNH" in text
