"""The dossier workflow, pure (no ORM): states, the table of moves, and the guards.

States follow program-rules.md §1.3 and §7.1: draft → self-assessed (evaluation and figures frozen)
→ consultation (posted, read on the loudspeakers) → Front comments closed → survey → submitted →
verified → appraised → recognised | refused → announced. Verification and appraisal may return a
dossier for changes; the commune then resubmits (or self-assesses again).

`TABLE[(state, action)] = (next state, scope action)`: the scope action ("recognition.prepare"…)
is the role-action the user must hold on the unit (declared in RecognitionConfig.actions).
Guards take plain facts (`Facts`) and return Vietnamese reasons why a move is blocked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# --- states --------------------------------------------------------------------------------------
DRAFT = "draft"
SELF_ASSESSED = "self_assessed"
CONSULTING = "consulting"
COMMENTED = "commented"
SURVEYED = "surveyed"
SUBMITTED = "submitted"
VERIFIED = "verified"
APPRAISED = "appraised"
RETURNED = "returned"
RECOGNISED = "recognised"
REFUSED = "refused"
ANNOUNCED = "announced"
CANCELLED = "cancelled"

STATES = {
    DRAFT: "Dự thảo",
    SELF_ASSESSED: "Đã tự đánh giá",
    CONSULTING: "Đang lấy ý kiến",
    COMMENTED: "Đã có ý kiến MTTQ, đoàn thể",
    SURVEYED: "Đã khảo sát sự hài lòng",
    SUBMITTED: "Đã nộp hồ sơ",
    VERIFIED: "Đã thẩm tra",
    APPRAISED: "Đã thẩm định",
    RETURNED: "Trả lại để hoàn thiện",
    RECOGNISED: "Đã có quyết định công nhận",
    REFUSED: "Không công nhận",
    ANNOUNCED: "Đã công bố",
    CANCELLED: "Đã hủy",
}
CLOSED = frozenset({REFUSED, CANCELLED})  # a dossier in these states no longer blocks a new one
FINAL = frozenset({REFUSED, CANCELLED, ANNOUNCED})

# --- actions -------------------------------------------------------------------------------------
SELF_ASSESS = "self_assess"
OPEN_CONSULTATION = "open_consultation"
CLOSE_CONSULTATION = "close_consultation"
RECORD_SURVEY = "record_survey"
SUBMIT = "submit"
VERIFY = "verify"
APPRAISE = "appraise"
RETURN = "return"
RESUBMIT = "resubmit"
RECOGNISE = "recognise"
REFUSE = "refuse"
ANNOUNCE = "announce"
CANCEL = "cancel"

ACTIONS = {
    SELF_ASSESS: "Tự đánh giá (chốt số liệu)",
    OPEN_CONSULTATION: "Công khai, lấy ý kiến nhân dân",
    CLOSE_CONSULTATION: "Kết thúc lấy ý kiến (MTTQ, đoàn thể đã góp ý bằng văn bản)",
    RECORD_SURVEY: "Ghi kết quả khảo sát sự hài lòng",
    SUBMIT: "Nộp hồ sơ đề nghị công nhận",
    VERIFY: "Thẩm tra hồ sơ",
    APPRAISE: "Thẩm định, bỏ phiếu",
    RETURN: "Trả lại để hoàn thiện",
    RESUBMIT: "Nộp lại hồ sơ",
    RECOGNISE: "Quyết định công nhận",
    REFUSE: "Không công nhận",
    ANNOUNCE: "Công bố, trao bằng công nhận",
    CANCEL: "Hủy hồ sơ",
}

# Scope actions (role-actions on the unit), declared in RecognitionConfig.actions.
PREPARE = "recognition.prepare"
CONSULT = "recognition.consult"
SURVEY = "recognition.survey"
DO_VERIFY = "recognition.verify"
DO_APPRAISE = "recognition.appraise"
DECIDE = "recognition.decide"
DO_ANNOUNCE = "recognition.announce"

TABLE: dict[tuple[str, str], tuple[str, str]] = {
    (DRAFT, SELF_ASSESS): (SELF_ASSESSED, PREPARE),
    (DRAFT, CANCEL): (CANCELLED, PREPARE),
    (SELF_ASSESSED, SELF_ASSESS): (SELF_ASSESSED, PREPARE),
    (SELF_ASSESSED, OPEN_CONSULTATION): (CONSULTING, PREPARE),
    (SELF_ASSESSED, CANCEL): (CANCELLED, PREPARE),
    (CONSULTING, CLOSE_CONSULTATION): (COMMENTED, CONSULT),
    (COMMENTED, RECORD_SURVEY): (SURVEYED, SURVEY),
    (SURVEYED, SUBMIT): (SUBMITTED, PREPARE),
    (SUBMITTED, VERIFY): (VERIFIED, DO_VERIFY),
    (SUBMITTED, RETURN): (RETURNED, DO_VERIFY),
    (VERIFIED, APPRAISE): (APPRAISED, DO_APPRAISE),
    (VERIFIED, RETURN): (RETURNED, DO_APPRAISE),
    (APPRAISED, RECOGNISE): (RECOGNISED, DECIDE),
    (APPRAISED, REFUSE): (REFUSED, DECIDE),
    (APPRAISED, RETURN): (RETURNED, DECIDE),
    (RETURNED, RESUBMIT): (SUBMITTED, PREPARE),
    (RETURNED, SELF_ASSESS): (SELF_ASSESSED, PREPARE),
    (RETURNED, CANCEL): (CANCELLED, PREPARE),
    (RECOGNISED, ANNOUNCE): (ANNOUNCED, DO_ANNOUNCE),
}

# Moves that need a comment (the reasons), and the office level a step must be done from.
NEEDS_COMMENT = frozenset({RETURN, REFUSE, CANCEL})
STEP_OFFICE = {VERIFY: "verifier", RECOGNISE: "authority", REFUSE: "authority"}
RETURN_OFFICE = {SUBMITTED: "verifier", APPRAISED: "authority"}


def office_kind(state: str, action: str) -> str | None:
    """Which configured office must do this move ("verifier", "authority"), None when any holder of the
    role-action on the unit may."""
    if action == RETURN:
        return RETURN_OFFICE.get(state)
    return STEP_OFFICE.get(action)


class InvalidMove(Exception):
    """A move the table or a guard refuses; `messages` in Vietnamese."""

    def __init__(self, messages: list[str] | str):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("; ".join(self.messages))


def allowed_actions(state: str) -> list[str]:
    """Actions the table allows from a state, in table order."""
    return [action for (s, action) in TABLE if s == state]


def move(state: str, action: str) -> tuple[str, str]:
    """(next state, scope action) or InvalidMove with a message naming the state and what is allowed."""
    try:
        return TABLE[(state, action)]
    except KeyError:
        allowed = ", ".join(f"“{ACTIONS[a]}”" for a in allowed_actions(state)) or "không còn bước nào"
        raise InvalidMove(f"Hồ sơ đang ở trạng thái “{STATES.get(state, state)}”: không thể "
                          f"“{ACTIONS.get(action, action)}”. Bước tiếp theo: {allowed}.") from None


# --- guards --------------------------------------------------------------------------------------
@dataclass
class Facts:
    """What the guards read, gathered by the service from the dossier's rows."""

    today: dt.date
    opened_on: dt.date | None = None  # consultation opened
    window_days: int = 15
    min_readings: int = 5
    readings: list[dt.date] = field(default_factory=list)
    front_comments: int = 0
    households_asked: int | None = None
    households_answered: int | None = None
    households_satisfied: int | None = None
    required_rate: float = 0.0
    criteria_met: dict[str, bool | None] = field(default_factory=dict)  # snapshot, target level's set
    criteria_names: dict[str, str] = field(default_factory=dict)
    overrides: set[str] = field(default_factory=set)  # criteria the council overrode, with a reason
    no_debt: bool | None = None  # declared, with evidence
    security_ok: bool | None = None  # declared "not complicated", with evidence
    missing_documents: list[str] = field(default_factory=list)
    council_members: int = 0
    verdicts: int = 0
    criteria_total: int = 0
    votes_for: int | None = None
    votes_against: int | None = None
    ballot_passes: bool = False
    has_snapshot: bool = False
    has_evaluation: bool = False


