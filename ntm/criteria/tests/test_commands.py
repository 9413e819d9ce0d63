"""The criteria and evaluate commands, end to end on a real database."""

import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from ntm.criteria.models import CriteriaSet

FIX = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.django_db


def run(*args, capsys):
    call_command(*args)
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def sets():
    for name in ("t-ntm", "t-nc", "t-km", "t-group"):
        call_command("criteria", "load", str(FIX / f"{name}.toml"), "--format", "json")


def test_load_is_idempotent_and_versioned(sets, capsys, tmp_path):
    capsys.readouterr()
    again = run("criteria", "load", str(FIX / "t-ntm.toml"), "--format", "json", capsys=capsys)
    assert again == {"code": "t-ntm", "version": 1, "created": False}
    changed = tmp_path / "t-ntm.toml"
    changed.write_text((FIX / "t-ntm.toml").read_text().replace("value = 80", "value = 85"))
    assert run("criteria", "load", str(changed), "--format", "json", capsys=capsys)["version"] == 2
    assert CriteriaSet.objects.filter(code="t-ntm").count() == 2


def test_published_version_is_immutable(sets):
    row = CriteriaSet.objects.get(code="t-ntm", version=1)
    row.name = "sửa"
    with pytest.raises(ValidationError):
        row.save()
    with pytest.raises(ValidationError):
        row.delete()


def test_bad_file_names_the_line_and_stores_nothing():
    with pytest.raises(CommandError) as exc:
        call_command("criteria", "load", str(FIX / "bad-coverage.toml"))
    assert "bad-coverage.toml:12" in str(exc.value)
    assert not CriteriaSet.objects.filter(code="t-bad").exists()


def test_requires_an_unknown_set_is_refused():
    with pytest.raises(CommandError, match="chưa được nạp"):
        call_command("criteria", "load", str(FIX / "t-nc.toml"))


def test_show_lists_thresholds(sets, capsys):
    capsys.readouterr()
    data = run("criteria", "show", "t-ntm", "--format", "json", capsys=capsys)
    income = data["criteria"][0]["indicators"][0]
    assert {"code", "name", "kind", "unit", "thresholds"} <= income.keys()
    assert {"region": "TDMNPB", "year_from": 2020, "year_to": 2021, "op": ">=", "value": 30, "verified": False}.items() <= income["thresholds"][1].items()
    listing = run("criteria", "list", "--format", "json", capsys=capsys)
    assert {r["code"] for r in listing} >= {"t-ntm", "t-nc", "t-km", "t-group"}


def test_unknown_set(sets):
    with pytest.raises(CommandError, match="Không có bộ tiêu chí 'nope'"):
        call_command("criteria", "show", "nope")


def test_evaluate_from_values_file(sets, capsys, tmp_path):
    values = tmp_path / "v.json"
    values.write_text(json.dumps({"1": 66, "temp_houses": 0, "2.2": 90, "has_plan": True, "smart_hamlets": 1}))
    capsys.readouterr()
    data = run("evaluate", "--set", "t-km", "--region", "BTB", "--year", "2021", "--values", str(values), "--format", "json",
               capsys=capsys)
    assert data["level"] == "kieu_mau"
    assert data["criteria_met"] == 2


def test_evaluate_by_group(sets, capsys, tmp_path):
    values = tmp_path / "v.json"
    values.write_text('{"income_per_capita": 60, "1.2": 2.5}')
    capsys.readouterr()
    data = run("evaluate", "--set", "t-group", "--group", "3", "--year", "2026", "--values", str(values), "--format", "json",
               capsys=capsys)
    assert data["level"] == "ntm"


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"1": 50,\n "x.9": 3}', "v.json:2: 'x.9' không phải mã chỉ tiêu"),
        ('{"1": 50,\n "2.2": "nhiều"}', "v.json:2: giá trị của '2.2' phải là số"),
        ('{"1": 50,\n', "v.json:2:"),
        ("[1, 2]", "cần một đối tượng JSON"),
    ],
)
def test_evaluate_bad_values_file(sets, tmp_path, content, message):
    values = tmp_path / "v.json"
    values.write_text(content)
    with pytest.raises(CommandError, match=message.replace(".", r"\.").replace("(", r"\(")):
        call_command("evaluate", "--set", "t-ntm", "--region", "BTB", "--year", "2021", "--values", str(values))


def test_evaluate_year_outside_every_set(sets, tmp_path):
    values = tmp_path / "v.json"
    values.write_text("{}")
    with pytest.raises(CommandError, match="không cho năm 2031"):
        call_command("evaluate", "--set", "t-ntm", "--region", "BTB", "--year", "2031", "--values", str(values))


def test_province_publishes_stricter_thresholds_for_its_own_units(sets, capsys):
    from ntm.criteria.evaluate import Classification, evaluate
    from ntm.criteria.loader import province_view, registry

    call_command("criteria", "load", str(FIX / "t-ntm-38.toml"))
    values = {"income_per_capita": 42, "temp_houses": 0, "2.2": 90, "has_plan": True}
    national = evaluate(registry(), "t-ntm", Classification(region="BTB"), 2021, values)
    thanh_hoa = evaluate(province_view(registry(), "38"), "t-ntm", Classification(region="BTB"), 2021, values)
    assert national.level == "ntm"
    assert thanh_hoa.level is None  # 42 < 44, the province's own threshold
    assert evaluate(province_view(registry(), "01"), "t-ntm", Classification(region="BTB"), 2021, values).level == "ntm"


def test_province_cannot_loosen_the_national_frame(sets):
    with pytest.raises(CommandError, match="lỏng hơn ngưỡng quốc gia"):
        call_command("criteria", "load", str(FIX / "bad-looser-38.toml"))


def test_evaluate_unit_year_outside_every_set(sets):
    with pytest.raises(CommandError, match="năm 2009"):
        call_command("evaluate", "--unit", "15505", "--legacy", "--year", "2009")


def test_the_registry_held_asks_the_database_once_then_as_before(sets, django_assert_num_queries):
    """`registry.held()` (the national recompute, one year): the first call checks for a newer
    published set, later calls in the block answer from it; after the block every call checks again."""
    from ntm.criteria.loader import registry

    registry()
    with registry.held():
        with django_assert_num_queries(1):
            specs = registry()
            assert registry() is specs and registry.versions()
    with django_assert_num_queries(2):
        registry()
        registry()
