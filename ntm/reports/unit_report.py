"""The unit evaluation report ("Báo cáo kết quả thực hiện Bộ tiêu chí … năm …") as an administrative
`Document` (ntm.core.documents): issued by the unit's People's Committee, signed by its chair.

`unit_document(unit, year, data)` takes the scorecard data (ntm.evaluations.scorecard.scorecard)
and returns the description; `render_pdf` / `render_docx` draw it. No database writes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ntm.core.documents import Document, Heading, Issuer, Paragraph, Row, Signer, Table
from ntm.core.text import format_number
from ntm.criteria.spec import LEVEL_LABELS
from ntm.units.models import Unit

CHAIR, DEPUTY = "chu_tich", "pho_chu_tich"
STATUS = {True: "Đạt", False: "Chưa đạt", None: "Thiếu số liệu"}
OPS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": ""}


@dataclass(frozen=True)
class Signing:
    """What the office adds before printing: the registry number, who signs (chair or deputy), the name."""

    number: str = ""
    signer_name: str = ""
    signer: str = CHAIR


def issuing_unit(unit: Unit) -> Unit:
    """A hamlet has no People's Committee: its report is issued by its commune's."""
    if unit.level == Unit.Level.HAMLET and unit.parent is not None:
        return unit.parent
    return unit


def committee_of(unit: Unit) -> str:
    """ "Ủy ban nhân dân xã Thọ Long" (for running text)."""
    return f"Ủy ban nhân dân {unit.kind} {unit.name}"


def issuer_for(unit: Unit) -> Issuer:
    """The People's Committee of the unit: "ỦY BAN NHÂN DÂN" over "XÃ THỌ LONG", place "Thọ Long", symbol UBND."""
    issuing = issuing_unit(unit)
    return Issuer(name=f"ỦY BAN NHÂN DÂN\n{issuing.kind} {issuing.name}".upper(), place=issuing.name, symbol="UBND")


def signer_for(signing: Signing) -> Signer:
    """TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH, or with a deputy: TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH
    (Decree 30, Điều 13: "thay mặt" the collective, "ký thay" the head)."""
    if signing.signer == DEPUTY:
        return Signer(authority=("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"), title="PHÓ CHỦ TỊCH", name=signing.signer_name)
    return Signer(authority=("TM. ỦY BAN NHÂN DÂN",), title="CHỦ TỊCH", name=signing.signer_name)


def recipients_for(unit: Unit, year: int) -> list[str]:
    """Who a report goes to: the level above and its coordination office, then the archive."""
    issuing = issuing_unit(unit)
    out: list[str] = []
    above = issuing.parent
    if issuing.level == Unit.Level.PROVINCE:
        out.append("Văn phòng Điều phối nông thôn mới Trung ương")
    elif above is not None:
        out += [f"UBND {above.kind} {above.name}", f"Văn phòng Điều phối nông thôn mới {above.kind} {above.name}"]
    if issuing.level == Unit.Level.COMMUNE:
        out.append(f"Thường trực Đảng ủy, HĐND {issuing.kind}")
    out.append("Lưu: VT")
    return out


def _with_unit(text: str, unit: str) -> str:
    if not unit or text in ("", "—"):
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def _value(v, kind: str, unit: str) -> str:
    if v is None:
        return "—"
    if kind == "bool":
        return "Đạt" if v else "Không"
    return _with_unit(format_number(v), unit)


MARKS = {"unverified": " (*)", "secondary": " (†)"}


def criteria_table(evaluation: dict) -> tuple[Table, set[str]]:
    """Criteria (strong rows) and their indicators: requirement, value, verdict. Thresholds not
    read in the decision itself are marked: (*) unverified, (†) from a secondary source; a
    criterion whose verdict rests on an unverified threshold is marked (*) too. Also returns the
    trust states marked, for the notes under the table."""
    rows: list[Row] = []
    marked: set[str] = set()
    for c in evaluation["criteria"]:
        verdict = STATUS[c["met"]]
        if c.get("trust") == "unverified" and c["met"] is not None:
            verdict += MARKS["unverified"]
            marked.add("unverified")
        rows.append(Row((c["code"], c["name"], "", f"{c['indicators_met']}/{c['indicators_total']} chỉ tiêu", verdict),
                        strong=True))
        for i in c.get("indicators", []):
            requirement = _value(i["threshold"], i["kind"], i.get("unit") or "")
            if i["kind"] != "bool" and i["threshold"] is not None:
                requirement = f"{OPS.get(i['op'], i['op'])} {requirement}".strip()
            trust = i.get("trust") or ("decision" if i.get("verified", True) else "unverified")
            if trust in MARKS:
                requirement += MARKS[trust]
                marked.add(trust)
            verdict = STATUS[i["met"]]
            if i["met"] is False and i.get("gap") is not None and i["kind"] != "bool":
                verdict += f" (thiếu {format_number(i['gap'])})"
            rows.append(Row((i["code"], i["name"], requirement, _value(i["value"], i["kind"], i.get("unit") or ""), verdict)))
    table = Table(columns=("TT", "Tiêu chí, chỉ tiêu", "Yêu cầu", "Kết quả", "Đánh giá"), rows=rows,
                  widths=(8, 42, 17, 19, 14), align="llrrc")
    return table, marked


