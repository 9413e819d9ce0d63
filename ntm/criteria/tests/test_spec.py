from pathlib import Path

import pytest

from ntm.criteria.spec import SpecError, load_file

FIX = Path(__file__).parent / "fixtures"


def test_missing_coverage_and_unknown_field_are_reported_with_lines():
    with pytest.raises(SpecError) as exc:
        load_file(FIX / "bad-coverage.toml")
    text = "\n".join(exc.value.errors)
    assert "bad-coverage.toml:12" in text and "thiếu ngưỡng cho năm 2020, vùng DBSH" in text
    assert "bad-coverage.toml:23" in text and "no_such_field" in text


def test_syntax_error_names_the_line():
    with pytest.raises(SpecError) as exc:
        load_file(FIX / "bad-syntax.toml")
    assert "bad-syntax.toml:5" in exc.value.errors[0]


def test_provisional_value_cannot_claim_verified(tmp_path):
    text = (FIX / "t-nc.toml").read_text().replace('value = 60, verified = true, source = "test"',
                                                   'value = 60, verified = true, source = "provisional: guess"')
    path = tmp_path / "x.toml"
    path.write_text(text)
    with pytest.raises(SpecError, match="provisional"):
        load_file(path)


def test_bool_threshold_must_be_true_or_false(tmp_path):
    text = (FIX / "t-ntm.toml").read_text().replace("value = true", 'value = "Đạt"')
    path = tmp_path / "x.toml"
    path.write_text(text)
    with pytest.raises(SpecError, match="true/false"):
        load_file(path)
