"""The withdrawal rule (§1.5) on hand-computed cases, with the shares and key criteria from the data."""

import pytest

from ntm.recognition.rules import load
from ntm.recognition.withdrawal import check

RULES = load().withdrawal
LOW, HIGH = RULES["share_low"], RULES["share_high"]


def met(total: int, failing: list[int]) -> dict[str, bool]:
    return {str(i): i not in failing for i in range(1, total + 1)}


def test_rule_values_come_from_data_with_source():
    assert (LOW, HIGH, RULES["district_communes_share"]) == (0.30, 0.50, 0.30)
    assert "§1.5" in RULES["source"] and RULES["trust"] == "V"
    assert load().key_criteria("xa-ntm-2021") == ("10", "17", "19")


# 100 criteria: the share failing is exactly the number failing, in %.
@pytest.mark.parametrize("failing, key, consider", [
    (29, True, False),   # 29% with a key criterion: below the band
    (30, True, True),    # 30%: lower bound of [30%, 50%) included
    (30, False, False),  # 30% without a key criterion
    (49, True, True),    # 49% with a key criterion
    (49, False, False),  # 49% without a key criterion
    (50, False, True),   # 50%: rule (b), key criterion or not
    (50, True, True),
    (0, False, False),
])
def test_shares_at_the_edges(failing, key, consider):
    keys = ("1",)
    fails = list(range(1, failing + 1)) if key else list(range(2, failing + 2))
    v = check(met(100, fails), keys, LOW, HIGH)
    assert v.consider is consider
    assert v.share_failing == pytest.approx(failing / 100)
    assert v.at_risk is (failing > 0)
    assert (v.key_failing == ["1"]) is (key and failing > 0)


def test_real_set_sizes_19_and_10():
    # 19 criteria: 6 failing = 31.6% incl. Income (10) → consider; 5 failing = 26.3% → only at risk.
    assert check(met(19, [1, 2, 3, 4, 10, 11]), ("10", "17", "19"), LOW, HIGH).consider
    v = check(met(19, [1, 2, 3, 4, 10]), ("10", "17", "19"), LOW, HIGH)
    assert v.at_risk and not v.consider
    # 10 criteria (51/2025): 3 failing = exactly 30% (no float trouble), with key 8.
    assert check(met(10, [1, 2, 8]), ("3", "8", "10"), LOW, HIGH).consider
    assert not check(met(10, [1, 2, 4]), ("3", "8", "10"), LOW, HIGH).consider
    assert check(met(10, [1, 2, 4, 5, 6]), (), LOW, HIGH).consider  # 50%


def test_missing_data_is_at_risk_but_not_failing():
    v = check({"1": None, "2": True, "3": True}, ("1",), LOW, HIGH)
    assert v.at_risk and not v.consider and v.missing == ["1"] and v.failing == []


@pytest.mark.parametrize("lost, consider", [(0.29, False), (0.30, True), (3 / 10, True), (0.5, True)])
def test_district_rule_on_communes_lost(lost, consider):
    v = check(met(9, []), ("6",), LOW, HIGH, communes_lost_share=lost, district_communes_share=0.30)
    assert v.consider is consider
    if consider:
        assert "số xã bị thu hồi" in v.reason
