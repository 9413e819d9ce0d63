from ntm.criteria.classify import ClassRow, classify
from ntm.units.regions import legacy_province_regions, majority_region, successor_region


def test_every_legacy_province_has_one_region():
    regions = legacy_province_regions()
    assert len(regions) == 63
    assert regions[38] == "BTB" and regions[67] == "TN" and regions[60] == "DHNTB"


def test_successor_takes_the_majority_region():
    assert successor_region("00100", [("00100", "TN"), ("00101", "DHNTB"), ("00102", "DHNTB")]) == "DHNTB"


def test_tie_goes_to_the_predecessor_that_kept_its_code():
    assert successor_region("00200", [("00100", "TN"), ("00200", "DHNTB")]) == "DHNTB"


def test_tie_without_kept_code_goes_to_the_lowest_code():
    assert successor_region("00999", [("00300", "TN"), ("00200", "DHNTB")]) == "DHNTB"


def test_no_predecessor_no_region():
    assert successor_region("1", []) == ""
    assert majority_region([]) == ""


def test_classification_rows_by_year():
    rows = [ClassRow("group", "2", 2026, None), ClassRow("flag", "dbkk", 2021, 2023), ClassRow("region", "TDMNPB", 2024, None)]
    assert classify("BTB", rows, 2022).flags == {"dbkk"}
    assert classify("BTB", rows, 2024).region == "TDMNPB"
    assert classify("BTB", rows, 2027).group == 2
    assert classify("BTB", rows, 2025).group is None
