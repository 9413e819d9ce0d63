"""The only code that writes recognitions, dossiers and withdrawal cases: atomic, scoped, audited.

Every dossier move goes through `transition(user, dossier, action, …)`, which checks the state table
(`workflow.TABLE`), the user's role-action on the unit and, for verification and the decision, that
the user acts from the office the rules name for that day (`rules.toml` [[verifier]], [[authority]]),
runs the guards, writes the step's data, logs a `Transition`, audits with `record`, and sends e-mail
notices to whoever may take the next step. A refused move raises `workflow.InvalidMove` (Vietnamese
messages) or `PermissionDenied`; nothing is written then.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ntm.accounts.audit import record
from ntm.accounts.models import Grant, Role
from ntm.accounts.scope import can, declared_actions, grants, is_admin
from ntm.criteria.loader import registry
from ntm.criteria.spec import LEVEL_LABELS, LEVEL_RANK, shared_fields
from ntm.evaluations.models import Evaluation
from ntm.figures.live import live_outcome
from ntm.figures.rules import accepts_year
from ntm.figures.services import values_for
from ntm.units.models import Unit

from . import withdrawal, workflow
from .models import (
    Appraisal,
    Attachment,
    Comment,
    Consultation,
    Dossier,
    Override,
    Reading,
    Recognition,
    Snapshot,
    Survey,
    Transition,
    Verdict,
    WithdrawalCase,
)
from .rules import Office, RuleMissing, load

InvalidMove = workflow.InvalidMove
logger = logging.getLogger(__name__)
# Levels each unit level may be proposed for (the sets in force decide what is reachable).
UNIT_LEVELS = {"commune": ("ntm", "nang_cao", "kieu_mau", "hien_dai"), "district": ("ntm", "nang_cao"),
               "hamlet": ("kieu_mau",)}


def _today(on: dt.date | None) -> dt.date:
    return on or timezone.localdate()


# --- who may act ---------------------------------------------------------------------------------
def _chain(unit: Unit) -> set[int]:
    return {unit.pk, *(a.pk for a in unit.ancestors())}


def office_for(dossier_unit: Unit, action: str, day: dt.date, state: str = "") -> Office | None:
    """The office a step must be done from (verifier or deciding authority), by the rules in force."""
    kind = workflow.office_kind(state, action)
    rules = load()
    try:
        if kind == "verifier":
            return rules.verifier(dossier_unit.level, day)
        if kind == "authority":
            return rules.authority(dossier_unit.level, day)
    except RuleMissing as exc:
        raise InvalidMove(str(exc)) from exc
    return None


def may_act(user, unit: Unit, scope_action: str, office_level: str | None = None) -> bool:
    """Whether `user` holds `scope_action` on `unit` (the shared scope: a grant on it or an ancestor;
    pre-2025 units only for the offices that own that history), from a unit of `office_level` when
    given (e.g. the verifier is the province office after 30/06/2025)."""
    if is_admin(user):
        return True
    if not can(user, unit, scope_action):
        return False
    if office_level is None or unit.is_legacy:
        return True
    roles = declared_actions().get(scope_action, frozenset())
    chain = _chain(unit)
    return any(g.unit_id in chain and g.unit.level == office_level and (g.role == Role.ADMIN or g.role in roles)
               for g in grants(user))


def _check_may(user, dossier: Dossier, action: str, scope_action: str, day: dt.date) -> None:
    office = office_for(dossier.unit, action, day, dossier.state)
    if may_act(user, dossier.unit, scope_action, office.level if office else None):
        return
    if office and may_act(user, dossier.unit, scope_action):
        raise PermissionDenied(f"Bước “{workflow.ACTIONS[action]}” của hồ sơ {dossier.unit.get_level_display().lower()} "
                               f"do {office.body} thực hiện (cấp {Unit.Level(office.level).label.lower()}), "
                               "không phải đơn vị của bạn")
    raise PermissionDenied(f"Bạn không có quyền “{workflow.ACTIONS[action]}” cho {dossier.unit.full_name}")


def next_actions(user, dossier: Dossier, on: dt.date | None = None) -> list[str]:
    """The moves the table allows now that this user may do (guards not run: the form shows why a
    move is blocked)."""
    day = _today(on)
    out = []
    for action in workflow.allowed_actions(dossier.state):
        _, scope_action = workflow.TABLE[(dossier.state, action)]
        try:
            office = office_for(dossier.unit, action, day, dossier.state)
        except InvalidMove:
            continue
        if may_act(user, dossier.unit, scope_action, office.level if office else None):
            out.append(action)
    return out


# --- facts for the guards ------------------------------------------------------------------------
def target_set(snapshot: Snapshot | None, level: str) -> dict | None:
    """The snapshot's entry for the set of the dossier's level."""
    if snapshot is None:
        return None
    for code, entry in snapshot.criteria.items():
        if entry.get("level") == level:
            return {"code": code, **entry}
    return None


def facts(dossier: Dossier, on: dt.date | None = None) -> workflow.Facts:
    rules = load()
    day = _today(on)
    days, readings_min = rules.consultation_for(dossier.unit.level)
    f = workflow.Facts(today=day, window_days=days, min_readings=readings_min,
                       required_rate=rules.satisfaction_rate(dossier.unit.level).value)
    f.has_evaluation = Evaluation.objects.filter(unit=dossier.unit, year=dossier.year).exists()
    snap = dossier.snapshot
    target = target_set(snap, dossier.level)
    f.has_snapshot = snap is not None
    if target:
        f.criteria_met = {c: m for c, _n, m in target["criteria"]}
        f.criteria_names = {c: n for c, n, _m in target["criteria"]}
    elif snap is not None:
        f.criteria_met = {"—": False}
        f.criteria_names = {"—": f"không có bộ tiêu chí mức {LEVEL_LABELS.get(dossier.level, dossier.level)} năm {dossier.year}"}
    f.overrides = set(dossier.overrides.values_list("criterion", flat=True))
    consultation = Consultation.objects.filter(dossier=dossier).first()
    if consultation:
        f.opened_on = consultation.opened_on
        f.readings = list(consultation.readings.values_list("on", flat=True))
        f.front_comments = consultation.comments.count()
    survey = Survey.objects.filter(dossier=dossier).first()
    if survey:
        f.households_asked, f.households_answered = survey.households_asked, survey.households_answered
        f.households_satisfied = survey.households_satisfied
    f.no_debt, f.security_ok = dossier.no_debt, dossier.security_ok
    have = set(dossier.attachments.values_list("kind", flat=True))
    f.missing_documents = [rules.document_types.get(k, k) for k in rules.required_documents(dossier.year) if k not in have]
    appraisal = Appraisal.objects.filter(dossier=dossier).first()
    f.criteria_total = len(f.criteria_met)
    if appraisal:
        f.council_members = len(appraisal.members)
        f.verdicts = appraisal.verdicts.filter(criterion__in=list(f.criteria_met)).count()
        f.votes_for, f.votes_against = appraisal.votes_for, appraisal.votes_against
        f.ballot_passes = rules.ballot_passes(appraisal.votes_for or 0, appraisal.votes_against or 0)
    return f


# --- dossiers -------------------------------------------------------------------------------------
@transaction.atomic
def open_dossier(user, unit: Unit, level: str, year: int, on: dt.date | None = None) -> Dossier:
    """A new dossier in draft. Raises PermissionDenied or InvalidMove (level not for this unit, an
    active dossier already open for the unit, level and year)."""
    if not may_act(user, unit, workflow.PREPARE):
        raise PermissionDenied(f"Bạn không có quyền lập hồ sơ công nhận cho {unit.full_name}")
    if level not in UNIT_LEVELS.get(unit.level, ()):
        raise InvalidMove(f"{unit.full_name}: không có mức “{LEVEL_LABELS.get(level, level)}” cho cấp "
                          f"{unit.get_level_display().lower()}")
    deadline = load().registration_deadline(unit.level, year)
    if deadline and _today(on) >= deadline:
        raise InvalidMove(f"{unit.full_name}: đăng ký xét công nhận năm {year} phải trước ngày {deadline:%d/%m/%Y}")
    if Dossier.objects.filter(unit=unit, level=level, year=year).exclude(state__in=workflow.CLOSED).exists():
        raise InvalidMove(f"{unit.full_name} đã có hồ sơ {LEVEL_LABELS[level]} năm {year} đang xử lý")
    try:
        with transaction.atomic():
            dossier = Dossier.objects.create(unit=unit, level=level, year=year, created_by=_u(user))
    except IntegrityError as exc:  # a concurrent request opened it first
        raise InvalidMove(f"{unit.full_name} đã có hồ sơ {LEVEL_LABELS[level]} năm {year} đang xử lý") from exc
    Transition.objects.create(unit=unit, dossier=dossier, action="open", from_state="", to_state=workflow.DRAFT,
                              user=_u(user))
    record(user, "recognition.open", dossier, after={"level": level, "year": year})
    return dossier


def _u(user):
    return user if getattr(user, "is_authenticated", False) else None


@transaction.atomic
def transition(user, dossier: Dossier, action: str, comment: str = "", on: dt.date | None = None,
               **data) -> Transition:
    """Move a dossier by `action` (workflow.ACTIONS). Step data by action:
    open_consultation: posted_at (str), opened_on (date); record_survey: households_asked, households_answered,
    households_satisfied (int), method, organisation, survey_on (date); appraise: members (list[str]),
    meeting_on, verdicts ({criterion: (met, comment)}), votes_for, votes_against, conclusion; recognise:
    decision_number, decision_date, signer_name, signed_file; announce: ceremony_date, certificate.
    Raises InvalidMove (state, guards, missing data) or PermissionDenied; nothing is written then."""
    dossier = Dossier.objects.select_for_update().select_related("unit").get(pk=dossier.pk)
    day = _today(on)
    to_state, scope_action = workflow.move(dossier.state, action)
    _check_may(user, dossier, action, scope_action, day)
    if action in workflow.NEEDS_COMMENT and not comment.strip():
        raise InvalidMove(f"“{workflow.ACTIONS[action]}” cần ghi rõ lý do")
    from_state = dossier.state
    before = {"state": from_state}
    _STEP[action](user, dossier, day, comment, data)
    blocks = workflow.guard(action, facts(dossier, day))
    if blocks:
        raise InvalidMove(blocks)
    dossier.state = to_state
    dossier.save(update_fields=["state", "updated_at", "ceremony_date", "certificate"])
    row = Transition.objects.create(unit=dossier.unit, dossier=dossier, action=action, from_state=from_state,
                                    to_state=to_state, user=_u(user), comment=comment)
    record(user, f"recognition.{action}", dossier, before=before, after={"state": to_state, "comment": comment})
    transaction.on_commit(lambda: notify(dossier.pk, row.pk))
    return row


def _self_assess(user, dossier, day, comment, data):
    ev = Evaluation.objects.filter(unit=dossier.unit, year=dossier.year).first()
    if ev is None:
        return  # the guard says why
    outcome = live_outcome(dossier.unit, dossier.year)
    sets: dict = {}
    if outcome and outcome.result:
        for r in outcome.result.levels:
            sets[r.set] = {"level": r.level, "reached": r.reached,
                           "criteria": [[c.code, c.name, c.met] for c in r.criteria]}
    figures = values_for([dossier.unit.pk], [dossier.year]).get((dossier.unit.pk, dossier.year), {})
    Snapshot.objects.create(dossier=dossier, year=dossier.year, set_code=ev.set_code, set_version=ev.set_version,
                            level=ev.level, criteria_met=ev.criteria_met, criteria_total=ev.criteria_total,
                            criteria=sets, figures=figures)


def _open_consultation(user, dossier, day, comment, data):
    posted_at = (data.get("posted_at") or "").strip()
    if not posted_at:
        raise InvalidMove("Cần ghi nơi niêm yết báo cáo (trụ sở UBND xã, nhà văn hóa thôn…)")
    opened_on = data.get("opened_on") or day
    Consultation.objects.update_or_create(dossier=dossier, defaults={"posted_at": posted_at, "opened_on": opened_on})


def _record_survey(user, dossier, day, comment, data):
    keys = ("households_asked", "households_answered", "households_satisfied")
    if any(data.get(k) is None for k in keys):
        return  # the guard says what is missing
    Survey.objects.update_or_create(dossier=dossier, defaults={
        **{k: int(data[k]) for k in keys}, "method": data.get("method", ""),
        "organisation": data.get("organisation") or "Ủy ban MTTQ Việt Nam xã", "on": data.get("survey_on") or day})


def _appraise(user, dossier, day, comment, data):
    appraisal, _ = Appraisal.objects.get_or_create(dossier=dossier)
    if "members" in data:
        appraisal.members = [m.strip() for m in data["members"] if m and m.strip()]
    for key in ("meeting_on", "votes_for", "votes_against", "conclusion"):
        if data.get(key) is not None:
            setattr(appraisal, key, data[key])
    appraisal.meeting_on = appraisal.meeting_on or day
    appraisal.save()
    for code, (met, note) in (data.get("verdicts") or {}).items():
        Verdict.objects.update_or_create(appraisal=appraisal, criterion=code, defaults={"met": met, "comment": note})


def _recognise(user, dossier, day, comment, data):
    number = (data.get("decision_number") or "").strip()
    if not number:
        raise InvalidMove("Cần ghi số, ký hiệu quyết định công nhận")
    office = load().authority(dossier.unit.level, day)
    create_recognition(dossier.unit, dossier.level, dossier.year, Recognition.Kind.DECIDED, user=user,
                       decision_number=number, decision_date=data.get("decision_date") or day,
                       issuing_body=office.body, signer_role=office.signer_role,
                       signer_name=data.get("signer_name", ""), signed_file=data.get("signed_file"), dossier=dossier)


def _announce(user, dossier, day, comment, data):
    dossier.ceremony_date = data.get("ceremony_date") or day
    dossier.certificate = data.get("certificate", "")


def _nothing(*args):
    return None


_STEP = defaultdict(lambda: _nothing, {
    workflow.SELF_ASSESS: _self_assess, workflow.OPEN_CONSULTATION: _open_consultation,
    workflow.RECORD_SURVEY: _record_survey, workflow.APPRAISE: _appraise, workflow.RECOGNISE: _recognise,
    workflow.ANNOUNCE: _announce,
})


# --- step data outside the moves ------------------------------------------------------------------
def _require(user, dossier: Dossier, scope_action: str, states: set[str], what: str) -> None:
    if not may_act(user, dossier.unit, scope_action):
        raise PermissionDenied(f"Bạn không có quyền {what} cho {dossier.unit.full_name}")
    if dossier.state not in states:
        raise InvalidMove(f"Hồ sơ đang ở trạng thái “{workflow.STATES[dossier.state]}”: không thể {what}")


@transaction.atomic
def add_reading(user, dossier: Dossier, on: dt.date, note: str = "") -> Reading:
    """One loudspeaker reading of the report (the commune)."""
    _require(user, dossier, workflow.PREPARE, {workflow.CONSULTING}, "ghi lần đọc trên loa")
    consultation = dossier.consultation
    if on < consultation.opened_on:
        raise InvalidMove(f"Ngày đọc {on:%d/%m/%Y} trước ngày bắt đầu lấy ý kiến {consultation.opened_on:%d/%m/%Y}")
    row = Reading.objects.create(consultation=consultation, on=on, note=note)
    record(user, "recognition.reading", row, unit=dossier.unit_id, after={"on": on.isoformat(), "note": note})
    return row


@transaction.atomic
def add_comment(user, dossier: Dossier, organisation: str, on: dt.date, text: str, file=None) -> Comment:
    """A written comment of the Front or an organisation (the supervision board / the Front records it)."""
    _require(user, dossier, workflow.CONSULT, {workflow.CONSULTING}, "ghi ý kiến của MTTQ, đoàn thể")
    if not organisation.strip() or not text.strip():
        raise InvalidMove("Cần ghi tên tổ chức và nội dung ý kiến")
    row = Comment.objects.create(consultation=dossier.consultation, organisation=organisation.strip(), on=on,
                                 text=text.strip(), file=file or "")
    record(user, "recognition.comment", row, unit=dossier.unit_id, after={"organisation": organisation, "on": on.isoformat()})
    return row


BEFORE_SUBMIT = {workflow.DRAFT, workflow.SELF_ASSESSED, workflow.CONSULTING, workflow.COMMENTED,
                 workflow.SURVEYED, workflow.RETURNED}


@transaction.atomic
def declare_conditions(user, dossier: Dossier, no_debt: bool | None, no_debt_evidence: str, security_ok: bool | None,
                       security_evidence: str) -> Dossier:
    """The commune declares the §1.2 conditions, each with its evidence (required when declared met)."""
    _require(user, dossier, workflow.PREPARE, BEFORE_SUBMIT, "kê khai điều kiện")
    errors = []
    if no_debt and not no_debt_evidence.strip():
        errors.append("Cần minh chứng cho việc không còn nợ đọng XDCB (số, ngày báo cáo…)")
    if security_ok and not security_evidence.strip():
        errors.append("Cần minh chứng cho việc an ninh trật tự không thuộc diện phức tạp")
    if errors:
        raise InvalidMove(errors)
    before = {"no_debt": dossier.no_debt, "security_ok": dossier.security_ok}
    dossier.no_debt, dossier.no_debt_evidence = no_debt, no_debt_evidence.strip()
    dossier.security_ok, dossier.security_evidence = security_ok, security_evidence.strip()
    dossier.save(update_fields=["no_debt", "no_debt_evidence", "security_ok", "security_evidence", "updated_at"])
    record(user, "recognition.conditions", dossier, before=before, after={"no_debt": no_debt, "security_ok": security_ok})
    return dossier


@transaction.atomic
def add_override(user, dossier: Dossier, criterion: str, reason: str) -> Override:
    """The appraisal council accepts an unmet criterion at the gate, with a recorded reason."""
    _require(user, dossier, "recognition.override", BEFORE_SUBMIT, "chấp thuận ngoại lệ tiêu chí")
    if not reason.strip():
        raise InvalidMove("Chấp thuận ngoại lệ cần ghi rõ lý do")
    row, _ = Override.objects.update_or_create(dossier=dossier, criterion=criterion,
                                               defaults={"reason": reason.strip(), "by": _u(user)})
    record(user, "recognition.override", row, unit=dossier.unit_id, after={"criterion": criterion, "reason": reason})
    return row


STEP_ROLES = (workflow.PREPARE, workflow.CONSULT, workflow.SURVEY, workflow.DO_VERIFY, workflow.DO_APPRAISE,
              workflow.DECIDE)


@transaction.atomic
def add_attachment(user, dossier: Dossier, kind: str, file, title: str = "") -> Attachment:
    """A typed document; anyone who takes a step of the workflow on the unit may attach."""
    if not any(may_act(user, dossier.unit, a) for a in STEP_ROLES):
        raise PermissionDenied(f"Bạn không có quyền đính kèm tài liệu cho {dossier.unit.full_name}")
    if dossier.state in workflow.FINAL:
        raise InvalidMove("Hồ sơ đã kết thúc: không đính kèm thêm tài liệu")
    types = load().document_types
    if kind not in types:
        raise InvalidMove(f"Loại tài liệu “{kind}” không có trong danh mục")
    row = Attachment.objects.create(dossier=dossier, kind=kind, file=file, title=title or types[kind],
                                    uploaded_by=_u(user))
    record(user, "recognition.attach", row, unit=dossier.unit_id, after={"kind": kind, "file": row.file.name})
    return row


# --- recognitions ----------------------------------------------------------------------------------
def create_recognition(unit: Unit, level: str, year: int, kind: str, *, user=None, dossier=None, sources=(),
                       note: str = "", **decision) -> Recognition:
    """Write a recognition (inside the caller's transaction) and mark the unit's in-force recognitions of
    a lower level superseded."""
    decision = {k: v for k, v in decision.items() if v is not None}
    rec = Recognition.objects.create(unit=unit, level=level, year=year, kind=kind, dossier=dossier, note=note,
                                     **decision)
    if sources:
        rec.sources.set(sources)
    lower = [r for r in Recognition.objects.filter(unit=unit, status=Recognition.Status.IN_FORCE).exclude(pk=rec.pk)
             if LEVEL_RANK.get(r.level, 0) < LEVEL_RANK.get(level, 0)]
    for r in lower:
        r.status, r.ended_on = Recognition.Status.SUPERSEDED, rec.decision_date
        r.save(update_fields=["status", "ended_on"])
    record(user, f"recognition.{kind}", rec, after={"level": level, "year": year, "decision": rec.decision_number,
                                                    "superseded": [r.pk for r in lower]})
    return rec


@transaction.atomic
def record_past(user, unit: Unit, level: str, year: int, decision_number: str, decision_date: dt.date,
                issuing_body: str = "", signer_role: str = "", signer_name: str = "", note: str = "") -> Recognition:
    """Enter a decision taken before NTM was used (kind "recorded"). The province office records it
    (pre-2025 units included: it owns that history)."""
    if not may_act(user, unit, "recognition.record"):
        raise PermissionDenied(f"Bạn không có quyền nhập quyết định công nhận cho {unit.full_name}")
    return _record_past(user, unit, level, year, decision_number, decision_date, issuing_body, signer_role,
                        signer_name, note)


def _record_past(user, unit, level, year, number, date, body="", signer_role="", signer_name="", note=""):
    if not number.strip():
        raise InvalidMove("Cần số, ký hiệu quyết định")
    if level not in UNIT_LEVELS.get(unit.level, ()):
        raise InvalidMove(f"{unit.full_name}: không có mức “{LEVEL_LABELS.get(level, level)}” cho cấp này")
    if Recognition.objects.filter(unit=unit, level=level, year=year).exists():
        raise InvalidMove(f"{unit.full_name} đã có công nhận {LEVEL_LABELS[level]} năm {year}")
    if not body:
        office = load().authority(unit.level, date)
        body, signer_role = office.body, signer_role or office.signer_role
    return create_recognition(unit, level, year, Recognition.Kind.RECORDED, user=user, decision_number=number,
                              decision_date=date, issuing_body=body, signer_role=signer_role, signer_name=signer_name,
                              note=note)


def top_recognitions(unit_ids) -> dict[int, Recognition]:
    """The highest in-force recognition of each unit."""
    out: dict[int, Recognition] = {}
    for r in Recognition.objects.filter(unit_id__in=unit_ids, status=Recognition.Status.IN_FORCE).order_by("year", "id"):
        cur = out.get(r.unit_id)
        if cur is None or LEVEL_RANK.get(r.level, 0) >= LEVEL_RANK.get(cur.level, 0):
            out[r.unit_id] = r
    return out


@transaction.atomic
def acknowledge_merged(user=None, units=None, on: dt.date | None = None) -> list[Recognition]:
    """§1.6 (3372/BNN-VPĐP, 2020 rule; reissue for 2025 U): a current commune whose predecessors were all
    recognised is acknowledged at the lowest level they all hold, the year being the latest of their
    recognitions at that level. Skips communes already acknowledged or with a recognition of their own.
    `units`: the communes to look at (default every current commune with predecessors)."""
    qs = units if units is not None else Unit.objects.filter(scheme=Unit.Scheme.CURRENT, level=Unit.Level.COMMUNE,
                                                               predecessor_links__isnull=False).distinct()
    made = []
    for unit in qs.prefetch_related("predecessors"):
        if Recognition.objects.filter(unit=unit).exists():
            continue
        preds = [p for p in unit.predecessors.all() if p.level == Unit.Level.COMMUNE]
        if not preds:
            continue
        tops = top_recognitions([p.pk for p in preds])
        if len(tops) < len(preds):
            continue
        level = min((r.level for r in tops.values()), key=lambda lvl: LEVEL_RANK.get(lvl, 0))
        reached = Recognition.objects.filter(unit__in=preds).exclude(status=Recognition.Status.WITHDRAWN)
        years = {}
        for r in reached:
            if LEVEL_RANK.get(r.level, 0) >= LEVEL_RANK[level]:
                years[r.unit_id] = min(years.get(r.unit_id, 9999), r.year)
        year = max(years.values())
        rec = create_recognition(unit, level, year, Recognition.Kind.ACKNOWLEDGED, user=user,
                                 sources=list(tops.values()), decision_date=on,
                                 note="Thừa nhận: các xã trước sáp nhập đều đã đạt chuẩn (3372/BNN-VPĐP)")
        made.append(rec)
    return made


def recognised_levels(unit_ids, year: int) -> dict[int, str]:
    """{unit id: the highest level recognised by decision and in force in `year`} — for tiles, matrix and
    map ("X/Y xã đạt chuẩn NTM" counts these; figures-only ones are "đủ điều kiện, chưa công nhận")."""
    out: dict[int, str] = {}
    qs = Recognition.objects.filter(unit_id__in=unit_ids, year__lte=year).filter(
        Q(status=Recognition.Status.IN_FORCE) | Q(ended_on__year__gt=year)).values_list("unit_id", "level")
    for unit_id, level in qs:
        if LEVEL_RANK.get(level, 0) > LEVEL_RANK.get(out.get(unit_id, ""), 0):
            out[unit_id] = level
    return out


# --- withdrawal ----------------------------------------------------------------------------------
@dataclass
class Standing:
    """A recognised unit against its latest evaluation."""

    recognition: Recognition
    year: int | None
    set_code: str
    verdict: withdrawal.Verdict
    names: dict[str, str]


def _judged_met(rec: Recognition, ev: Evaluation) -> tuple[str, dict[str, bool | None], dict[str, str]]:
    """The set a recognised unit is judged against and its per-criterion result: nâng cao and kiểu mẫu
    against the nâng cao set when the year has one (§1.5), otherwise the base set."""
    names = {}
    if LEVEL_RANK.get(rec.level, 0) >= LEVEL_RANK["nang_cao"]:
        outcome = live_outcome(rec.unit, ev.year)
        for r in (outcome.result.levels if outcome and outcome.result else []):
            if r.level == "nang_cao":
                return r.set, {c.code: c.met for c in r.criteria}, {c.code: c.name for c in r.criteria}
    spec = registry().get(ev.set_code)
    if spec:
        names = {c.code: c.name for c in spec.criteria}
    return ev.set_code, dict(ev.met), names


def standings(unit_ids) -> list[Standing]:
    """Each unit's top in-force recognition checked against its latest stored evaluation (§1.5)."""
    rules = load().withdrawal
    tops = top_recognitions(unit_ids)
    latest: dict[int, Evaluation] = {}
    for ev in Evaluation.objects.filter(unit_id__in=list(tops)).order_by("year"):
        latest[ev.unit_id] = ev
    lost = _communes_lost_share({uid: latest[uid].year for uid, r in tops.items()
                                 if r.unit.level == Unit.Level.DISTRICT and uid in latest})
    out = []
    for unit_id, rec in tops.items():
        ev = latest.get(unit_id)
        if ev is None or ev.year < rec.year:
            continue
        set_code, met, names = _judged_met(rec, ev)
        verdict = withdrawal.check(met, load().key_criteria(set_code), rules["share_low"], rules["share_high"],
                                   lost.get(unit_id), rules["district_communes_share"] if unit_id in lost else None)
        out.append(Standing(rec, ev.year, set_code, verdict, names))
    return out


def _communes_lost_share(districts: dict[int, int]) -> dict[int, float]:
    """{district id: share (0–1) of its xã in force on 1 January of the year judged whose recognition
    was withdrawn}, for {district id: year}; districts without such xã are left out. Two queries in all.
    The xã of a district's year, not every commune ever under it: communes merged away in 2019 or 2024
    would dilute the share the district withdrawal rule reads."""
    if not districts:
        return {}
    members: dict[int, list[int]] = defaultdict(list)
    for unit_id, parent_id, valid_from, valid_to in Unit.objects.filter(
        parent_id__in=list(districts), level=Unit.Level.COMMUNE, kind="xã"
    ).values_list("id", "parent_id", "valid_from", "valid_to"):
        if accepts_year(valid_from, valid_to, districts[parent_id]):
            members[parent_id].append(unit_id)
    withdrawn = set(Recognition.objects.filter(
        unit_id__in=[u for ids in members.values() for u in ids], status=Recognition.Status.WITHDRAWN,
    ).values_list("unit_id", flat=True))
    return {d: sum(u in withdrawn for u in ids) / len(ids) for d, ids in members.items()}


@transaction.atomic
def open_withdrawal(user, recognition: Recognition, reason: str = "", on: dt.date | None = None) -> WithdrawalCase:
    """Open a withdrawal case when the rule is hit (or, with a written reason, on the province's own
    initiative). Raises InvalidMove / PermissionDenied."""
    if not may_act(user, recognition.unit, "recognition.withdraw"):
        raise PermissionDenied(f"Bạn không có quyền mở hồ sơ xem xét thu hồi cho {recognition.unit.full_name}")
    if recognition.status != Recognition.Status.IN_FORCE:
        raise InvalidMove("Chỉ xem xét thu hồi công nhận còn hiệu lực")
    if WithdrawalCase.objects.filter(recognition=recognition, state__in=["opened", "verified"]).exists():
        raise InvalidMove("Công nhận này đã có hồ sơ xem xét thu hồi đang mở")
    found = [s for s in standings([recognition.unit_id]) if s.recognition.pk == recognition.pk]
    standing = found[0] if found else None
    if not (standing and standing.verdict.consider) and not reason.strip():
        raise InvalidMove("Kết quả đánh giá mới nhất chưa thuộc trường hợp xem xét thu hồi (§1.5): "
                          "cần ghi lý do nếu vẫn mở hồ sơ")
    verdict = standing.verdict if standing else withdrawal.Verdict(False, False)
    case = WithdrawalCase.objects.create(
        unit=recognition.unit, recognition=recognition, evaluation_year=standing.year if standing else recognition.year,
        failing=verdict.failing, share_failing=verdict.share_failing,
        reason="; ".join(x for x in (verdict.reason, reason.strip()) if x))
    Transition.objects.create(unit=case.unit, case=case, action="open", to_state=case.state, user=_u(user),
                              comment=case.reason)
    record(user, "recognition.withdrawal_open", case, after={"reason": case.reason, "failing": verdict.failing})
    return case


CASE_TABLE = {("opened", "verify"): "verified", ("opened", "keep"): "kept", ("verified", "withdraw"): "withdrawn",
              ("verified", "keep"): "kept"}
CASE_ACTIONS = {"verify": "Rà soát, xác minh", "withdraw": "Quyết định thu hồi", "keep": "Giữ công nhận"}


@transaction.atomic
def move_withdrawal(user, case: WithdrawalCase, action: str, comment: str = "", decision_number: str = "",
                    decision_date: dt.date | None = None) -> WithdrawalCase:
    """opened → verified → withdrawn | kept (kept needs reasons; withdrawn needs the decision number)."""
    case = WithdrawalCase.objects.select_for_update().select_related("recognition", "unit").get(pk=case.pk)
    to_state = CASE_TABLE.get((case.state, action))
    if to_state is None:
        raise InvalidMove(f"Hồ sơ thu hồi đang ở trạng thái “{case.get_state_display()}”: không thể "
                          f"“{CASE_ACTIONS.get(action, action)}”")
    scope_action = "recognition.withdraw" if action == "verify" else workflow.DECIDE
    office = load().authority(case.unit.level, _today(decision_date)) if action != "verify" else None
    if not may_act(user, case.unit, scope_action, office.level if office else None):
        raise PermissionDenied(f"Bạn không có quyền “{CASE_ACTIONS[action]}” cho {case.unit.full_name}")
    if action == "keep" and not comment.strip():
        raise InvalidMove("Giữ công nhận cần ghi rõ lý do")
    if action == "withdraw":
        if not decision_number.strip():
            raise InvalidMove("Cần số, ký hiệu quyết định thu hồi")
        case.decision_number, case.decision_date = decision_number.strip(), _today(decision_date)
        rec = case.recognition
        rec.status, rec.ended_on = Recognition.Status.WITHDRAWN, case.decision_date
        rec.save(update_fields=["status", "ended_on"])
        record(user, "recognition.withdrawn", rec, after={"decision": case.decision_number})
    from_state, case.state = case.state, to_state
    case.save()
    Transition.objects.create(unit=case.unit, case=case, action=action, from_state=from_state, to_state=to_state,
                              user=_u(user), comment=comment)
    record(user, f"recognition.withdrawal_{action}", case, before={"state": from_state}, after={"state": to_state})
    return case


# --- snapshot diff --------------------------------------------------------------------------------
@dataclass(frozen=True)
class FigureChange:
    field: str
    name: str
    old: float | None
    new: float | None


def field_names() -> dict[str, str]:
    names = {k: f.name for k, f in shared_fields().items()}
    for spec in registry().values():
        names.update({k: f.name for k, f in spec.fields.items()})
    return names


def figure_diff(dossier: Dossier) -> list[FigureChange]:
    """Figures that changed after the self-assessment snapshot: each old → new (a removed figure is new=None)."""
    snap = dossier.snapshot
    if snap is None:
        return []
    now = values_for([dossier.unit_id], [dossier.year]).get((dossier.unit_id, dossier.year), {})
    names = field_names()
    out = []
    for key in sorted(set(snap.figures) | set(now)):
        old, new = snap.figures.get(key), now.get(key)
        if old != new and not (old is not None and new is not None and abs(old - new) < 1e-9):
            out.append(FigureChange(key, names.get(key, key), old, new))
    return out


# --- notices --------------------------------------------------------------------------------------
def notify(dossier_id: int, transition_id: int) -> int:
    """E-mail whoever may take the next step (Django's mail backend; console by default)."""
    dossier = Dossier.objects.select_related("unit").get(pk=dossier_id)
    step = Transition.objects.get(pk=transition_id)
    chain = _chain(dossier.unit)
    users = set()
    day = timezone.localdate()
    for action in workflow.allowed_actions(dossier.state):
        _, scope_action = workflow.TABLE[(dossier.state, action)]
        roles = set(declared_actions().get(scope_action, ())) | {Role.ADMIN}
        try:
            office = office_for(dossier.unit, action, day, dossier.state)
        except InvalidMove:
            office = None
        for g in Grant.objects.filter(unit_id__in=chain, role__in=roles).select_related("unit", "user"):
            if (office is None or g.unit.level == office.level) and g.user.email:
                users.add(g.user.email)
    if not users:
        return 0
    label = workflow.STATES[dossier.state]
    body = (f"{dossier}\nBước vừa thực hiện: {workflow.ACTIONS.get(step.action, step.action)} → {label}\n"
            f"{step.comment}\nBước tiếp theo: {', '.join(workflow.ACTIONS[a] for a in workflow.allowed_actions(dossier.state))}")
    try:
        return send_mail(f"[NTM] {dossier.unit.full_name}: {label}", body, None, sorted(users))
    except OSError:  # a notice that cannot be sent never undoes the step (already committed)
        logger.warning("recognition: could not send the notice for dossier %s", dossier_id, exc_info=True)
        return 0


# --- the "việc cần làm" inbox ------------------------------------------------------------------------
def inbox(user, on: dt.date | None = None) -> dict:
    """What waits for this user: dossiers at a step they may take, consultation windows closing soon,
    decisions to announce (with the announcement deadline), open withdrawal cases they may move."""
    day = _today(on)
    rules = load()
    visible = list(Dossier.objects.restrict(user).exclude(state__in=workflow.FINAL).select_related("unit", "unit__parent")
                   .order_by("year", "id")[:500])
    waiting, windows, announce = [], [], []
    warn = int(rules.inbox["window_warning_days"])
    for d in visible:
        actions = next_actions(user, d, day)
        if actions and d.state != workflow.RECOGNISED:
            waiting.append({"dossier": d, "state": workflow.STATES[d.state],
                            "actions": [workflow.ACTIONS[a] for a in actions]})
        if d.state == workflow.CONSULTING and hasattr(d, "consultation"):
            days, _ = rules.consultation_for(d.unit.level)
            closes = d.consultation.opened_on + dt.timedelta(days=days)
            if closes - dt.timedelta(days=warn) <= day:
                windows.append({"dossier": d, "closes": closes, "closed": day >= closes})
        if d.state == workflow.RECOGNISED and (workflow.ANNOUNCE in actions or is_admin(user)):
            rec = d.recognitions.first()
            deadline = rec.decision_date + dt.timedelta(days=int(rules.announcement["days"])) if rec and \
                rec.decision_date else None
            announce.append({"dossier": d, "recognition": rec, "deadline": deadline,
                             "late": deadline is not None and day > deadline})
    cases = [c for c in WithdrawalCase.objects.restrict(user).filter(state__in=["opened", "verified"])
             .select_related("unit", "recognition") if may_act(user, c.unit, "recognition.withdraw")]
    return {"waiting": waiting, "windows": windows, "announce": announce, "cases": cases, "today": day,
            "count": len(waiting) + len(windows) + len(announce) + len(cases)}
