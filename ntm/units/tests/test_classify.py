"""Province offices classify communes: the group from the decision's inputs (data), audited, and
the stored evaluations follow at once."""

import pytest
from django.urls import reverse

from ntm.accounts.models import AuditEntry
from ntm.evaluations.models import Evaluation, LevelChange
from ntm.testing import YEAR, login
from ntm.units.models import Classification, Unit
from ntm.units.rules import suggest_group

WORLD_COMMUNES = 1


@pytest.mark.parametrize("inputs, group", [
    ({"adjacent_urban": True}, 1),
    ({"agriculture_share": 9.99}, 1),
    ({"agriculture_share": 10}, 2),
    ({"new_urban_area": True, "ethnic_area": "III"}, 1),
    ({"ethnic_area": "II"}, 3),
    ({"ethnic_area": "III", "agriculture_share": 45}, 3),
    ({"ethnic_area": "I"}, 2),
    ({}, 2),
])
def test_the_decisions_rules_give_the_group(inputs, group):
    answer = suggest_group(inputs)
    assert answer.group == group and "51/2025/QĐ-TTg" in answer.source


pytestmark = pytest.mark.django_db


def test_province_office_sets_a_group_and_the_evaluation_follows(world):
    unit = world["tho_long"]
    before = Evaluation.objects.get(unit=unit, year=YEAR)
    r = login("tinh").post(reverse("unit_classify", args=[unit.pk]),
                           {"agriculture_share": "8,5", "ethnic_area": "", "source": "QĐ 123/QĐ-UBND ngày 05/01/2026"})
    assert r.status_code == 302
    row = Classification.objects.get(unit=unit, scheme="group")
    assert (row.value, row.inputs["agriculture_share"], row.source) == ("1", 8.5, "QĐ 123/QĐ-UBND ngày 05/01/2026")
    entry = AuditEntry.objects.get(action="units.classify")
    assert entry.before["group"] == 2 and entry.after["group"] == 1 and entry.unit == unit
    after = Evaluation.objects.get(unit=unit, year=YEAR)
    assert after.computed_at > before.computed_at
    assert after.result["cls"][1] == 1  # evaluated as group 1 now
    if after.level != before.level:
        assert LevelChange.objects.filter(unit=unit, reason="classification").exists()


def test_a_group_needs_its_source_and_a_commune_cannot_classify_itself(world):
    unit = world["tho_long"]
    r = login("tinh").post(reverse("unit_classify", args=[unit.pk]), {"adjacent_urban": "on", "source": ""})
    assert r.status_code == 200 and "This field" not in r.content.decode()
    assert Classification.objects.get(unit=unit, scheme="group").value == "2"
    assert login("xa").post(reverse("unit_classify", args=[unit.pk]), {"source": "x"}).status_code == 403
    assert login("tinh").get(reverse("unit_classify", args=[world["outsider"].pk])).status_code == 404


def test_the_province_list_counts_communes_without_a_group(world):
    r = login("tinh").get(reverse("unit_classify", args=[world["province"].pk]))
    body = r.content.decode()
    total = Unit.objects.filter(province=world["province"], level="commune", kind="xã").count()
    with_group = Classification.objects.filter(unit__province=world["province"], scheme="group").count()
    assert f"{total - with_group} xã chưa có nhóm" in body


def test_flags_of_a_pre_2025_commune(world):
    nam_giang = Unit.objects.get(scheme="legacy", code="15505")
    r = login("tinh").post(reverse("unit_classify", args=[nam_giang.pk]), {"flags": ["dbkk"], "source": "QĐ 861/QĐ-TTg"})
    assert r.status_code == 302
    row = Classification.objects.get(unit=nam_giang, scheme="flag")
    assert (row.value, row.year_from, row.year_to) == ("dbkk", 2021, 2025)
    assert AuditEntry.objects.filter(action="units.flags", unit=nam_giang).exists()


def test_groups_by_excel_round_trip_all_or_nothing(world):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import load_workbook

    client = login("tinh")
    url = reverse("unit_classify", args=[world["province"].pk])
    wb = load_workbook(BytesIO(client.get(url, {"template": "1"}).content))
    ws = wb["Nhóm xã 2026-2030"]
    rows = {str(r[0].value): r[0].row for r in ws.iter_rows(min_row=3)}
    tho_long = rows["15505"]
    ws.cell(tho_long, 6, "III")
    ws.cell(tho_long, 8, "QĐ 45/QĐ-UBND")
    other = next(r for code, r in rows.items() if code != "15505")
    ws.cell(other, 4, "một trăm")

    def upload(book):
        out = BytesIO()
        book.save(out)
        return client.post(url, {"file": SimpleUploadedFile("g.xlsx", out.getvalue())})

    body = upload(wb).content.decode()
    assert f"Trang “Nhóm xã 2026-2030”, dòng {other}, cột D: “một trăm” không phải là số" in body
    assert Classification.objects.get(unit=world["tho_long"], scheme="group").value == "2"  # nothing written
    ws.cell(other, 4, 35)
    for r in rows.values():
        ws.cell(r, 8, ws.cell(r, 8).value or "QĐ 45/QĐ-UBND")
    assert upload(wb).status_code == 302
    assert Classification.objects.get(unit=world["tho_long"], scheme="group").value == "3"