def satisfaction(f: Facts) -> float | None:
    """Satisfied / answered (0–1), None without a survey."""
    if not f.households_answered or f.households_satisfied is None:
        return None
    return f.households_satisfied / f.households_answered


def consultation_blocks(f: Facts) -> list[str]:
    """Why the consultation cannot close yet: window not over, too few readings within it, no written
    comments (program-rules.md §1.3 C1–C2)."""
    out = []
    if f.opened_on is None:
        return ["Chưa ghi ngày bắt đầu công khai, lấy ý kiến"]
    closes = f.opened_on + dt.timedelta(days=f.window_days)
    if f.today < closes:
        out.append(f"Thời hạn lấy ý kiến {f.window_days} ngày chưa kết thúc: còn đến hết ngày "
                   f"{closes - dt.timedelta(days=1):%d/%m/%Y}")
    within = [d for d in f.readings if f.opened_on <= d < closes]
    if len(within) < f.min_readings:
        out.append(f"Mới đọc trên loa {len(within)} lần trong {f.window_days} ngày (cần ít nhất {f.min_readings} lần)")
    if f.front_comments < 1:
        out.append("Chưa có ý kiến bằng văn bản của MTTQ và các tổ chức chính trị - xã hội")
    return out


def survey_blocks(f: Facts) -> list[str]:
    out = []
    if f.households_asked is None or f.households_answered is None or f.households_satisfied is None:
        return ["Chưa ghi đủ kết quả khảo sát: số hộ được hỏi, số hộ trả lời, số hộ hài lòng"]
    if not 0 < f.households_answered <= f.households_asked:
        out.append("Số hộ trả lời phải lớn hơn 0 và không quá số hộ được hỏi")
    if not 0 <= f.households_satisfied <= f.households_answered:
        out.append("Số hộ hài lòng không được vượt số hộ trả lời")
    return out


