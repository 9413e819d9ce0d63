"""The documents of a dossier NTM can fill from its data: tờ trình, báo cáo kết quả (with the
per-criterion table), the council's summary (biên bản thẩm định) and the draft decision.

Each is a `ntm.core.documents.Document` (the Decree 30/2020 layout, rendered as PDF and .docx by
`render_pdf`/`render_docx`/`respond`); the number is left as "…" for the registry and the date is the
day of printing unless given. Every builder: `(dossier, day=None) -> Document`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ntm.core.documents import Document, Issuer, Paragraph, Signer, Table
from ntm.criteria.spec import LEVEL_LABELS

from . import services, workflow
from .models import Dossier

MET = {True: "Đạt", False: "Không đạt", None: "Thiếu số liệu"}
NUMBER = "…"  # for the registry to fill in
RECIPIENTS = ["Như trên", "Lưu: VT"]


def _place(dossier: Dossier) -> str:
    unit = dossier.unit
    return unit.province.name if unit.province else unit.name


def _level(dossier: Dossier) -> str:
    return LEVEL_LABELS.get(dossier.level, dossier.level)


def _criteria_table(dossier: Dossier) -> list[Table]:
    """The per-criterion table (self-assessment, appraisal) as the body's last block; none without a
    target set."""
    target = services.target_set(dossier.snapshot, dossier.level)
    if not target:
        return []
    appraisal = getattr(dossier, "appraisal", None)
    verdicts = {v.criterion: v for v in appraisal.verdicts.all()} if appraisal else {}
    rows = []
    for i, (code, name, met) in enumerate(target["criteria"], start=1):
        v = verdicts.get(code)
        rows.append((str(i), f"{code}. {name}", MET[met], ("Đạt" if v.met else "Không đạt") if v else ""))
    return [Table(columns=("TT", "Tiêu chí", "Tự đánh giá", "Thẩm định"), rows=rows, widths=(1, 8, 3, 3),
                  align="llcc")]


def _commune_issuer(dossier: Dossier) -> Issuer:
    return Issuer(name=f"UBND {dossier.unit.full_name.upper()}", place=_place(dossier), symbol="UBND")


def _commune_signer() -> Signer:
    return Signer(authority=("TM. ỦY BAN NHÂN DÂN",), title="CHỦ TỊCH")


def to_trinh(dossier: Dossier, day: dt.date | None = None) -> Document:
    """The commune's submission proposing recognition."""
    unit, snap = dossier.unit, dossier.snapshot
    survey = getattr(dossier, "survey", None)
    paragraphs = [
        f"Căn cứ kết quả tự đánh giá năm {dossier.year}: đạt {snap.criteria_met}/{snap.criteria_total} tiêu chí "
        f"(bộ tiêu chí {snap.set_code}, phiên bản {snap.set_version})." if snap else "Chưa tự đánh giá.",
        f"Kết quả khảo sát sự hài lòng: {survey.households_satisfied}/{survey.households_answered} hộ hài lòng "
        f"({(survey.rate or 0):.1%}).".replace(".", ",", 1) if survey else "Chưa có kết quả khảo sát.",
        "Không còn nợ đọng xây dựng cơ bản trong xây dựng nông thôn mới." if dossier.no_debt else
        "Nợ đọng xây dựng cơ bản: chưa kê khai.",
        f"UBND {unit.full_name} kính đề nghị xem xét, thẩm định và công nhận.",
    ]
    return Document(
        issuer=_commune_issuer(dossier), kind="TỜ TRÌNH", code="TTr", number=NUMBER, date=day or dt.date.today(),
        summary=f"Đề nghị xét, công nhận {unit.full_name} đạt chuẩn {_level(dossier)} năm {dossier.year}",
        body=[*(Paragraph(p) for p in paragraphs), *_criteria_table(dossier)],
        recipients=RECIPIENTS, signer=_commune_signer())


def bao_cao_ket_qua(dossier: Dossier, day: dt.date | None = None) -> Document:
    """The results report: the submission's findings, the public consultation, the per-criterion table."""
    doc = to_trinh(dossier, day)
    doc.kind, doc.code = "BÁO CÁO", "BC"
    doc.summary = f"Kết quả thực hiện xây dựng {_level(dossier)} năm {dossier.year}"
    consultation = getattr(dossier, "consultation", None)
    if consultation:
        doc.body.insert(1, Paragraph(
            f"Báo cáo đã niêm yết tại {consultation.posted_at} từ ngày {consultation.opened_on:%d/%m/%Y}, đọc trên "
            f"loa {consultation.readings.count()} lần; {consultation.comments.count()} ý kiến bằng văn bản của MTTQ "
            f"và các tổ chức."))
    return doc


def council_summary(dossier: Dossier, day: dt.date | None = None) -> Document:
    """Minutes of the appraisal council: members, per-criterion verdicts, the ballot."""
    appraisal = getattr(dossier, "appraisal", None)
    province = dossier.unit.province
    paragraphs = [f"Thành viên: {', '.join(appraisal.members)}.",
                  f"Kết quả bỏ phiếu: {appraisal.votes_for} tán thành, {appraisal.votes_against} không tán thành.",
                  appraisal.conclusion] if appraisal else []
    return Document(
        issuer=Issuer(name="HỘI ĐỒNG THẨM ĐỊNH", parent=f"UBND TỈNH {province.name.upper()}" if province else "",
                      place=_place(dossier), symbol="HĐTĐ"),
        kind="BIÊN BẢN", code="BB", number=NUMBER, date=day or dt.date.today(),
        summary=f"Họp thẩm định hồ sơ đề nghị công nhận {dossier.unit.full_name}",
        body=[*(Paragraph(p) for p in paragraphs if p), *_criteria_table(dossier)],
        recipients=RECIPIENTS, signer=Signer(authority=("HỘI ĐỒNG THẨM ĐỊNH",), title="CHỦ TỊCH HỘI ĐỒNG"))


def draft_decision(dossier: Dossier, day: dt.date | None = None) -> Document:
    """The recognition decision for the authority the rules name: marked "DỰ THẢO" until the dossier
    is recognised; then with the decision's number ("123/QĐ-UBND") and signer."""
    day = day or dt.date.today()
    office = services.load().authority(dossier.unit.level, day)
    rec = dossier.recognitions.first()
    number, _, symbol = rec.decision_number.partition("/") if rec else (NUMBER, "", "")
    level, name = _level(dossier), dossier.unit.full_name
    return Document(
        issuer=Issuer(name=office.body.upper(), place=_place(dossier), symbol=symbol or office.symbol),
        kind="QUYẾT ĐỊNH", code="", number=number, date=day,
        summary=f"Về việc công nhận {name} đạt chuẩn {level} năm {dossier.year}",
        body=[Paragraph("Căn cứ Quyết định số 18/2022/QĐ-TTg ngày 02/8/2022 của Thủ tướng Chính phủ;"),
              Paragraph("Căn cứ kết quả thẩm định của Hội đồng thẩm định;"),
              Paragraph(f"Điều 1. Công nhận {name} đạt chuẩn {level} năm {dossier.year}."),
              Paragraph("Điều 2. Quyết định có hiệu lực kể từ ngày ký.")],
        recipients=RECIPIENTS, signer=Signer(title=office.signer_role.upper(), name=rec.signer_name if rec else ""),
        draft=dossier.state not in (workflow.RECOGNISED, workflow.ANNOUNCED))


DOCUMENTS: dict[str, Callable[..., Document]] = {
    "to_trinh": to_trinh, "bao_cao_ket_qua": bao_cao_ket_qua, "bien_ban": council_summary,
    "quyet_dinh": draft_decision}
