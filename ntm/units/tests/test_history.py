"""Reorganisations before 2025 as dated lineage (data/history-38.toml), on the real unit lists."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ntm.units.loader import HistoryError, history_code, load_history
from ntm.units.models import Lineage, Unit

pytestmark = pytest.mark.django_db


def test_a_2019_merged_commune_traces_to_its_predecessors_and_its_2025_successor():
    stats = load_history()
    assert "786/NQ-UBTVQH14 (16/10/2019)" in stats.reorganisations
    xuan_hong = Unit.objects.get(scheme="legacy", code="15493")
    assert xuan_hong.full_name == "Xã Xuân Hồng" and xuan_hong.valid_from == dt.date(2019, 10, 16)
    links = Lineage.objects.filter(target=xuan_hong).select_related("source")
    assert sorted(link.source.name for link in links) == ["Thọ Nguyên", "Xuân Khánh", "Xuân Thành"]
    assert {link.date for link in links} == {dt.date(2019, 10, 16)}
    old = links[0].source
    assert old.parent.code == "395" and old.province.code == "38" and old.valid_to == dt.date(2019, 10, 15)
    assert not old.is_valid_on(dt.date(2020, 1, 1)) and old.is_valid_on(dt.date(2018, 12, 31))
    # … and forward, through the 2025 reform, to the commune of today
    successors = [u for u in xuan_hong.successors.all()]
    assert len(successors) == 1 and successors[0].scheme == "current" and successors[0].valid_from == dt.date(2025, 7, 1)


def test_a_unit_that_absorbed_another_keeps_its_code_and_validity():
    load_history()
    lam_son = Unit.objects.get(scheme="legacy", code="15556")
    assert lam_son.valid_from is None  # thị trấn Lam Sơn existed before: it only grew
    assert [u.name for u in lam_son.predecessors.all()] == ["Xuân Lam"]


def test_second_load_writes_nothing(capsys):
    call_command("units", "load-history", "--format", "json")
    first = json.loads(capsys.readouterr().out)
    assert first["units_created"] == 13 and first["lineage_created"] == 13
    call_command("units", "load-history", "--format", "json")
    again = json.loads(capsys.readouterr().out)
    assert (again["units_created"], again["lineage_created"]) == (0, 0)


def test_a_bad_file_names_the_merge_and_writes_nothing(tmp_path):
    bad = tmp_path / "history-99.toml"
    bad.write_text("""
[[reorganisation]]
resolution = "TEST/NQ"
date = 2019-10-16
source = "test"
  [[reorganisation.merge]]
  into = "99999"
  new = true
  district = "395"
  from = [{ name = "A" }]
  [[reorganisation.merge]]
  into = "15493"
  new = true
  district = "380"
  from = [{ name = "B" }]
""", encoding="utf-8")
    with pytest.raises(HistoryError) as exc:
        load_history([bad])
    assert len(exc.value.errors) == 2 and "merge 1" in exc.value.errors[0] and "99999" in exc.value.errors[0]
    assert not Unit.objects.filter(code__startswith="h2019-").exists()
    with pytest.raises(CommandError):
        call_command("units", "show", history_code(2019, "395", "A"))


def test_history_codes_fit_the_code_column():
    load_history()
    codes = list(Unit.objects.filter(code__startswith="h2019-").values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == 13
    assert max(map(len, codes)) <= Unit._meta.get_field("code").max_length
