"""Administrative documents in the layout of Decree 30/2020/NĐ-CP (Phụ lục I), as PDF and .docx.

One plain description, two renderings with the same content:

    doc = Document(
        issuer=Issuer(name="ỦY BAN NHÂN DÂN XÃ THỌ LONG", place="Thọ Long", symbol="UBND"),
        kind="BÁO CÁO", summary="Kết quả thực hiện Bộ tiêu chí xã nông thôn mới năm 2026",
        code="BC",                                   # → "Số:     /BC-UBND" (number left for the registry)
        body=[Paragraph("Thực hiện …", indent=True), Heading("I. KẾT QUẢ CHUNG"),
              Table(columns=("TT", "Tiêu chí", "Kết quả"), rows=[Row(("1", "Quy hoạch", "Đạt"), strong=True)])],
        recipients=["Văn phòng Điều phối nông thôn mới tỉnh", "Lưu: VT"],
        signer=Signer(authority=("TM. ỦY BAN NHÂN DÂN",), title="CHỦ TỊCH", name="Nguyễn Văn A"),
    )
    render_pdf(doc) -> bytes      # WeasyPrint, Liberation Serif (metric twin of Times New Roman), A4
    render_docx(doc) -> bytes     # python-docx, Times New Roman, A4, the same margins
    respond(doc, "pdf"|"docx", "file-name") -> HttpResponse

Layout rules taken from Decree 30/2020/NĐ-CP, Phụ lục I (thể thức và kỹ thuật trình bày):
- A4, margins top 20–25 mm, bottom 20–25 mm, left 30–35 mm, right 15–20 mm (we use 20/20/30/15).
- Top left: the governing body (cơ quan chủ quản, capitals, regular) over the issuing body
  (capitals, bold), a short rule under it, then "Số: …/…" centred under it.
- Top right: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" (capitals, bold, 12–13 pt) over
  "Độc lập - Tự do - Hạnh phúc" (bold, 13–14 pt) with a rule as long as the motto, then the place
  and date in italics: "Thọ Long, ngày 05 tháng 02 năm 2026" (a day below 10 and the months 1 and 2
  take a leading zero).
- The kind of document (BÁO CÁO, TỜ TRÌNH, QUYẾT ĐỊNH …) centred in bold capitals, the summary
  (trích yếu) centred in bold below it, a short rule under it.
- The body at 13–14 pt, justified, first line indented 1–1.27 cm, at least 6 pt between paragraphs.
- Bottom left "Nơi nhận:" (bold italic, 12 pt) and its list (11 pt, "- …;" and the last "- …."),
  bottom right the signer's authority (TM./KT./Q. …), title (capitals, bold), room for the
  signature and seal, and the name (bold).
- Page numbers centred in the top margin, not on the first page.

Nothing here knows about units, evaluations or any app (it lives in `core` so every layer may use
it): the callers build the description — the recognition dossier's documents
(`ntm.recognition.documents`), the unit evaluation report and the periodic review
(`ntm.reports.unit_report`, `ntm.reports.review_report`).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
DRAFT = "DỰ THẢO"
BLANK = "\u00a0"  # a space that HTML and Word keep: room for the clerk to write a number or a day
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}  # Decree 30, Phụ lục I, mục I.3


@dataclass(frozen=True)
class Issuer:
    """Who issues the document.

    name: the issuing body, e.g. "ỦY BAN NHÂN DÂN\nXÃ THỌ LONG" or "VĂN PHÒNG ĐIỀU PHỐI NÔNG THÔN MỚI";
          a newline sets where the line breaks (otherwise the column width decides).
    parent: the governing body above it, if any, e.g. "UBND TỈNH THANH HÓA" (empty for a UBND).
    place: the place name of the date line, e.g. "Thọ Long".
    symbol: the issuer's abbreviation in the document symbol, e.g. "UBND" → "BC-UBND".
    """

    name: str
    place: str
    symbol: str = "UBND"
    parent: str = ""


@dataclass(frozen=True)
class Signer:
    """The signature block: authority lines (e.g. ("TM. ỦY BAN NHÂN DÂN",) or
    ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH")), the signer's title ("CHỦ TỊCH") and name
    (empty: left blank for the signer to fill in)."""

    title: str
    name: str = ""
    authority: tuple[str, ...] = ()


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of the body. indent: first line indented (the usual body text);
    bold/italic apply to the whole paragraph; small: 12 pt (notes)."""

    block: ClassVar[str] = "paragraph"
    text: str
    indent: bool = True
    bold: bool = False
    italic: bool = False
    small: bool = False


@dataclass(frozen=True)
class Heading:
    """A section heading of the body ("I. KẾT QUẢ CHUNG"): bold, not indented."""

    block: ClassVar[str] = "heading"
    text: str


@dataclass(frozen=True)
class Row:
    """A table row; strong: a group row (bold, shaded), e.g. a criterion over its indicators."""

    cells: tuple[str, ...]
    strong: bool = False


@dataclass(frozen=True)
class Table:
    """A ruled table. columns: header cells; rows: `Row`s (or plain tuples); widths: relative
    column widths; align: one letter per column, l/c/r."""

    block: ClassVar[str] = "table"
    columns: tuple[str, ...]
    rows: Sequence[Row | tuple[str, ...]]
    widths: tuple[float, ...] = ()
    align: str = ""

    def norm_rows(self) -> list[Row]:
        return [r if isinstance(r, Row) else Row(tuple(r)) for r in self.rows]

    def norm_widths(self) -> list[float]:
        w = list(self.widths) if len(self.widths) == len(self.columns) else [1.0] * len(self.columns)
        total = sum(w) or 1.0
        return [x / total for x in w]

    def alignment(self, i: int) -> str:
        return {"l": "left", "c": "center", "r": "right"}.get(self.align[i:i + 1], "left")

    def percent_widths(self) -> list[float]:
        return [round(100 * w, 2) for w in self.norm_widths()]

    def aligned_rows(self) -> list[tuple[bool, list[tuple[str, str]]]]:
        """(strong, [(text, alignment), …]) per row, for the HTML template."""
        return [(r.strong, [(c, self.alignment(i)) for i, c in enumerate(r.cells)]) for r in self.norm_rows()]


Block = Paragraph | Heading | Table


@dataclass
class Document:
    """One administrative document.

    kind: the document type in capitals ("BÁO CÁO", "TỜ TRÌNH", "QUYẾT ĐỊNH").
    summary: the trích yếu ("Kết quả thực hiện … năm 2026"); may be empty.
    code: the type's abbreviation ("BC", "TTr", "QĐ"); symbol = f"{code}-{issuer.symbol}".
    number: the registry number; empty leaves room for the clerk ("Số:      /BC-UBND").
    date: the signing date; None leaves day and month blank for the clerk.
    body: paragraphs, headings and tables in order.
    recipients: "Nơi nhận" items without the leading dash or closing punctuation.
    """

    issuer: Issuer
    kind: str
    summary: str
    code: str
    signer: Signer
    body: list[Block] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    number: str = ""
    date: dt.date | None = None
    year: int | None = None  # the year of a blank date; defaults to this year
    draft: bool = False  # "DỰ THẢO" above the kind: not yet signed (a draft decision)

    @property
    def symbol(self) -> str:
        return f"{self.code}-{self.issuer.symbol}" if self.code else self.issuer.symbol

    @property
    def number_line(self) -> str:
        """ "Số: 15/BC-UBND", or with the number left blank "Số:       /BC-UBND"."""
        return f"Số: {self.number or BLANK * 8}/{self.symbol}"

    @property
    def date_line(self) -> str:
        return date_line(self.issuer.place, self.date, self.year)

    def recipient_lines(self) -> list[str]:
        """ "- Item;" for each, "- Lưu: VT." for the last (Decree 30's punctuation)."""
        items = [r.strip().rstrip(";.") for r in self.recipients if r.strip()]
        return [f"- {r}{'.' if i == len(items) - 1 else ';'}" for i, r in enumerate(items)]


def date_line(place: str, date: dt.date | None, year: int | None = None) -> str:
    """ "Thọ Long, ngày 05 tháng 02 năm 2026": a day below 10 and the months 1–2 take a leading
    zero (Decree 30, Phụ lục I, mục II.5). No date: blanks for the clerk, "ngày    tháng    năm 2026"."""
    if date is None:
        blank = BLANK * 5
        return f"{place}, ngày{blank}tháng{blank}năm {year or dt.date.today().year}"
    month = f"{date.month:02d}" if date.month < 3 else str(date.month)
    return f"{place}, ngày {date.day:02d} tháng {month} năm {date.year}"


# ---------------------------------------------------------------------------------------------- PDF

def render_pdf(doc: Document) -> bytes:
    """The document as an A4 PDF (WeasyPrint; Liberation Serif, the metric twin of Times New Roman)."""
    from django.template.loader import render_to_string
    from weasyprint import HTML  # imported here: loading Pango costs time the pages do not need

    html = render_to_string("core/document.html", {"doc": doc, "nation": NATION, "motto": MOTTO, "draft": DRAFT,
                                                     "margins": MARGINS_MM})
    return HTML(string=html).write_pdf()


# --------------------------------------------------------------------------------------------- DOCX

FONT = "Times New Roman"


def render_docx(doc: Document) -> bytes:
    """The document as .docx (python-docx) for the office to edit before signing: Times New Roman,
    A4, the margins and blocks of the PDF, page numbers in the header from page 2."""
    from docx import Document as Docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    out = Docx()
    normal = out.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    _east_asia_font(normal.element, FONT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)

    section = out.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance = Mm(10)
    section.different_first_page_header_footer = True
    page_no = section.header.paragraphs[0]
    page_no.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(page_no, Pt(13))
    text_width = Mm(210 - MARGINS_MM["left"] - MARGINS_MM["right"])

    # header: issuer | nation and motto; number | place and date
    left_w, right_w = Mm(70), text_width - Mm(70)
    head = out.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    head.autofit = False
    _widths(head, [left_w, right_w])
    left, right = head.rows[0].cells
    p = left.paragraphs[0]
    if doc.issuer.parent:
        _run(p, doc.issuer.parent.upper(), size=13)
        p = left.add_paragraph()
    for i, line in enumerate(doc.issuer.name.upper().split("\n")):
        if i:
            p = left.add_paragraph()
        _run(p, line, size=13, bold=True)
    _rule(left, left_w, Mm(25))
    p = left.add_paragraph()
    p.paragraph_format.space_before = Pt(6)
    _run(p, doc.number_line, size=13)
    for par in left.paragraphs:
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p = right.paragraphs[0]
    _run(p, NATION, size=12, bold=True)
    p = right.add_paragraph()
    _run(p, MOTTO, size=13, bold=True)
    _rule(right, right_w, Mm(58))
    p = right.add_paragraph()
    p.paragraph_format.space_before = Pt(6)
    _run(p, doc.date_line, size=14, italic=True)
    for par in right.paragraphs:
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER

    # draft mark, kind and summary
    if doc.draft:
        p = out.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_before = Pt(12)
        _run(p, DRAFT, size=13, bold=True)
    p = out.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_before = Pt(6 if doc.draft else 18)
    _run(p, doc.kind.upper(), size=14, bold=True)
    if doc.summary:
        p = out.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(p, doc.summary, size=14, bold=True)
    _rule(out, text_width, Mm(40)).paragraph_format.space_after = Pt(12)

    for block in doc.body:
        if isinstance(block, Heading):
            p = out.add_paragraph()
            p.paragraph_format.space_before = Pt(6)
            p.paragraph_format.space_after = Pt(6)
            p.paragraph_format.keep_with_next = True
            _run(p, block.text, size=14, bold=True)
        elif isinstance(block, Paragraph):
            p = out.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            p.paragraph_format.space_after = Pt(6)
            p.paragraph_format.line_spacing = 1.15
            if block.indent:
                p.paragraph_format.first_line_indent = Mm(10)
            _run(p, block.text, size=12 if block.small else 14, bold=block.bold, italic=block.italic)
        elif isinstance(block, Table):
            _docx_table(out, block, text_width)

    # recipients | signature
    foot = out.add_table(rows=1, cols=2)
    foot.autofit = False
    _widths(foot, [Mm(80), text_width - Mm(80)])
    left, right = foot.rows[0].cells
    p = left.paragraphs[0]
    p.paragraph_format.space_before = Pt(12)
    _run(p, "Nơi nhận:", size=12, bold=True, italic=True)
    for line in doc.recipient_lines():
        _run(left.add_paragraph(), line, size=11)
    p = right.paragraphs[0]
    p.paragraph_format.space_before = Pt(12)
    lines = [*doc.signer.authority, doc.signer.title]
    for i, line in enumerate(lines):
        if i:
            p = right.add_paragraph()
        _run(p, line.upper(), size=14, bold=True)
    p.paragraph_format.space_after = Pt(72)  # room for signature and seal
    if doc.signer.name:
        _run(right.add_paragraph(), doc.signer.name, size=14, bold=True)
    for par in right.paragraphs:
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER

    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def _docx_table(out, block: Table, text_width) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    align = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}
    rows = block.norm_rows()
    table = out.add_table(rows=1 + len(rows), cols=len(block.columns))
    table.style = out.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _widths(table, [int(text_width * w) for w in block.norm_widths()])
    _repeat_header(table.rows[0])
    for i, text in enumerate(block.columns):
        p = table.rows[0].cells[i].paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(p, text, size=12, bold=True)
        _shade(table.rows[0].cells[i], "F1F3F5")
    for r, row in enumerate(rows, start=1):
        _cant_split(table.rows[r])
        for i, text in enumerate(row.cells):
            cell = table.rows[r].cells[i]
            p = cell.paragraphs[0]
            p.alignment = align[block.alignment(i)]
            _run(p, text, size=12, bold=row.strong)
            if row.strong:
                _shade(cell, "F8F9FA")
    spacer = out.add_paragraph()
    spacer.paragraph_format.space_after = Pt(6)


