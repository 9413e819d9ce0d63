"""Render a dossier document's content (`documents.py`) as PDF (WeasyPrint) and .docx (python-docx) in
the administrative-document layout of Decree 30/2020 (header block, number, place and date, title,
body, table, signature block, recipients; Liberation Serif as the free Times New Roman).

A stopgap until `ntm/reports/documents.py` (the shared document module) lands on main: then a view in
`reports` should render `documents.DOCUMENTS` through it and this module goes."""

from __future__ import annotations

import io
from typing import Any

from django.template.loader import render_to_string

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def pdf(doc: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # loading Pango costs time the pages do not need

    return HTML(string=render_to_string("recognition/document_pdf.html", {"doc": doc, "motto": MOTTO})).write_pdf()


def docx(doc: dict[str, Any]) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    d = Document()
    style = d.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(13)
    head = d.add_table(rows=1, cols=2)
    left, right = head.rows[0].cells
    left.text = "\n".join([*doc.get("issuer", []), f"Số: {doc.get('number', '')}"])
    right.text = f"{MOTTO[0]}\n{MOTTO[1]}\n{doc.get('place_date', '')}"
    for cell in (left, right):
        for p in cell.paragraphs:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = d.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run(doc["title"]).bold = True
    sub = d.add_paragraph(doc.get("subject", ""))
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in doc.get("paragraphs", []):
        if text:
            d.add_paragraph(text)
    table = doc.get("table")
    if table:
        t = d.add_table(rows=1, cols=len(table["head"]))
        t.style = "Table Grid"
        for cell, text in zip(t.rows[0].cells, table["head"], strict=True):
            cell.text = text
        for row in table["rows"]:
            cells = t.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                cell.text = str(text)
    sign = d.add_table(rows=1, cols=2)
    sign.rows[0].cells[0].text = "Nơi nhận:\n" + "\n".join(f"- {r}" for r in doc.get("recipients", []))
    s = doc.get("signature", {})
    sign.rows[0].cells[1].text = "\n".join(x for x in (s.get("authority"), s.get("role"), "", "", s.get("name")) if x is not None)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()
