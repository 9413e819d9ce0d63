"""The prioritiser on hand-computed rankings (pure: no database)."""

from ntm.plans.config import Band, CostRate, Rules, prioritise_rules
from ntm.plans.prioritise import IndicatorState, fmt, money, prioritise, progress

RULES = Rules(thin_margin=0.03, thin_margin_abs=0.5, bands=(Band(0.10, "nhỏ"), Band(0.30, "vừa"), Band(1e9, "lớn")),
              bool_relative_gap=0.2, default_effort=2, effort_labels={1: "dễ làm", 2: "độ khó trung bình", 3: "khó làm"})
COSTS = {
    "km_hamlet_roads_hardened": CostRate("km_hamlet_roads_hardened", 1.2e9, "km", 2),
    "km_field_roads_hardened": CostRate("km_field_roads_hardened", 0.9e9, "km", 2),
    "hamlets_with_culture_house": CostRate("hamlets_with_culture_house", 1.5e9, "thôn", 2),
}


def pct(code, crit, value, threshold, field, denominator, last=None, op=">="):
    met = value >= threshold if op == ">=" else value <= threshold
    gap = None if met else round(abs(threshold - value), 4)
    return IndicatorState(code, crit, f"Chỉ tiêu {code}", "percent", "%", op, value, threshold, met, gap, field,
                          denominator, last)


def yes_no(code, crit):
    return IndicatorState(code, crit, f"Chỉ tiêu {code}", "bool", "", "==", False, True, False, None, f"f_{code}")


STATES = [
    # 2.2: gap 5 of 95 → relative 0,0526 (band nhỏ); 5 % of 40 km = 2 km × 1,2 tỷ = 2,4 tỷ
    pct("2.2", "2", 90, 95, "km_hamlet_roads_hardened", 40),
    # 2.8: gap 20 of 100 → 0,2 (band vừa); 20 % of 10 hamlets = 2 × 1,5 tỷ = 3 tỷ
    pct("2.8", "2", 80, 100, "hamlets_with_culture_house", 10),
    # 5.2: gap 5 of 90 → 0,0556 (nhỏ); no rate in the catalogue → after the costed ones of its band
    pct("5.2", "5", 85, 90, "households_fiber_broadband", 200),
    # 2.3: gap 5 of 85 → 0,0588 (nhỏ); 5 % of 20 km = 1 km × 0,9 tỷ = 0,9 tỷ: the cheapest
    pct("2.3", "2", 80, 85, "km_field_roads_hardened", 20),
    # two yes/no indicators, no rates: relative 0,2 (vừa), equal in everything → by code
    yes_no("1.2", "1"),
    yes_no("1.1", "1"),
    # at risk: 2.11 met but slipped 95 → 90; 2.6 met with a thin margin (0,5 ≤ 3 % of 99)
    pct("2.11", "2", 90, 80, "households_solid_house", 100, last=95),
    pct("2.6", "2", 99.5, 99, "households_safe_electricity", 100, last=99.5),
    # comfortably met (margin 15 > 2,4) and improving: not listed
    pct("2.4", "2", 95, 80, "agri_land_irrigated_ha", 50, last=94),
    # missing data: not ranked
    IndicatorState("3.1", "3", "Chỉ tiêu 3.1", "percent", "%", ">=", None, 90, None, None),
]


def test_hand_computed_ranking():
    items = prioritise(STATES, COSTS, {}, RULES)
    assert [i.indicator for i in items] == ["2.3", "2.2", "5.2", "2.8", "1.1", "1.2", "2.11", "2.6"]
    assert [i.rank for i in items] == list(range(1, 9))
    by = {i.indicator: i for i in items}
    assert by["2.3"].cost == 900_000_000 and by["2.3"].quantity == 1.0
    assert by["2.2"].cost == 2_400_000_000 and by["2.2"].quantity == 2.0
    assert by["2.8"].cost == 3_000_000_000 and by["2.8"].quantity == 2.0
    assert by["5.2"].cost is None
    assert by["2.2"].gap == 5 and by["2.11"].gap == 0.0
    assert {by["2.11"].status, by["2.6"].status} == {"at_risk"}


def test_reasons_say_why():
    by = {i.indicator: i for i in prioritise(STATES, COSTS, {}, RULES)}
    assert by["2.3"].reason.startswith("Chỉ tiêu 2.3 chưa đạt, còn thiếu 5 điểm % (khoảng cách nhỏ)")
    assert "xếp đầu tiên" in by["2.3"].reason
    assert "xếp sau 2.3 vì chi phí cao hơn" in by["2.2"].reason
    assert "chưa có đơn giá trong danh mục chi phí" in by["5.2"].reason
    assert "xếp sau 2.2 (cùng mức khoảng cách) vì chưa có chi phí ước tính" in by["5.2"].reason
    assert "xếp sau 5.2 vì khoảng cách lớn hơn" in by["2.8"].reason
    assert "ngang 1.1 về mọi mặt nên xếp theo mã chỉ tiêu" in by["1.2"].reason
    assert "giảm 5 điểm % so với năm trước (từ 95 xuống 90)" in by["2.11"].reason
    assert "sát ngưỡng (chỉ hơn 0,5 điểm %)" in by["2.6"].reason
    for item in by.values():
        assert item.reason.endswith(".") and item.reason.count(".") >= 1


def test_residents_priority_lifts_an_item_within_its_band():
    items = prioritise(STATES, COSTS, {"5": 2}, RULES)  # criterion 5 asked for first at the consultation
    assert [i.indicator for i in items][:3] == ["5.2", "2.3", "2.2"]
    assert "người dân ưu tiên mức 2" in items[0].reason
    assert "xếp sau 5.2 vì người dân ưu tiên thấp hơn" in items[1].reason
    # the indicator's own weight wins over its criterion's
    items = prioritise(STATES, COSTS, {"5": 2, "5.2": 0}, RULES)
    assert items[0].indicator == "2.3"


def test_deterministic_whatever_the_input_order():
    a = prioritise(STATES, COSTS, {}, RULES)
    b = prioritise(list(reversed(STATES)), COSTS, {}, RULES)
    assert a == b


def test_at_risk_slips_smaller_first():
    items = prioritise([pct("2.4", "2", 88, 80, "x", 10, last=95), pct("2.3", "2", 95, 80, "y", 10, last=100)], {}, {},
                       RULES)
    assert [i.indicator for i in items] == ["2.3", "2.4"]  # slipped 5 before slipped 7
    assert "xếp sau 2.3 vì giảm nhiều hơn so với năm trước" in items[1].reason


def test_natural_order_of_codes_for_ties():
    items = prioritise([yes_no("2.10", "2"), yes_no("2.9", "2")], {}, {}, RULES)
    assert [i.indicator for i in items] == ["2.9", "2.10"]


def test_rules_come_from_data_with_source():
    rules = prioritise_rules()
    assert rules.bands[0].label == "nhỏ" and rules.source and rules.trust == "U"


def test_progress_between_baseline_and_target():
    assert progress(80, 100, 90) == 0.5
    assert progress(80, 100, 120) == 1.0 and progress(80, 100, 70) == 0.0
    assert progress(5, 0, 2) == 0.6  # "≤" indicators: households in temporary houses 5 → 0, now 2
    assert progress(False, True, True) == 1.0 and progress(False, True, False) == 0.0
    assert progress(80, 100, None) is None


def test_formats():
    assert fmt(1234.5) == "1.234,5" and fmt(5.0) == "5"
    assert money(2_400_000_000) == "2,4 tỷ đồng" and money(350_000_000) == "350 triệu đồng"
