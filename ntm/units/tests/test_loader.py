import pytest
from django.core.management import call_command

from ntm.units.loader import load_units
from ntm.units.models import Lineage, Unit

pytestmark = pytest.mark.django_db


def codes(qs):
    return sorted(u.code for u in qs)


def test_counts_per_level():
    count = lambda scheme, level: Unit.objects.filter(scheme=scheme, level=level).count()  # noqa: E731
    assert count("current", "province") == 34
    assert count("current", "commune") == 3321
    assert count("legacy", "province") == 63
    assert count("legacy", "district") == 696
    assert count("legacy", "commune") == 10051


def test_second_load_changes_nothing():
    stats = load_units()
    assert (stats.created, stats.updated, stats.lineage_created) == (0, 0, 0)


def test_ba_dinh_formed_from_ten_wards():
    ba_dinh = Unit.objects.get(scheme="current", code="00004")
    assert ba_dinh.full_name == "Phường Ba Đình"
    names = sorted(u.name for u in ba_dinh.predecessors.all())
    assert names == sorted(["Trúc Bạch", "Quán Thánh", "Ngọc Hà", "Điện Biên", "Đội Cấn", "Kim Mã", "Thụy Khuê",
                            "Đồng Xuân", "Cửa Đông", "Cửa Nam"])
    assert ba_dinh.valid_from.isoformat() == "2025-07-01" and ba_dinh.valid_to is None


def test_nam_giang_became_tho_long():
    nam_giang = Unit.objects.get(scheme="legacy", code="15505")
    assert nam_giang.full_name == "Xã Nam Giang"
    assert nam_giang.parent.full_name == "Huyện Thọ Xuân"
    assert nam_giang.province.full_name == "Tỉnh Thanh Hóa"
    assert nam_giang.valid_to.isoformat() == "2025-06-30"
    assert [u.full_name for u in nam_giang.successors.all()] == ["Xã Thọ Long"]
    assert nam_giang.region == "BTB"


def test_split_and_orphan_communes():
    split = Lineage.objects.filter(partial=True, source__level="commune").values("source").distinct().count()
    assert split >= 440
    orphans = Unit.objects.filter(scheme="legacy", level="commune", successor_links__isnull=True).count()
    assert orphans == 28


def test_lam_dong_region_is_per_commune():
    lam_dong = Unit.objects.get(scheme="current", code="68", level="province")
    assert sorted(u.name for u in lam_dong.predecessors.all()) == ["Bình Thuận", "Lâm Đồng", "Đắk Nông"]
    regions = set(Unit.objects.filter(province=lam_dong, level="commune").values_list("region", flat=True))
    assert {"TN", "DHNTB"} <= regions  # former Bình Thuận communes keep the coastal region


def test_units_show_json(capsys):
    call_command("units", "show", "15505", "--legacy", "--format", "json")
    import json

    data = json.loads(capsys.readouterr().out)
    assert data["parent"]["code"] == "395"
    assert data["successors"][0]["name"] == "Xã Thọ Long"
    assert data["region"] == "BTB"


def test_units_stats_json(capsys):
    call_command("units", "stats", "--format", "json")
    import json

    data = json.loads(capsys.readouterr().out)
    assert data["current"]["commune"] == 3321 and data["legacy"]["commune"] == 10051


def test_unknown_code_is_a_clear_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Không tìm thấy đơn vị mã '99999'"):
        call_command("units", "show", "99999")


def test_search_ignores_diacritics(capsys):
    call_command("units", "search", "tho xuan", "--format", "json")
    out = capsys.readouterr().out
    assert "Huyện Thọ Xuân" in out
