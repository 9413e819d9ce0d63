"""The pure workflow: the table, the messages, the guards."""

import datetime as dt

import pytest

from ntm.recognition import workflow as wf
from ntm.recognition.rules import load


def test_every_state_and_action_is_labelled_and_final_states_have_no_moves():
    for (state, action), (to, scope) in wf.TABLE.items():
        assert state in wf.STATES and to in wf.STATES and action in wf.ACTIONS
        assert scope.startswith("recognition.")
    for state in (wf.REFUSED, wf.CANCELLED, wf.ANNOUNCED):
        assert wf.allowed_actions(state) == []


def test_invalid_move_message_names_state_and_next_steps():
    with pytest.raises(wf.InvalidMove) as exc:
        wf.move(wf.DRAFT, wf.SUBMIT)
    msg = str(exc.value)
    assert "Dự thảo" in msg and "Nộp hồ sơ" in msg and "Tự đánh giá" in msg


def test_consultation_guard_window_and_readings():
    opened = dt.date(2026, 3, 1)
    f = wf.Facts(today=dt.date(2026, 3, 15), opened_on=opened, window_days=15, min_readings=5,
                 readings=[opened + dt.timedelta(days=i) for i in (0, 3, 6, 9)], front_comments=1)
    blocks = wf.consultation_blocks(f)
    assert any("chưa kết thúc" in b and "15/03/2026" in b for b in blocks)
    assert any("4 lần" in b for b in blocks)
    f.today = dt.date(2026, 3, 16)
    f.readings.append(opened + dt.timedelta(days=20))  # outside the window: does not count
    assert any("4 lần" in b for b in wf.consultation_blocks(f))
    f.readings.append(opened + dt.timedelta(days=14))
    assert wf.consultation_blocks(f) == []
    f.front_comments = 0
    assert any("MTTQ" in b for b in wf.consultation_blocks(f))


def base_facts(**kw) -> wf.Facts:
    f = wf.Facts(today=dt.date(2026, 5, 1), criteria_met={"1": True, "2": True}, has_snapshot=True,
                 households_asked=100, households_answered=90, households_satisfied=81, required_rate=0.8,
                 no_debt=True, security_ok=True)
    for k, v in kw.items():
        setattr(f, k, v)
    return f


def test_gate_passes_when_every_condition_holds():
    assert all(ok for _, ok, _ in wf.gate(base_facts()))
    assert wf.guard(wf.SUBMIT, base_facts()) == []


@pytest.mark.parametrize("change, words", [
    ({"criteria_met": {"1": True, "2": False}}, "Chưa đạt: 2"),
    ({"households_satisfied": 71}, "78,9%"),
    ({"no_debt": None}, "Chưa kê khai"),
    ({"no_debt": False}, "còn nợ đọng"),
    ({"security_ok": False}, "phức tạp"),
    ({"missing_documents": ["Tờ trình"]}, "Thiếu: Tờ trình"),
    ({"has_snapshot": False}, "Chưa tự đánh giá"),
])
def test_gate_blocks_each_condition(change, words):
    blocks = wf.guard(wf.SUBMIT, base_facts(**change))
    assert len(blocks) == 1 and words in blocks[0], blocks


def test_override_lets_an_unmet_criterion_pass():
    assert wf.guard(wf.SUBMIT, base_facts(criteria_met={"1": True, "2": False}, overrides={"2"})) == []


def test_satisfaction_threshold_is_inclusive():
    assert wf.guard(wf.SUBMIT, base_facts(households_satisfied=72)) == []  # 72/90 = 80%


def test_ballot_majority_from_data():
    rules = load()
    assert rules.ballot_passes(5, 4) and not rules.ballot_passes(4, 4) and not rules.ballot_passes(0, 0)


def test_verifier_by_date_from_data():
    rules = load()
    assert rules.verifier("commune", dt.date(2025, 6, 30)).level == "district"
    assert rules.verifier("commune", dt.date(2025, 7, 1)).level == "province"
    assert rules.authority("district", dt.date(2019, 1, 1)).signer_role == "Thủ tướng Chính phủ"
    assert rules.consultation_for("commune") == (15, 5)
    assert "to_trinh" in rules.required_documents(2026)
