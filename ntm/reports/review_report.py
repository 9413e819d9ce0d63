"""The periodic review (sơ kết 6 tháng / tổng kết năm) as an administrative `Document`: the evaluation
and its change, the plan's progress, the resources mobilised, the lessons drawn and the commendations
proposed — from `ntm.plans.documents.review_content` (plain data). No database writes."""

from __future__ import annotations

from decimal import Decimal

from ntm.core.documents import Document, Heading, Paragraph, Row, Table
from ntm.core.text import format_number
from ntm.criteria.spec import LEVEL_LABELS
from ntm.units.models import Unit

from .unit_report import Signing, committee_of, issuer_for, recipients_for, signer_for


def _money(value) -> str:
    return format_number(Decimal(value or 0) / Decimal(1_000_000), 1) + " triệu đồng"


def review_document(unit: Unit, content: dict, signing: Signing | None = None) -> Document:
    """`content` is `review_content(unit, year, kind)`; returns the report to render as PDF or .docx."""
    signing = signing or Signing()
    ev = content["evaluation"]
    year = content["year"]
    subject = content["title"].removeprefix("Báo cáo ").strip()  # the kind line already says "BÁO CÁO"
    subject = subject[0].upper() + subject[1:]
    body: list = [Paragraph(f"{committee_of(unit)} báo cáo {subject[0].lower()}{subject[1:]} "
                            f"(từ {_vi(content['period'][0])} đến {_vi(content['period'][1])}) như sau:", indent=True),
                  Heading("I. KẾT QUẢ THỰC HIỆN BỘ TIÊU CHÍ")]
    if ev["criteria_met"] is None:
        body.append(Paragraph("Chưa có kết quả đánh giá theo bộ tiêu chí cho năm này.", indent=True))
    else:
        change = ""
        if ev["previous_criteria_met"] is not None:
            change = f" (năm trước: {ev['previous_criteria_met']}/{ev['criteria_total']} tiêu chí, " \
                     f"mức {LEVEL_LABELS.get(ev['previous_level'] or '', 'chưa đạt').lower()})"
        body.append(Paragraph(f"Theo số liệu, {unit.full_name} đạt {ev['criteria_met']}/{ev['criteria_total']} tiêu chí; "
                              f"mức đạt: {(ev['label'] or 'chưa đạt').lower()}{change}.", indent=True))
    body.append(Heading("II. TIẾN ĐỘ KẾ HOẠCH"))
    if not content["plans"]:
        body.append(Paragraph("Chưa có kế hoạch được ghi nhận trong kỳ.", indent=True))
    for plan in content["plans"]:
        body.append(Paragraph(f"{plan['title']} — mục tiêu: {plan['target']}.", indent=True))
        rows = [Row((str(i), t["indicator"], t["title"], t["owner"] or "—",
                     ("—" if t["progress"] is None else f"{format_number(100 * t['progress'], 0)}%")
                     + (" (quá hạn)" if t["overdue"] else "")))
                for i, t in enumerate(plan["tasks"], start=1)]
        if rows:
            body.append(Table(columns=("TT", "Chỉ tiêu", "Nhiệm vụ", "Đơn vị thực hiện", "Tiến độ"), rows=rows,
                              widths=(6, 12, 42, 22, 18)))
    body.append(Heading("III. HUY ĐỘNG NGUỒN LỰC"))
    ledger = content["ledger"]
    if not ledger["sources"]:
        body.append(Paragraph("Chưa ghi nhận khoản huy động nào trong kỳ.", indent=True))
    else:
        body.append(Paragraph(f"Tổng giá trị huy động: {_money(ledger['total'])}.", indent=True))
        body.append(Table(columns=("Nguồn", "Giá trị"), rows=[Row((s["label"], _money(s["value"])))
                                                               for s in ledger["sources"]], widths=(65, 35)))
    body.append(Heading("IV. BÀI HỌC KINH NGHIỆM"))
    body.append(Paragraph(content["lessons"] or "(Đơn vị bổ sung trước khi ký.)", indent=True))
    body.append(Heading("V. ĐỀ XUẤT KHEN THƯỞNG"))
    body.append(Paragraph(content["commendations"] or "(Đơn vị bổ sung trước khi ký.)", indent=True))
    return Document(issuer=issuer_for(unit), kind="BÁO CÁO", summary=subject, code="BC",
                    number=signing.number, body=body, recipients=recipients_for(unit, year), signer=signer_for(signing),
                    year=year)


def _vi(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{d}/{m}/{y}"
