"""The ledger's pure rules against hand-computed values; limits come from data with sources."""

from decimal import Decimal as D

from ntm.funding import ledger
from ntm.funding.config import rules
from ntm.funding.ledger import Entry


def test_rules_are_data_with_sources():
    r = rules()
    assert r.project_cap.value == 5_000_000_000 and "27/2022" in r.project_cap.source
    assert r.board_max_members.value == 5 and r.board_max_deputies.value == 2 and "59/2023" in r.board_max_members.source
    assert r.agreement_share.value == 0.5 and r.agreement_strict
    assert set(r.exemptions) == {"poor", "elderly_alone", "disability", "hardship", "policy"}
    s2022 = r.structure_for(2022)
    assert s2022.shares["credit"] == 0.703 and s2022.trust == "V"
    assert "enterprise" not in r.structure_for(2027).shares  # cut off in the source: not guessed


def test_values_totals_and_reversals():
    rows = [
        Entry("community_cash", 2015, amount=D(2_000_000)),
        Entry("workdays", 2015, quantity=D(120), rate=D(150_000)),  # 18.000.000 đồng
        Entry("land", 2015, quantity=D("350.5"), rate=None),  # donated land with no valuation: 0 đồng, 350,5 m²
        Entry("community_cash", 2015, amount=D(-2_000_000)),  # a reversal
        Entry("central_budget", 2016, amount=D(1_000_000_000)),
    ]
    t = ledger.totals(rows)
    assert t["community_cash"]["value"] == 0
    assert t["workdays"] == {"value": D(18_000_000), "quantity": D(120)}
    assert t["land"] == {"value": 0, "quantity": D("350.5")}
    assert ledger.by(rows, "year") == {2015: D(18_000_000), 2016: D(1_000_000_000)}


def test_shares_against_the_national_structure():
    t = ledger.totals([Entry("central_budget", 2022, amount=D(300)), Entry("credit", 2022, amount=D(700))])
    rows = {r.group: r for r in ledger.shares(t, rules(), 2022)}
    assert rows["central"].share == 0.3 and rows["credit"].share == 0.7 and rows["community"].share == 0
    assert rows["credit"].national == 0.703 and rows["community"].national == 0.035


def test_residents_decision_needs_more_than_half():
    assert ledger.decision_errors(attendance=80, eligible=100, agreeing=51, rules=rules()) == []
    errors = ledger.decision_errors(attendance=80, eligible=100, agreeing=50, rules=rules())
    assert len(errors) == 1 and "50,0%" in errors[0] and "trên 50%" in errors[0]
    assert ledger.decision_errors(attendance=120, eligible=100, agreeing=90, rules=rules())[0].startswith("Số người dự họp")


def test_contribution_rules():
    r = rules()
    assert ledger.contribution_errors(source="community_cash", rules=r, decision_ok=True, obligation=False,
                                      amount=D(1)) == []
    assert "họp dân" in ledger.contribution_errors(source="community_cash", rules=r, decision_ok=None, obligation=False,
                                                   amount=D(1))[0]
    assert ledger.contribution_errors(source="community_cash", rules=r, decision_ok=False, obligation=False, amount=D(1))
    exempt = ledger.contribution_errors(source="community_cash", rules=r, decision_ok=True, obligation=True,
                                        exemption="poor", amount=D(1))
    assert exempt and "Hộ nghèo" in exempt[0]
    # an exempt household may still give of its own will
    assert ledger.contribution_errors(source="community_cash", rules=r, decision_ok=True, obligation=False,
                                      exemption="poor", amount=D(1)) == []
    assert ledger.contribution_errors(source="central_budget", rules=r, decision_ok=None, obligation=False,
                                      amount=D(1)) == []
    assert "số lượng" in ledger.contribution_errors(source="workdays", rules=r, decision_ok=True, obligation=False,
                                                    amount=D(1))[0]
    assert ledger.over_ceiling(D(600_000), D(500_000)) and not ledger.over_ceiling(D(500_000), D(500_000))


def test_special_mechanism_and_board_limits():
    r = rules()
    assert ledger.project_errors(total=D(5_000_000_000), type_listed=True, unit_level="commune", rules=r) == []
    over = ledger.project_errors(total=D(5_000_000_001), type_listed=True, unit_level="commune", rules=r)
    assert len(over) == 1 and "5.000.000.000" in over[0]
    assert len(ledger.project_errors(total=D(1), type_listed=False, unit_level="province", rules=r)) == 2
    assert ledger.board_errors(["head", "deputy", "deputy", "member", "member"], r) == []
    assert "tối đa 5" in ledger.board_errors(["head", "deputy", "member", "member", "member", "member"], r)[0]
    assert "tối đa 2 phó" in ledger.board_errors(["head", "deputy", "deputy", "deputy"], r)[0]
    assert "một trưởng ban" in ledger.board_errors(["head", "head"], r)[0]


def test_budget_vs_mobilised():
    rows = ledger.budget_vs_mobilised({"central_budget": D(100), "community_cash": D(50)}, {"central_budget": D(120)})
    assert rows == [
        {"source": "central_budget", "planned": D(100), "mobilised": D(120), "remaining": D(0), "share": 1.2},
        {"source": "community_cash", "planned": D(50), "mobilised": D(0), "remaining": D(50), "share": 0.0},
    ]
