"""PDF report of a unit's evaluation for a year, laid out like an administrative document
(Decree 30/2020: Times New Roman → Liberation Serif, its metric-compatible free font)."""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string


def scorecard_pdf(context: dict) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango costs time the pages do not need

    html = render_to_string("reports/scorecard_pdf.html", {**context, "today": dt.date.today()})
    return HTML(string=html).write_pdf()
