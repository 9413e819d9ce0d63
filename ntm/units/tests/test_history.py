"""Reorganisations before 2025 as dated lineage (data/history-38.toml), on the real unit lists."""

import datetime as dt
import json

import pytest
from django.core.management import call_command

from ntm.units.loader import HistoryError, history_code, load_history
from ntm.units.models import Lineage, Unit

pytestmark = pytest.mark.django_db
DEC_2019, DEC_2024 = dt.date(2019, 12, 1), dt.date(2024, 12, 1)


def names(links, attr="source"):
    return sorted(getattr(link, attr).name for link in links)


def test_a_2019_merged_commune_traces_to_its_predecessors_its_2025_successor_and_its_current_unit():
    stats = load_history()
    assert stats.reorganisations[0] == "786/NQ-UBTVQH14 (01/12/2019)"
    xuan_hong = Unit.objects.get(scheme="legacy", code="15493")
    assert xuan_hong.full_name == "Xã Xuân Hồng" and xuan_hong.valid_from == DEC_2019
    links = Lineage.objects.filter(target=xuan_hong).select_related("source__parent")
    assert names(links) == ["Thọ Nguyên", "Xuân Khánh", "Xuân Thành"]
    assert {link.date for link in links} == {DEC_2019}
    # each predecessor under its GSO code of the time (15493 was Thọ Nguyên's until 2019) and the year it ended
    assert sorted(link.source.code for link in links) == ["15490-2019", "15493-2019", "15496-2019"]
    old = links[0].source
    assert old.parent.code == "395" and old.province.code == "38" and old.valid_to == dt.date(2019, 11, 30)
    assert old.is_valid_on(dt.date(2019, 1, 1)) and not old.is_valid_on(dt.date(2020, 1, 1))
    # … and forward, through the 2025 reform, to the commune of today
    current = list(xuan_hong.successors.all())
    assert len(current) == 1 and current[0].scheme == "current" and current[0].valid_from == dt.date(2025, 7, 1)


def test_tho_xuan_had_38_communes_until_2019_and_27_after():
    load_history()

    def communes(day):
        return [u for u in Unit.objects.filter(scheme="legacy", parent__code="395", kind="xã") if u.is_valid_on(day)]

    assert len(communes(dt.date(2019, 1, 1))) == 38
    assert len(communes(dt.date(2020, 1, 1))) == 27
    # the three towns absorbed a commune each and took its GSO code
    tho_xuan = Unit.objects.get(scheme="legacy", code="15499")
    assert names(tho_xuan.predecessor_links.select_related("source")) == ["Hạnh Phúc", "Thọ Xuân"]


def test_dong_son_district_flows_into_thanh_hoa_city_in_2024():
    load_history()
    dong_son = Unit.objects.get(scheme="legacy", code="405-2024")
    assert (dong_son.level, dong_son.full_name, dong_son.valid_to) == ("district", "Huyện Đông Sơn", dt.date(2024, 11, 30))
    assert [u.code for u in dong_son.successors.all()] == ["380"]
    communes = dong_son.children.filter(level="commune")
    assert sum(u.is_valid_on(dt.date(2024, 1, 1)) for u in communes) == 14  # + Đông Anh and Đông Khê until 2019
    dong_hoang = Unit.objects.get(scheme="legacy", code="16381")  # the same commune, now of Thành phố Thanh Hóa
    assert dong_hoang.valid_from == DEC_2024 and dong_hoang.parent.code == "380"
    assert [u.code for u in dong_hoang.predecessors.all()] == ["16381-2024"]
    # Đông Khê: formed in 2019 (Đông Anh + Đông Khê), part of Đông Sơn until 2024, of the city since
    dong_khe_2019 = Unit.objects.get(scheme="legacy", code="16408-2024")
    assert dong_khe_2019.valid_from == DEC_2019 and dong_khe_2019.parent.code == "405-2024"
    assert names(dong_khe_2019.predecessor_links.select_related("source")) == ["Đông Anh", "Đông Khê"]


def test_a_unit_that_absorbed_another_keeps_its_code_and_validity():
    load_history()
    phu_son = Unit.objects.get(scheme="legacy", code="14770")
    assert phu_son.valid_from is None
    assert [u.name for u in phu_son.predecessors.all()] == ["Tân Sơn"]


def test_second_load_writes_nothing(capsys):
    call_command("units", "load-history", "--format", "json")
    first = json.loads(capsys.readouterr().out)
    assert first["units_created"] == 153 and first["lineage_created"] > 100
    call_command("units", "load-history", "--format", "json")
    again = json.loads(capsys.readouterr().out)
    assert (again["units_created"], again["units_updated"], again["lineage_created"]) == (0, 0, 0)


def test_a_bad_file_names_every_problem_and_writes_nothing(tmp_path):
    bad = tmp_path / "history-99.toml"
    bad.write_text("""
[[reorganisation]]
resolution = "TEST/NQ"
effective = 2019-12-01
  [[reorganisation.merge]]
  into = "99999"
  new = true
  district = "395"
  from = [{ code = "90001", name = "A" }]
  [[reorganisation.merge]]
  into = "15493"
  district = "395"
  from = [{ code = "90002", name = "B", basis = "guessed" }]
[[reorganisation]]
resolution = "NO-DATE/NQ"
""", encoding="utf-8")
    with pytest.raises(HistoryError) as exc:
        load_history([bad])
    text = "\n".join(exc.value.errors)
    assert "99999" in text and "merge 2" in text and "guessed" in text and "lần sắp xếp 2" in text
    assert not Unit.objects.filter(code__endswith="-2019").exists()


def test_history_codes_fit_the_code_column():
    load_history()
    codes = list(Unit.objects.filter(scheme="legacy", code__contains="-").values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == 153
    assert history_code("15490", DEC_2019) == "15490-2019"
    assert max(map(len, codes)) <= Unit._meta.get_field("code").max_length