def unit_document(unit: Unit, year: int, data: dict, set_info: dict | None = None, signing: Signing | None = None,
                  today: dt.date | None = None) -> Document:
    """The report for one unit and year. data: scorecard(unit, year) (needs data["evaluation"]);
    set_info: {"name", "decision"} of the set evaluated (the set code is used if absent)."""
    signing = signing or Signing()
    today = today or dt.date.today()
    ev = data["evaluation"]
    issuing = issuing_unit(unit)
    subject = "" if issuing == unit else f" của {unit.kind} {unit.name}"
    set_name = (set_info or {}).get("name") or f"Bộ tiêu chí {ev['set']}"
    decision = (set_info or {}).get("decision") or ""
    basis = f"{set_name} ban hành kèm theo Quyết định số {decision}" if decision else set_name
    level = LEVEL_LABELS.get(ev["level"] or "", ev["level"] or "")  # the document is Vietnamese whatever the page's language
    body: list = [
        Paragraph(f"Thực hiện {basis}; căn cứ số liệu năm {year} đã cập nhật trên Hệ thống quản lý xây dựng nông "
                  f"thôn mới, {committee_of(issuing)} báo cáo kết quả thực hiện Bộ tiêu chí năm {year}{subject} "
                  f"như sau:"),
        Heading("I. KẾT QUẢ CHUNG"),
        Paragraph(f"1. Mức đạt chuẩn: {level if ev['level'] else 'chưa đạt chuẩn nông thôn mới'}."),
        Paragraph(f"2. Số tiêu chí đạt: {ev['criteria_met']}/{ev['criteria_total']} tiêu chí."),
    ]
    not_met = [f"{c['code']}. {c['name']}" for c in ev["criteria"] if c["met"] is False]
    missing = [f"{c['code']}. {c['name']}" for c in ev["criteria"] if c["met"] is None]
    n = 3
    if not_met:
        body.append(Paragraph(f"{n}. Tiêu chí chưa đạt: {'; '.join(not_met)}."))
        n += 1
    if missing:
        body.append(Paragraph(f"{n}. Tiêu chí chưa đủ số liệu để đánh giá: {'; '.join(missing)}."))
        n += 1
    nxt = ev.get("next_level")
    if nxt and nxt.get("missing"):
        body.append(Paragraph(f"{n}. Để đạt mức {LEVEL_LABELS.get(nxt['level'], nxt['level'])} còn thiếu tiêu chí: "
                              f"{', '.join(nxt['missing'])}."))
        n += 1
    now = (data.get("rollup") or {}).get("now")
    if now:
        levels = now.get("levels", {})
        body.append(Paragraph(f"{n}. Trên địa bàn có {levels.get('ntm', 0)}/{now.get('units_total', 0)} xã đạt chuẩn "
                              f"nông thôn mới, trong đó {levels.get('nang_cao', 0)} xã đạt chuẩn nâng cao và "
                              f"{levels.get('kieu_mau', 0)} xã đạt chuẩn kiểu mẫu."))
    table, marked = criteria_table(ev)
    body += [Heading("II. KẾT QUẢ TỪNG TIÊU CHÍ, CHỈ TIÊU"), table]
    if "unverified" in marked:
        body.append(Paragraph("(*) Ngưỡng chưa được đối chiếu với văn bản gốc; kết quả tiêu chí có (*) dựa trên ngưỡng "
                              "đó, chưa phải kết luận chắc chắn.", indent=False, italic=True, small=True))
    if "secondary" in marked:
        body.append(Paragraph("(†) Ngưỡng trích từ nguồn thứ cấp, chưa đối chiếu văn bản gốc.", indent=False, italic=True,
                              small=True))
    body.append(Paragraph(f"Kết quả được tính tự động từ số liệu gốc trên Hệ thống quản lý xây dựng nông thôn mới "
                          f"ngày {today:%d/%m/%Y}, không nhập tay.", indent=False, italic=True, small=True))
    body.append(Paragraph(f"Trên đây là báo cáo kết quả thực hiện Bộ tiêu chí năm {year}{subject} của "
                          f"{committee_of(issuing)}./."))
    return Document(
        issuer=issuer_for(unit), kind="BÁO CÁO",
        summary=f"Kết quả thực hiện Bộ tiêu chí nông thôn mới năm {year}{subject}",
        code="BC", number=signing.number, date=today,
        body=body, recipients=recipients_for(unit, year), signer=signer_for(signing),
    )
