"""The transition service on a real database: every move × role, the guards, the snapshot diff,
recognitions, acknowledgement, withdrawal cases."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile

from ntm.accounts.models import AuditEntry
from ntm.figures.services import set_figure
from ntm.recognition import services
from ntm.recognition import workflow as wf
from ntm.recognition.models import Dossier, Recognition, Transition, WithdrawalCase
from ntm.recognition.rules import load
from ntm.testing import YEAR
from ntm.units.models import Unit

pytestmark = pytest.mark.django_db
ROLES = ["admin", "tinh", "xa", "thon", "thamdinh", "giamsat", "xem"]
# Who may take each move of Thọ Long's 2026 dossier (a commune after 01/07/2025: the province verifies
# and the province chair decides), from the demo grants.
WHO = {
    wf.SELF_ASSESS: {"admin", "xa"}, wf.CANCEL: {"admin", "xa"}, wf.OPEN_CONSULTATION: {"admin", "xa"},
    wf.CLOSE_CONSULTATION: {"admin", "giamsat"}, wf.RECORD_SURVEY: {"admin", "giamsat"},
    wf.SUBMIT: {"admin", "xa"}, wf.RESUBMIT: {"admin", "xa"}, wf.VERIFY: {"admin", "tinh"},
    wf.APPRAISE: {"admin", "thamdinh"}, wf.RECOGNISE: {"admin", "tinh"}, wf.REFUSE: {"admin", "tinh"},
    wf.ANNOUNCE: {"admin", "xa", "tinh"},
}
RETURN_WHO = {wf.SUBMITTED: {"admin", "tinh"}, wf.VERIFIED: {"admin", "thamdinh"}, wf.APPRAISED: {"admin", "tinh"}}
DAY = dt.date(2026, 9, 1)


def user(name):
    return User.objects.get(username=name)


def make(world, state=wf.DRAFT, level="ntm"):
    Dossier.objects.filter(unit=world["tho_long"]).delete()
    return Dossier.objects.create(unit=world["tho_long"], level=level, year=YEAR, state=state)


CASES = [(state, action, role) for (state, action) in wf.TABLE for role in ROLES]


@pytest.mark.parametrize("state, action, role", CASES, ids=[f"{s}-{a}-{r}" for s, a, r in CASES])
def test_every_move_by_every_role(world, state, action, role):
    dossier = make(world, state)
    allowed = RETURN_WHO[state] if action == wf.RETURN else WHO[action]
    try:
        services.transition(user(role), dossier, action, comment="Lý do kiểm thử", on=DAY, posted_at="Nhà văn hóa",
                            decision_number="1/QĐ-UBND")
    except PermissionDenied:
        assert role not in allowed, f"{role} was refused {action} from {state}"
        return
    except wf.InvalidMove:
        pass  # allowed to try; a guard refused (tested below)
    assert role in allowed, f"{role} could {action} from {state}"


@pytest.mark.parametrize("state", list(wf.STATES))
def test_moves_outside_the_table_are_refused_with_a_message(world, state):
    dossier = make(world, state)
    for action in set(wf.ACTIONS) - set(wf.allowed_actions(state)):
        with pytest.raises(wf.InvalidMove) as exc:
            services.transition(user("admin"), dossier, action, comment="x", on=DAY)
        assert wf.STATES[state] in str(exc.value)
    assert Transition.objects.filter(dossier=dossier).count() == 0


def test_verifier_before_the_reform_is_the_district(world):
    # A legacy commune's dossier is history: only a national administrator acts on it, and a province
    # grant could never verify it before 01/07/2025 (the district office did).
    office = services.office_for(Unit.objects.get(scheme="legacy", code="15505"), wf.VERIFY, dt.date(2024, 5, 1))
    assert office.level == "district"


def test_full_journey_with_guards(world, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    tho_long = world["tho_long"]
    Dossier.objects.filter(unit=tho_long).delete()
    User.objects.filter(username__in=["tinh", "thamdinh", "giamsat"]).update(email="x@example.vn")
    xa, giamsat, tinh, thamdinh = user("xa"), user("giamsat"), user("tinh"), user("thamdinh")
    d = services.open_dossier(xa, tho_long, "ntm", YEAR)
    with pytest.raises(wf.InvalidMove, match="đã có hồ sơ"):
        services.open_dossier(xa, tho_long, "ntm", YEAR)
    services.transition(xa, d, wf.SELF_ASSESS, on=DAY)
    snap = d.snapshot
    assert snap and snap.figures and snap.set_code.startswith("xa-ntm")
    opened = dt.date(2026, 9, 1)
    with pytest.raises(wf.InvalidMove, match="nơi niêm yết"):
        services.transition(xa, d, wf.OPEN_CONSULTATION, on=opened)
    services.transition(xa, d, wf.OPEN_CONSULTATION, on=opened, posted_at="Trụ sở UBND xã, nhà văn hóa các thôn")
    d.refresh_from_db()
    for i in range(4):
        services.add_reading(xa, d, opened + dt.timedelta(days=3 * i))
    services.add_comment(giamsat, d, "Ủy ban MTTQ xã", opened + dt.timedelta(days=5), "Nhất trí đề nghị")
    with pytest.raises(wf.InvalidMove) as exc:  # the window is open and only 4 readings
        services.transition(giamsat, d, wf.CLOSE_CONSULTATION, on=opened + dt.timedelta(days=10))
    assert len(exc.value.messages) == 2
    services.add_reading(xa, d, opened + dt.timedelta(days=14))
    services.transition(giamsat, d, wf.CLOSE_CONSULTATION, on=opened + dt.timedelta(days=15))
    services.transition(giamsat, d, wf.RECORD_SURVEY, households_asked=500, households_answered=480,
                        households_satisfied=450, on=dt.date(2026, 10, 1))
    with pytest.raises(wf.InvalidMove) as exc:  # the gate: criterion 3, conditions, documents
        services.transition(xa, d, wf.SUBMIT, on=dt.date(2026, 10, 2))
    text = " ".join(exc.value.messages)
    assert "3." in text and "nợ đọng" in text and "An ninh" in text and "Tờ trình" in text
    with pytest.raises(wf.InvalidMove, match="minh chứng"):
        services.declare_conditions(xa, d, True, "", True, "")
    services.declare_conditions(xa, d, True, "Báo cáo 12/BC-UBND", True, "Xác nhận Công an xã")
    with pytest.raises(PermissionDenied):
        services.add_override(xa, d, "3", "x")
    services.add_override(thamdinh, d, "3", "Công trình thủy lợi hoàn thành tháng 11, Hội đồng chấp thuận")
    for kind in load().required_documents(YEAR):
        services.add_attachment(xa, d, kind, ContentFile(b"%PDF-1.4", name=f"{kind}.pdf"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(xa, d, wf.SUBMIT, on=dt.date(2026, 10, 2))
    assert mail.outbox and "x@example.vn" in mail.outbox[0].to  # tinh may verify next
    with pytest.raises(PermissionDenied):
        services.transition(xa, d, wf.VERIFY, on=dt.date(2026, 10, 5))
    services.transition(tinh, d, wf.VERIFY, on=dt.date(2026, 10, 5), comment="Đủ điều kiện")
    with pytest.raises(wf.InvalidMove, match="thành viên"):
        services.transition(thamdinh, d, wf.APPRAISE, on=dt.date(2026, 10, 20))
    codes = [c for c, _n, _m in services.target_set(d.snapshot, "ntm")["criteria"]]
    services.transition(thamdinh, d, wf.APPRAISE, on=dt.date(2026, 10, 20), members=["A", "B", "C"],
                        verdicts={c: (True, "") for c in codes}, votes_for=9, votes_against=1)
    with pytest.raises(wf.InvalidMove, match="số, ký hiệu"):
        services.transition(tinh, d, wf.RECOGNISE, on=dt.date(2026, 11, 1))
    services.transition(tinh, d, wf.RECOGNISE, on=dt.date(2026, 11, 1), decision_number="123/QĐ-UBND",
                        signer_name="Nguyễn Văn A")
    rec = Recognition.objects.get(unit=tho_long, dossier=d)
    assert (rec.level, rec.year, rec.kind, rec.status, rec.signer_role) == ("ntm", YEAR, "decided", "in_force",
                                                                           "Chủ tịch UBND tỉnh")
    assert services.recognised_levels([tho_long.pk], YEAR) == {tho_long.pk: "ntm"}
    services.transition(xa, d, wf.ANNOUNCE, on=dt.date(2026, 12, 1))
    steps = list(Transition.objects.filter(dossier=d).values_list("to_state", flat=True))
    assert steps == ["draft", "self_assessed", "consulting", "commented", "surveyed", "submitted", "verified",
                     "appraised", "recognised", "announced"]
    assert AuditEntry.objects.filter(action="recognition.recognise", unit=tho_long).exists()


def test_return_needs_reason_and_goes_back_to_the_commune(world):
    d = make(world, wf.SUBMITTED)
    with pytest.raises(wf.InvalidMove, match="lý do"):
        services.transition(user("tinh"), d, wf.RETURN, on=DAY)
    services.transition(user("tinh"), d, wf.RETURN, comment="Thiếu biên bản", on=DAY)
    d.refresh_from_db()
    assert d.state == wf.RETURNED and services.next_actions(user("xa"), d, DAY) == [wf.RESUBMIT, wf.SELF_ASSESS,
                                                                                    wf.CANCEL]


def test_low_ballot_blocks_recognition(world):
    d = make(world, wf.APPRAISED)
    from ntm.recognition.models import Appraisal
    Appraisal.objects.create(dossier=d, members=["A"], votes_for=4, votes_against=4)
    with pytest.raises(wf.InvalidMove, match="bỏ phiếu"):
        services.transition(user("tinh"), d, wf.RECOGNISE, decision_number="1/QĐ", on=DAY)
    services.transition(user("tinh"), d, wf.REFUSE, comment="Không đủ phiếu", on=DAY)


def test_snapshot_diff_lists_changed_figures(world):
    tho_long = world["tho_long"]
    d = make(world)
    services.transition(user("xa"), d, wf.SELF_ASSESS, on=DAY)
    assert services.figure_diff(d) == []
    old = d.snapshot.figures["income_per_capita"]
    set_figure(tho_long, YEAR, "income_per_capita", "123,5", user=user("xa"), source="kiểm thử")
    diff = services.figure_diff(d)
    assert [(c.field, c.old, c.new) for c in diff] == [("income_per_capita", old, 123.5)]
    assert diff[0].name  # the field's Vietnamese name


def test_recognition_supersedes_lower_and_acknowledgement(world):
    tho_long = world["tho_long"]
    Recognition.objects.filter(unit=tho_long).delete()
    preds = list(tho_long.predecessors.all())
    assert preds
    admin = user("admin")
    for i, p in enumerate(preds):
        services.record_past(admin, p, "ntm", 2014 + i, f"{i}/QĐ-UBND", dt.date(2014 + i, 12, 1))
    nam_giang = next(p for p in preds if p.code == "15505")
    services.record_past(admin, nam_giang, "nang_cao", 2023, "9/QĐ-UBND", dt.date(2023, 12, 1))
    assert Recognition.objects.get(unit=nam_giang, level="ntm").status == "superseded"
    made = services.acknowledge_merged(None, units=Unit.objects.filter(pk=tho_long.pk))
    assert len(made) == 1
    ack = made[0]
    assert (ack.kind, ack.level, ack.year) == ("acknowledged", "ntm", 2014 + len(preds) - 1)
    assert services.acknowledge_merged(None, units=Unit.objects.filter(pk=tho_long.pk)) == []  # idempotent


def test_acknowledgement_needs_every_predecessor(world):
    tho_long = world["tho_long"]
    Recognition.objects.filter(unit=tho_long).delete()
    preds = list(tho_long.predecessors.all())
    if len(preds) < 2:
        pytest.skip("Thọ Long has one predecessor")
    Recognition.objects.filter(unit__in=preds).delete()
    services.record_past(user("admin"), preds[0], "ntm", 2016, "1/QĐ-UBND", dt.date(2016, 12, 1))
    assert services.acknowledge_merged(None, units=Unit.objects.filter(pk=tho_long.pk)) == []


def test_withdrawal_case_states(world):
    tho_long = world["tho_long"]  # fails criterion 3 in 2026: at risk, not a withdrawal case by the rule
    Recognition.objects.filter(unit=tho_long).delete()
    rec = services.create_recognition(tho_long, "ntm", YEAR, "recorded", decision_number="5/QĐ-UBND",
                                      decision_date=dt.date(2026, 1, 5))
    st = services.standings([tho_long.pk])[0]
    assert st.verdict.at_risk and not st.verdict.consider and st.verdict.failing == ["3"]
    with pytest.raises(wf.InvalidMove, match="lý do"):
        services.open_withdrawal(user("tinh"), rec)
    with pytest.raises(PermissionDenied):
        services.open_withdrawal(user("xa"), rec, reason="x")
    case = services.open_withdrawal(user("tinh"), rec, reason="Đoàn kiểm tra phát hiện xuống cấp")
    with pytest.raises(wf.InvalidMove):
        services.move_withdrawal(user("tinh"), case, "withdraw", decision_number="1/QĐ")
    services.move_withdrawal(user("tinh"), case, "verify", comment="Đã xác minh")
    with pytest.raises(wf.InvalidMove, match="số, ký hiệu"):
        services.move_withdrawal(user("tinh"), case, "withdraw")
    services.move_withdrawal(user("tinh"), case, "withdraw", decision_number="77/QĐ-UBND (mẫu)",
                             decision_date=dt.date(2026, 12, 1))
    rec.refresh_from_db()
    assert rec.status == "withdrawn" and WithdrawalCase.objects.get(pk=case.pk).state == "withdrawn"
    assert services.recognised_levels([tho_long.pk], YEAR) == {}


def test_hamlet_registers_before_1_december_of_the_year_before(world):
    hamlet = Unit.objects.get(scheme="local", code="15505-01")
    Dossier.objects.filter(unit=hamlet).delete()
    with pytest.raises(wf.InvalidMove, match="trước ngày 01/12/2026"):
        services.open_dossier(user("xa"), hamlet, "kieu_mau", 2027, on=dt.date(2026, 12, 1))
    d = services.open_dossier(user("thon"), hamlet, "kieu_mau", 2027, on=dt.date(2026, 11, 30))
    assert d.state == wf.DRAFT
    with pytest.raises(wf.InvalidMove, match="không có mức"):
        services.open_dossier(user("xa"), hamlet, "ntm", 2027, on=dt.date(2026, 1, 1))
    # The commune verifies a hamlet's dossier (rules: [[verifier]] hamlet → commune); the province does not.
    d.state = wf.SUBMITTED
    d.save()
    assert services.next_actions(user("xa"), d, dt.date(2027, 3, 1)) == [wf.VERIFY, wf.RETURN]
    assert services.next_actions(user("tinh"), d, dt.date(2027, 3, 1)) == []


def test_province_office_records_past_decisions_of_its_pre_2025_units(world):
    nam_giang = Unit.objects.get(scheme="legacy", code="15505")
    Recognition.objects.filter(unit=nam_giang, year=2016).delete()
    with pytest.raises(PermissionDenied):
        services.record_past(user("xa"), nam_giang, "ntm", 2016, "1/QĐ-UBND", dt.date(2016, 12, 1))
    rec = services.record_past(user("tinh"), nam_giang, "ntm", 2016, "1/QĐ-UBND", dt.date(2016, 12, 1))
    assert rec.kind == "recorded" and rec.issuing_body == "Ủy ban nhân dân tỉnh"
    with pytest.raises(wf.InvalidMove, match="đã có công nhận"):
        services.record_past(user("tinh"), nam_giang, "ntm", 2016, "2/QĐ-UBND", dt.date(2016, 12, 2))


def test_district_share_of_withdrawn_communes_counts_the_xa_of_its_year(world):
    """3 xã in force in 2025 (one withdrawn) and one merged away in 2019 (also withdrawn): 1/3, not
    2/4 — an ended commune neither dilutes nor inflates the share the district rule reads."""
    province = world["province"]
    district = Unit.objects.create(code="t-d1", name="Huyện T", full_name="Huyện T", level="district",
                                   kind="huyện", parent=province, province=province, scheme="legacy")
    xa = [Unit.objects.create(code=f"t-x{i}", name=f"Xã T{i}", full_name=f"Xã T{i}", level="commune", kind="xã",
                              parent=district, province=province, scheme="legacy",
                              valid_to=dt.date(2019, 11, 30) if i == 3 else None) for i in range(4)]
    for unit in (xa[0], xa[3]):
        Recognition.objects.create(unit=unit, level="ntm", year=2015, kind="decision",
                                   status=Recognition.Status.WITHDRAWN)
    assert services._communes_lost_share({district.pk: 2025}) == {district.pk: pytest.approx(1 / 3)}
    assert services._communes_lost_share({district.pk: 2018}) == {district.pk: pytest.approx(2 / 4)}
