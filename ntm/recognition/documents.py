"""The documents of a dossier NTM can fill from its data, as plain content (no rendering here):
tờ trình, báo cáo kết quả (with the per-criterion table), the council's summary (biên bản thẩm định),
and the draft decision. A view in `reports` renders them in the administrative-document layout
(Decree 30/2020) as PDF and .docx; lower layers may not import `ntm.reports`.

Shape of every document: {"kind", "issuer": [lines], "number", "place_date", "title", "subject",
"paragraphs": [str], "table": {"head": [...], "rows": [[...]]} | None, "signature": {"authority",
"role", "name"}, "recipients": [str]}.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ntm.criteria.spec import LEVEL_LABELS

from . import services, workflow
from .models import Dossier

MET = {True: "Đạt", False: "Không đạt", None: "Thiếu số liệu"}


def _place_date(unit, day: dt.date) -> str:
    place = unit.province.name if unit.province else unit.name
    return f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def _criteria_table(dossier: Dossier) -> dict[str, Any] | None:
    target = services.target_set(dossier.snapshot, dossier.level)
    if not target:
        return None
    appraisal = getattr(dossier, "appraisal", None)
    verdicts = {v.criterion: v for v in appraisal.verdicts.all()} if appraisal else {}
    rows = []
    for i, (code, name, met) in enumerate(target["criteria"], start=1):
        v = verdicts.get(code)
        rows.append([str(i), f"{code}. {name}", MET[met], ("Đạt" if v.met else "Không đạt") if v else ""])
    return {"head": ["TT", "Tiêu chí", "Tự đánh giá", "Thẩm định"], "rows": rows}


def _base(dossier: Dossier, kind: str, title: str, day: dt.date) -> dict[str, Any]:
    unit = dossier.unit
    return {"kind": kind, "number": "", "place_date": _place_date(unit, day), "title": title,
            "subject": f"{LEVEL_LABELS.get(dossier.level, dossier.level)} năm {dossier.year} — {unit.full_name}",
            "paragraphs": [], "table": None, "recipients": ["Như trên;", "Lưu: VT."]}


def to_trinh(dossier: Dossier, day: dt.date | None = None) -> dict[str, Any]:
    """The commune's submission proposing recognition."""
    day = day or dt.date.today()
    unit = dossier.unit
    doc = _base(dossier, "to_trinh", "TỜ TRÌNH", day)
    survey = getattr(dossier, "survey", None)
    snap = dossier.snapshot
    doc["issuer"] = [f"UBND {unit.full_name.upper()}"]
    doc["number"] = "…/TTr-UBND"
    doc["subject"] = f"Đề nghị xét, công nhận {unit.full_name} đạt chuẩn {LEVEL_LABELS.get(dossier.level, '')} năm {dossier.year}"
    doc["paragraphs"] = [
        f"Căn cứ kết quả tự đánh giá năm {dossier.year}: đạt {snap.criteria_met}/{snap.criteria_total} tiêu chí "
        f"(bộ tiêu chí {snap.set_code}, phiên bản {snap.set_version})." if snap else "Chưa tự đánh giá.",
        f"Kết quả khảo sát sự hài lòng: {survey.households_satisfied}/{survey.households_answered} hộ hài lòng "
        f"({(survey.rate or 0):.1%}).".replace(".", ",", 1) if survey else "Chưa có kết quả khảo sát.",
        "Không còn nợ đọng xây dựng cơ bản trong xây dựng nông thôn mới." if dossier.no_debt else
        "Nợ đọng xây dựng cơ bản: chưa kê khai.",
        f"UBND {unit.full_name} kính đề nghị xem xét, thẩm định và công nhận.",
    ]
    doc["table"] = _criteria_table(dossier)
    doc["signature"] = {"authority": "TM. ỦY BAN NHÂN DÂN", "role": "CHỦ TỊCH", "name": ""}
    return doc


def bao_cao_ket_qua(dossier: Dossier, day: dt.date | None = None) -> dict[str, Any]:
    """The results report with the per-criterion table."""
    day = day or dt.date.today()
    doc = to_trinh(dossier, day)
    doc.update(kind="bao_cao_ket_qua", title="BÁO CÁO", number="…/BC-UBND",
               subject=f"Kết quả thực hiện xây dựng {LEVEL_LABELS.get(dossier.level, '')} năm {dossier.year}")
    consultation = getattr(dossier, "consultation", None)
    if consultation:
        doc["paragraphs"].insert(1, f"Báo cáo đã niêm yết tại {consultation.posted_at} từ ngày "
                                    f"{consultation.opened_on:%d/%m/%Y}, đọc trên loa {consultation.readings.count()} lần; "
                                    f"{consultation.comments.count()} ý kiến bằng văn bản của MTTQ và các tổ chức.")
    return doc


def council_summary(dossier: Dossier, day: dt.date | None = None) -> dict[str, Any]:
    """Minutes of the appraisal council: members, per-criterion verdicts, the ballot."""
    day = day or dt.date.today()
    appraisal = getattr(dossier, "appraisal", None)
    doc = _base(dossier, "bien_ban", "BIÊN BẢN", day)
    doc["issuer"] = ["UBND TỈNH " + (dossier.unit.province.name.upper() if dossier.unit.province else ""),
                     "HỘI ĐỒNG THẨM ĐỊNH"]
    doc["subject"] = f"Họp thẩm định hồ sơ đề nghị công nhận {dossier.unit.full_name}"
    if appraisal:
        doc["paragraphs"] = [f"Thành viên: {', '.join(appraisal.members)}.",
                             f"Kết quả bỏ phiếu: {appraisal.votes_for} tán thành, {appraisal.votes_against} không tán thành.",
                             appraisal.conclusion or ""]
    doc["table"] = _criteria_table(dossier)
    doc["signature"] = {"authority": "HỘI ĐỒNG THẨM ĐỊNH", "role": "CHỦ TỊCH HỘI ĐỒNG", "name": ""}
    return doc


def draft_decision(dossier: Dossier, day: dt.date | None = None) -> dict[str, Any]:
    """The draft recognition decision, for the authority the rules name."""
    day = day or dt.date.today()
    office = services.load().authority(dossier.unit.level, day)
    rec = dossier.recognitions.first()
    doc = _base(dossier, "quyet_dinh", "QUYẾT ĐỊNH", day)
    doc["issuer"] = [office.body.upper()]
    doc["number"] = rec.decision_number if rec else f"…/{office.symbol}"
    doc["subject"] = (f"Về việc công nhận {dossier.unit.full_name} đạt chuẩn "
                      f"{LEVEL_LABELS.get(dossier.level, '')} năm {dossier.year}")
    doc["paragraphs"] = [
        "Căn cứ Quyết định số 18/2022/QĐ-TTg ngày 02/8/2022 của Thủ tướng Chính phủ;",
        "Căn cứ kết quả thẩm định của Hội đồng thẩm định;",
        f"Điều 1. Công nhận {dossier.unit.full_name} đạt chuẩn {LEVEL_LABELS.get(dossier.level, '')} năm {dossier.year}.",
        "Điều 2. Quyết định có hiệu lực kể từ ngày ký.",
    ]
    doc["signature"] = {"authority": "", "role": office.signer_role.upper(), "name": rec.signer_name if rec else ""}
    doc["draft"] = dossier.state not in (workflow.RECOGNISED, workflow.ANNOUNCED)
    return doc


DOCUMENTS = {"to_trinh": to_trinh, "bao_cao_ket_qua": bao_cao_ket_qua, "bien_ban": council_summary,
             "quyet_dinh": draft_decision}