def _run(paragraph, text: str, size: float, bold: bool = False, italic: bool = False):
    from docx.shared import Pt

    run = paragraph.add_run(text)
    run.font.name = FONT
    run.font.size = Pt(size)
    run.bold, run.italic = bold, italic
    _east_asia_font(run._element, FONT)
    return run


def _east_asia_font(element, name: str) -> None:
    """Word picks the font per script; set every slot so Vietnamese never falls back."""
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _widths(table, widths) -> None:
    for row in table.rows:
        for cell, w in zip(row.cells, widths, strict=True):
            cell.width = w
    for col, w in zip(table.columns, widths, strict=True):
        col.width = w


def _rule(container, available, length):
    """A centred rule `length` long under the last paragraph of `container` (a cell or the
    document): an empty 1 pt paragraph indented from both sides, with a bottom border (Word has no
    free lines inside a table cell without drawing shapes). Returns the paragraph."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    paragraph = container.add_paragraph()
    paragraph.paragraph_format.line_spacing = Pt(2)
    _run(paragraph, "", size=1)
    side = max(0, int((available - length) / 2))
    paragraph.paragraph_format.left_indent = side
    paragraph.paragraph_format.right_indent = side
    ppr = paragraph._p.get_or_add_pPr()
    border = ppr.makeelement(qn("w:pBdr"), {})
    bottom = border.makeelement(qn("w:bottom"), {qn("w:val"): "single", qn("w:sz"): "6", qn("w:space"): "1",
                                                 qn("w:color"): "000000"})
    border.append(bottom)
    # schema order: pBdr comes before spacing, ind and jc, or Word calls the file damaged
    ppr.insert_element_before(border, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:snapToGrid", "w:spacing",
                              "w:ind", "w:contextualSpacing", "w:jc", "w:outlineLvl", "w:rPr", "w:sectPr")
    return paragraph


def _shade(cell, color: str) -> None:
    from docx.oxml.ns import qn

    tcpr = cell._tc.get_or_add_tcPr()
    shd = tcpr.makeelement(qn("w:shd"), {qn("w:val"): "clear", qn("w:color"): "auto", qn("w:fill"): color})
    tcpr.append(shd)


def _repeat_header(row) -> None:
    from docx.oxml.ns import qn

    trpr = row._tr.get_or_add_trPr()
    trpr.append(trpr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"}))


def _cant_split(row) -> None:
    from docx.oxml.ns import qn

    trpr = row._tr.get_or_add_trPr()
    trpr.append(trpr.makeelement(qn("w:cantSplit"), {qn("w:val"): "true"}))


def _page_field(paragraph, size) -> None:
    """A PAGE field (Word fills in the page number)."""
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    run.font.name = FONT
    run.font.size = size
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = run._r.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind})
        else:
            el = run._r.makeelement(qn("w:instrText"), {qn("xml:space"): "preserve"})
            el.text = text
        run._r.append(el)


# ----------------------------------------------------------------------------------------- response

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def respond(doc: Document, fmt: str, filename: str):
    """An HttpResponse with the document as `fmt` ("pdf" shown in the browser, "docx" downloaded).
    filename: without extension, ASCII (e.g. "bao-cao-ntm-15505-2026"). Unknown fmt → ValueError."""
    from django.http import HttpResponse

    if fmt == "pdf":
        body, disposition = render_pdf(doc), "inline"
    elif fmt == "docx":
        body, disposition = render_docx(doc), "attachment"
    else:
        raise ValueError(f"Định dạng không hỗ trợ: {fmt}")
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'{disposition}; filename="{filename}.{fmt}"'
    return response
