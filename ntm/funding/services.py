"""The only code that writes the ledger and its companions: atomic, scoped (`funding.edit`,
`funding.settings`, `funding.supervise`), validated by `ledger.py` with the data's rules, audited.
Ledger entries are never edited: `reverse()` writes the opposite entry. `user=None` is the system
(demo loaders) and skips the scope check."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ntm.accounts.audit import record
from ntm.accounts.scope import can
from ntm.core.text import parse_vi_number
from ntm.units.models import Unit

from . import ledger
from .config import rules
from .models import (
    Board,
    BoardMember,
    Ceiling,
    CommunityProject,
    Contribution,
    Contributor,
    Disclosure,
    Expenditure,
    Inspection,
    ProjectType,
    Request,
    ResidentDecision,
)

EDIT, SETTINGS, SUPERVISE = "funding.edit", "funding.settings", "funding.supervise"


def _check(user, unit: Unit, action: str) -> None:
    if user is None:
        return
    if not can(user, unit, action):
        raise PermissionDenied(f"Bạn không có quyền ghi dữ liệu nguồn lực của {unit.full_name}")


def number(raw, label: str, *, whole: bool = False) -> Decimal | None:
    """A Vietnamese-typed number ("1.234,5") or a number; ValidationError naming the field."""
    if raw is None or raw == "":
        return None
    try:
        value = raw if isinstance(raw, Decimal) else (Decimal(str(raw)) if isinstance(raw, (int, float)) else parse_vi_number(raw))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(f"{label}: “{raw}” không phải là số") from exc
    if value is None:
        raise ValidationError(f"{label}: “{raw}” không phải là số")
    return value.quantize(Decimal(1)) if whole else value


def ceiling_for(unit: Unit, year: int) -> Decimal | None:
    province = unit if unit.level == Unit.Level.PROVINCE else unit.province
    row = Ceiling.objects.filter(province=province, year_from__lte=year).order_by("-year_from").first()
    return row.amount if row else None


# --- province settings -------------------------------------------------------------------------

@transaction.atomic
def set_ceiling(user, province: Unit, year_from: int, amount, decision: str = "") -> Ceiling:
    _check(user, province, SETTINGS)
    if province.level != Unit.Level.PROVINCE:
        raise ValidationError("Mức trần đóng góp do tỉnh quy định")
    value = number(amount, "Mức trần", whole=True)
    if value is None or value <= 0:
        raise ValidationError("Mức trần: phải lớn hơn 0")
    row, _ = Ceiling.objects.update_or_create(province=province, year_from=year_from,
                                              defaults={"amount": value, "decision": decision})
    record(user, "funding.ceiling", row, after={"year_from": year_from, "amount": str(value)})
    return row


@transaction.atomic
def set_project_type(user, province: Unit, code: str, name: str, decision: str = "") -> ProjectType:
    _check(user, province, SETTINGS)
    if province.level != Unit.Level.PROVINCE:
        raise ValidationError("Danh mục loại dự án do tỉnh ban hành")
    row, _ = ProjectType.objects.update_or_create(province=province, code=code, defaults={"name": name, "decision": decision})
    record(user, "funding.project_type", row, after={"code": code, "name": name})
    return row


# --- contributors, residents' decisions --------------------------------------------------------

@transaction.atomic
def save_contributor(user, unit: Unit, name: str, kind: str = Contributor.Kind.HOUSEHOLD, *, exemption: str = "",
                     public_consent: bool = False, hamlet: Unit | None = None) -> Contributor:
    _check(user, unit, EDIT)
    name = (name or "").strip()
    if not name:
        raise ValidationError("Tên người đóng góp: không được để trống")
    if kind not in Contributor.Kind.values:
        raise ValidationError(f"Loại người đóng góp “{kind}” không hợp lệ")
    if exemption and exemption not in rules().exemptions:
        raise ValidationError(f"Diện miễn “{exemption}” không có trong danh mục")
    if exemption and kind != Contributor.Kind.HOUSEHOLD:
        raise ValidationError("Diện miễn chỉ áp dụng cho hộ gia đình")
    row = Contributor.objects.create(unit=unit, name=name, kind=kind, exemption=exemption, public_consent=public_consent,
                                     hamlet=hamlet)
    record(user, "funding.contributor", row, after={"kind": kind, "exemption": exemption, "consent": public_consent})
    return row


@transaction.atomic
def record_decision(user, unit: Unit, *, subject: str, meeting_date: dt.date, eligible: int, attendance: int,
                    agreeing: int, per_household=None) -> ResidentDecision:
    """Store a residents' meeting. It is stored even when the share agreeing is too low (the record
    of the meeting stays), with `passed=False`: no community contribution can rest on it."""
    _check(user, unit, EDIT)
    if not (subject or "").strip():
        raise ValidationError("Nội dung cuộc họp: không được để trống")
    errors = ledger.decision_errors(attendance=attendance, eligible=eligible, agreeing=agreeing, rules=rules())
    structural = [e for e in errors if not e.startswith("Chỉ ")]
    if structural:
        raise ValidationError(structural)
    amount = number(per_household, "Mức đóng góp mỗi hộ", whole=True)
    row = ResidentDecision.objects.create(
        unit=unit, subject=subject.strip(), meeting_date=meeting_date, eligible=eligible, attendance=attendance,
        agreeing=agreeing, per_household=amount, passed=not errors,
        over_ceiling=ledger.over_ceiling(amount, ceiling_for(unit, meeting_date.year)))
    record(user, "funding.decision", row, after={"eligible": eligible, "attendance": attendance, "agreeing": agreeing,
                                                  "passed": row.passed, "per_household": str(amount) if amount else None})
    return row


# --- the ledger ---------------------------------------------------------------------------------

@dataclass
class EntryInput:
    """One entry to write (from a form, an import row or the demo)."""

    source: str
    date: dt.date
    amount: object = None
    quantity: object = None
    rate: object = None
    contributor: Contributor | None = None
    project: CommunityProject | None = None
    task: object = None  # plans.Task
    work: str = ""
    decision: ResidentDecision | None = None
    obligation: bool = False
    note: str = ""


def check_entry(unit: Unit, e: EntryInput) -> tuple[list[str], dict]:
    """Every reason `e` may not be written (empty: it may), and the cleaned values."""
    errors: list[str] = []
    clean: dict = {}
    try:
        clean["amount"] = number(e.amount, "Số tiền", whole=True)
        clean["quantity"] = number(e.quantity, "Số lượng")
        clean["rate"] = number(e.rate, "Đơn giá quy đổi", whole=True)
    except ValidationError as exc:
        return exc.messages, clean
    for name in ("amount", "quantity"):
        if clean[name] is not None and clean[name] <= 0:
            errors.append(f"{'Số tiền' if name == 'amount' else 'Số lượng'}: phải lớn hơn 0 (sửa sai bằng bút toán đảo)")
    if e.contributor is not None and e.contributor.unit_id != unit.pk:
        errors.append("Người đóng góp không thuộc đơn vị này")
    if e.project is not None and e.project.unit_id != unit.pk:
        errors.append("Dự án không thuộc đơn vị này")
    if e.task is not None and e.task.plan.unit_id != unit.pk:
        errors.append("Nhiệm vụ không thuộc kế hoạch của đơn vị này")
    if e.decision is not None and e.decision.unit_id != unit.pk:
        errors.append("Cuộc họp dân không thuộc đơn vị này")
    errors += ledger.contribution_errors(
        source=e.source, rules=rules(), decision_ok=None if e.decision is None else e.decision.passed,
        obligation=e.obligation, exemption=e.contributor.exemption if e.contributor else "",
        amount=clean["amount"], quantity=clean["quantity"], rate=clean["rate"])
    return errors, clean


def _flag(unit: Unit, e: EntryInput, clean: dict) -> str:
    if not e.obligation:
        return ""
    amount = clean.get("amount")
    if amount is None and clean.get("quantity") is not None and clean.get("rate") is not None:
        amount = clean["quantity"] * clean["rate"]
    ceiling = ceiling_for(unit, e.date.year)
    if ledger.over_ceiling(amount, ceiling):
        return f"Mức đóng góp của hộ ({amount:,.0f} đồng) vượt mức trần của tỉnh ({ceiling:,.0f} đồng)".replace(",", ".")
    return ""


class EntryRefused(ValidationError):
    """Entries refused; `errors` lists every reason (with the row when several were written)."""

    def __init__(self, errors: list[str]):
        super().__init__(errors)
        self.errors = errors


@transaction.atomic
def add_entries(user, unit: Unit, entries: list[EntryInput], *, where: list[str] | None = None) -> list[Contribution]:
    """Write several entries all-or-nothing; EntryRefused lists every error (prefixed by `where[i]`)."""
    _check(user, unit, EDIT)
    errors, cleaned = [], []
    for i, e in enumerate(entries):
        errs, clean = check_entry(unit, e)
        prefix = f"{where[i]}: " if where else ""
        errors += [prefix + m for m in errs]
        cleaned.append(clean)
    if errors:
        raise EntryRefused(errors)
    rows = []
    for e, clean in zip(entries, cleaned, strict=True):
        value = ledger.value_of(ledger.Entry(e.source, e.date.year, clean["amount"], clean["quantity"], clean["rate"]))
        row = Contribution.objects.create(
            unit=unit, year=e.date.year, date=e.date, source=e.source, amount=clean["amount"], quantity=clean["quantity"],
            rate=clean["rate"], value=value, contributor=e.contributor, project=e.project, task=e.task, work=e.work,
            decision=e.decision, obligation=e.obligation, flagged=_flag(unit, e, clean), note=e.note,
            created_by=user if getattr(user, "is_authenticated", False) else None)
        record(user, "funding.contribute", row, after=_snapshot(row))
        rows.append(row)
    return rows


def add_entry(user, unit: Unit, entry: EntryInput) -> Contribution:
    return add_entries(user, unit, [entry])[0]


@transaction.atomic
def reverse(user, entry: Contribution, reason: str) -> Contribution:
    """Correct an entry by writing its opposite (same source, unit, links; negative amount/quantity).
    An entry can be reversed once; a reversing entry cannot itself be reversed."""
    _check(user, entry.unit, EDIT)
    if not (reason or "").strip():
        raise ValidationError("Cần ghi lý do đảo bút toán")
    if entry.reverses_id is not None:
        raise ValidationError("Đây là bút toán đảo: không đảo lại được, hãy ghi khoản đúng")
    if Contribution.objects.filter(reverses=entry).exists():
        raise ValidationError("Khoản này đã được đảo")
    neg = lambda v: None if v is None else -v  # noqa: E731
    today = dt.date.today()
    row = Contribution.objects.create(
        unit=entry.unit, year=entry.year, date=max(today, entry.date) if today.year == entry.year else entry.date,
        source=entry.source, amount=neg(entry.amount), quantity=neg(entry.quantity), rate=entry.rate,
        value=-entry.value, contributor=entry.contributor, project=entry.project, task=entry.task, work=entry.work,
        decision=entry.decision, obligation=entry.obligation, reverses=entry, note=f"Đảo bút toán: {reason.strip()}",
        created_by=user if getattr(user, "is_authenticated", False) else None)
    record(user, "funding.reverse", row, before=_snapshot(entry), after=_snapshot(row))
    return row


def _snapshot(row: Contribution) -> dict:
    return {"source": row.source, "date": str(row.date), "amount": None if row.amount is None else str(row.amount),
            "quantity": None if row.quantity is None else str(row.quantity),
            "rate": None if row.rate is None else str(row.rate), "value": str(row.value),
            "contributor": row.contributor_id, "project": row.project_id, "task": row.task_id}


@transaction.atomic
def add_expenditure(user, unit: Unit, *, source: str, date: dt.date, amount, project: CommunityProject | None = None,
                    work: str = "") -> Expenditure:
    _check(user, unit, EDIT)
    if rules().source(source) is None:
        raise ValidationError(f"Nguồn “{source}” không có trong danh mục nguồn lực")
    value = number(amount, "Số tiền", whole=True)
    if value is None or value <= 0:
        raise ValidationError("Số tiền chi: phải lớn hơn 0")
    if project is not None and project.unit_id != unit.pk:
        raise ValidationError("Dự án không thuộc đơn vị này")
    row = Expenditure.objects.create(unit=unit, year=date.year, date=date, source=source, amount=value, project=project,
                                     work=work)
    record(user, "funding.spend", row, after={"source": source, "amount": str(value), "project": row.project_id})
    return row


@transaction.atomic
def disclose(user, unit: Unit, *, year: int, date: dt.date, place: str, note: str = "") -> Disclosure:
    """Record a public disclosure (date and place): the public page then shows the year's entries
    dated on or before it."""
    _check(user, unit, EDIT)
    if not (place or "").strip():
        raise ValidationError("Nơi công khai: không được để trống")
    if date.year < year:
        raise ValidationError("Ngày công khai không thể trước năm được công khai")
    row = Disclosure.objects.create(unit=unit, year=year, date=date, place=place.strip(), note=note)
    record(user, "funding.disclose", row, after={"year": year, "date": str(date), "place": row.place})
    return row


# --- community projects and supervision boards -------------------------------------------------

@transaction.atomic
def create_project(user, unit: Unit, *, name: str, type: ProjectType, total, start: dt.date | None = None,
                   end: dt.date | None = None, status: str = CommunityProject.Status.PREPARING) -> CommunityProject:
    _check(user, unit, EDIT)
    value = number(total, "Tổng mức đầu tư", whole=True) or Decimal(0)
    listed = type.province_id == (unit.province_id if unit.level != Unit.Level.PROVINCE else unit.pk)
    errors = ledger.project_errors(total=value, type_listed=listed, unit_level=unit.level, rules=rules())
    if not (name or "").strip():
        errors.insert(0, "Tên dự án: không được để trống")
    if errors:
        raise ValidationError(errors)
    row = CommunityProject.objects.create(unit=unit, name=name.strip(), type=type, total=value, start=start, end=end,
                                          status=status)
    record(user, "funding.project", row, after={"name": row.name, "total": str(value), "type": type.code})
    return row


@transaction.atomic
def elect_board(user, project: CommunityProject, *, elected_on: dt.date, meeting: str,
                members: list[tuple[str, str]]) -> Board:
    """The board elected by the residents with its members [(name, role)], checked against §2.4."""
    _check(user, project.unit, EDIT)
    errors = ledger.board_errors([role for _n, role in members], rules())
    bad = [role for _n, role in members if role not in BoardMember.Role.values]
    if bad:
        errors.append(f"Vai trò không hợp lệ: {', '.join(bad)}")
    if not members:
        errors.append("Ban giám sát cần ít nhất một thành viên")
    if hasattr(project, "board"):
        errors.append("Dự án đã có ban giám sát")
    if errors:
        raise ValidationError(errors)
    board = Board.objects.create(project=project, elected_on=elected_on, meeting=meeting)
    for name, role in members:
        BoardMember.objects.create(board=board, name=name, role=role)
    record(user, "funding.board", board, after={"members": [list(m) for m in members], "elected_on": str(elected_on)})
    return board


@transaction.atomic
def add_board_member(user, board: Board, name: str, role: str) -> BoardMember:
    _check(user, board.project.unit, EDIT)
    errors = ledger.board_errors([*board.members.values_list("role", flat=True), role], rules())
    if errors:
        raise ValidationError(errors)
    row = BoardMember.objects.create(board=board, name=name, role=role)
    record(user, "funding.board_member", row, after={"name": name, "role": role})
    return row


@transaction.atomic
def inspect(user, board: Board, *, date: dt.date, content: str, findings: str = "") -> Inspection:
    _check(user, board.project.unit, SUPERVISE)
    if not (content or "").strip():
        raise ValidationError("Nội dung giám sát: không được để trống")
    row = Inspection.objects.create(board=board, date=date, content=content.strip(), findings=findings)
    record(user, "funding.inspect", row, after={"date": str(date)})
    return row


@transaction.atomic
def make_request(user, inspection: Inspection, *, text: str, addressed_to: str) -> Request:
    _check(user, inspection.board.project.unit, SUPERVISE)
    if not (text or "").strip():
        raise ValidationError("Nội dung kiến nghị: không được để trống")
    row = Request.objects.create(inspection=inspection, text=text.strip(), addressed_to=addressed_to)
    record(user, "funding.request", row, after={"addressed_to": addressed_to})
    return row


@transaction.atomic
def follow_up(user, request_row: Request, *, response: str, resolved_on: dt.date | None = None) -> Request:
    _check(user, request_row.inspection.board.project.unit, EDIT)
    before = {"response": request_row.response, "resolved_on": str(request_row.resolved_on or "")}
    request_row.response = response
    request_row.resolved_on = resolved_on
    request_row.save()
    record(user, "funding.follow_up", request_row, before=before,
           after={"response": response, "resolved_on": str(resolved_on or "")})
    return request_row