def gate(f: Facts) -> list[tuple[str, bool, str]]:
    """The conditions gate before submission (program-rules.md §1.2, §7.3): rows of
    (condition, passed, detail) — every criterion met (or overridden by the council with a reason),
    satisfaction ≥ the required rate, no outstanding construction debt, security not complicated,
    the required documents attached."""
    rows = []
    failing = [c for c, met in f.criteria_met.items() if met is not True and c not in f.overrides]
    if not f.has_snapshot:
        rows.append(("Đạt đủ tiêu chí", False, "Chưa tự đánh giá (chưa chốt số liệu)"))
    else:
        names = ", ".join(f"{c}. {f.criteria_names.get(c, '')}".strip() for c in failing)
        over = f" (Hội đồng chấp thuận ngoại lệ: {', '.join(sorted(f.overrides))})" if f.overrides else ""
        passed = "Đạt các tiêu chí còn lại" if f.overrides else "Đạt tất cả tiêu chí"
        rows.append(("Đạt đủ tiêu chí", not failing and bool(f.criteria_met),
                     (f"Chưa đạt: {names}" if failing else passed) + over))
    rate = satisfaction(f)
    if rate is None:
        rows.append(("Tỷ lệ hài lòng", False, "Chưa có kết quả khảo sát"))
    else:
        rows.append(("Tỷ lệ hài lòng", rate >= f.required_rate,
                     f"{rate:.1%} (yêu cầu ≥ {f.required_rate:.0%})".replace(".", ",")))
    rows.append(("Không còn nợ đọng xây dựng cơ bản", f.no_debt is True,
                 "Đã kê khai, có minh chứng" if f.no_debt else ("Kê khai còn nợ đọng" if f.no_debt is False
                                                                else "Chưa kê khai")))
    rows.append(("An ninh trật tự không “phức tạp”", f.security_ok is True,
                 "Đã kê khai, có minh chứng" if f.security_ok else ("Kê khai thuộc diện phức tạp"
                                                                    if f.security_ok is False else "Chưa kê khai")))
    rows.append(("Đủ tài liệu theo danh mục", not f.missing_documents,
                 ("Thiếu: " + "; ".join(f.missing_documents)) if f.missing_documents else "Đủ"))
    return rows


def appraisal_blocks(f: Facts) -> list[str]:
    out = []
    if f.council_members < 1:
        out.append("Chưa ghi thành viên Hội đồng thẩm định")
    if f.verdicts < f.criteria_total:
        out.append(f"Mới có ý kiến cho {f.verdicts}/{f.criteria_total} tiêu chí")
    if f.votes_for is None or f.votes_against is None:
        out.append("Chưa ghi kết quả bỏ phiếu (tán thành, không tán thành)")
    return out


def guard(action: str, f: Facts) -> list[str]:
    """Why `action` is blocked now (empty: allowed)."""
    if action == SELF_ASSESS:
        return [] if f.has_evaluation else ["Đơn vị chưa có kết quả đánh giá cho năm này: nhập số liệu trước"]
    if action == CLOSE_CONSULTATION:
        return consultation_blocks(f)
    if action == RECORD_SURVEY:
        return survey_blocks(f)
    if action in (SUBMIT, RESUBMIT):
        return [f"{name}: {detail}" for name, ok, detail in gate(f) if not ok]
    if action == APPRAISE:
        return appraisal_blocks(f)
    if action == RECOGNISE and not f.ballot_passes:
        return ["Kết quả bỏ phiếu của Hội đồng không đủ tỷ lệ tán thành để công nhận"]
    return []
