"""`manage.py recognitions` and GET /api/units/{code}/recognitions: the same rows, the API scoped."""

import datetime as dt
import io
import json

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from ntm.recognition import services
from ntm.recognition.models import Recognition
from ntm.testing import login
from ntm.units.models import Unit

pytestmark = pytest.mark.django_db
WORLD_COMMUNES = 1


@pytest.fixture
def nam_giang(world):
    unit = Unit.objects.get(scheme="legacy", code="15505")
    Recognition.objects.filter(unit=unit).delete()
    admin = User.objects.get(username="admin")
    services.record_past(admin, unit, "ntm", 2016, "1234/QĐ-UBND (mẫu)", dt.date(2016, 12, 20), signer_name="Lê A")
    services.record_past(admin, unit, "nang_cao", 2023, "567/QĐ-UBND (mẫu)", dt.date(2023, 12, 28))
    return unit


EXPECTED = [
    {"unit": "15505", "level": "ntm", "year": 2016, "kind": "recorded", "status": "superseded",
     "decision": {"number": "1234/QĐ-UBND (mẫu)", "date": "2016-12-20", "signer": "Chủ tịch UBND tỉnh — Lê A",
                  "body": "Ủy ban nhân dân tỉnh"}},
    {"unit": "15505", "level": "nang_cao", "year": 2023, "kind": "recorded", "status": "in_force",
     "decision": {"number": "567/QĐ-UBND (mẫu)", "date": "2023-12-28", "signer": "Chủ tịch UBND tỉnh",
                  "body": "Ủy ban nhân dân tỉnh"}},
]


def test_command_json(nam_giang):
    out = io.StringIO()
    call_command("recognitions", "--unit", "15505", "--legacy", "--format", "json", stdout=out)
    assert json.loads(out.getvalue()) == EXPECTED
    out = io.StringIO()
    call_command("recognitions", "--unit", "15505", stdout=out)  # the current Thọ Long: none of its own
    assert "chưa có quyết định" in out.getvalue()
    with pytest.raises(CommandError, match="Không tìm thấy"):
        call_command("recognitions", "--unit", "99999")


def test_api_same_rows_and_scoped(nam_giang):
    assert login("xa").get("/api/units/15505/recognitions", {"legacy": "true"}).json() == EXPECTED
    assert login("tinh").get("/api/units/15505/recognitions?legacy=true").json() == EXPECTED
    assert login("xa").get("/api/units/00004/recognitions").status_code == 404  # Ba Đình, Hà Nội
    assert login("xa").get("/api/units/38/recognitions").status_code == 404  # the province: not in xa's scope
    assert login("tinh").get("/api/units/99999/recognitions").status_code == 404


def test_acknowledge_command(world, nam_giang):
    tho_long = world["tho_long"]
    Recognition.objects.filter(unit=tho_long).delete()
    preds = [p for p in tho_long.predecessors.all() if p != nam_giang]
    for p in preds:
        Recognition.objects.filter(unit=p).delete()
        services.record_past(User.objects.get(username="admin"), p, "ntm", 2018, "9/QĐ-UBND", dt.date(2018, 12, 1))
    out = io.StringIO()
    call_command("recognitions", "--acknowledge", "--province", "38", "--as", "admin", "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())
    assert {"unit": "15505", "name": "Xã Thọ Long", "level": "ntm", "year": 2018 if preds else 2016} in rows
    rec = Recognition.objects.get(unit=tho_long)
    assert rec.kind == "acknowledged" and set(rec.sources.values_list("unit__code", flat=True)) >= {"15505"}
