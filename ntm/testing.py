"""A small, real world for web tests: real criteria sets, demo logins, figures for a few
communes of Thanh Hóa (evaluated by the engine), and one outsider commune in Hà Nội."""

from __future__ import annotations

import io
import random
from decimal import Decimal

from django.core.management import call_command

from ntm.criteria.evaluate import Classification, base_set_for
from ntm.criteria.loader import province_view, registry
from ntm.demo.synth import Target, synthesize
from ntm.demo.users import ensure_users
from ntm.evaluations.recompute import recompute_all
from ntm.figures.models import Figure
from ntm.units.models import Classification as UnitClass
from ntm.units.models import Lineage, Unit

YEAR = 2026


def build_world(communes: int = 12) -> dict:
    call_command("criteria", "load-all", stdout=io.StringIO())
    tho_long = Unit.objects.get(scheme="current", level="commune", code="15505")
    Unit.objects.get_or_create(scheme=Unit.Scheme.LOCAL, code="15505-01", defaults=dict(
        level=Unit.Level.HAMLET, kind="thôn", name="Thôn 1", full_name="Thôn 1, Xã Thọ Long", parent=tho_long,
        province=tho_long.province, region=tho_long.region))
    ensure_users()
    specs = province_view(registry(), "38")
    base = base_set_for(specs, "commune", YEAR)
    picked = list(Unit.objects.filter(scheme="current", province__code="38", kind="xã").exclude(pk=tho_long.pk).order_by("code")[:communes])
    rows = []
    for i, unit in enumerate([tho_long, *picked]):
        UnitClass.objects.get_or_create(unit=unit, scheme="group", value="2", year_from=YEAR)
        fail = {"3"} if unit == tho_long else ({str(1 + i % 10)} if i % 3 else set())
        values, _ = synthesize(specs, base.code, Classification(region=unit.region, group=2), YEAR,
                               Target(fail=fail, level=None if fail else "ntm"), random.Random(i))
        rows += [Figure(unit=unit, year=YEAR, field=k, value=Decimal(str(round(v, 4)))) for k, v in values.items()]
    Figure.objects.bulk_create(rows)
    recompute_all(years=[YEAR])
    outsider = Unit.objects.get(scheme="current", level="commune", code="00004")  # Phường Ba Đình, Hà Nội
    Figure.objects.create(unit=outsider, year=YEAR, field="income_per_capita", value=Decimal("99.5"))
    return {"tho_long": tho_long, "outsider": outsider, "province": tho_long.province, "base": base}


def login(username: str, password: str = "ntm-demo"):
    """A test client signed in as one of the demo users."""
    from django.test import Client

    client = Client()
    assert client.login(username=username, password=password), f"cannot sign in as {username}"
    return client


def _outsider_rows() -> dict:
    """{model label: factory(outsider unit) → one saved row belonging to that unit}. The scope sweep
    (accounts/tests/test_model_scope.py) proves none of them reaches a Thanh Hóa user."""
    from django.contrib.auth.models import User

    from ntm.accounts.models import AuditEntry, Grant
    from ntm.evaluations.models import Evaluation, LevelChange, RecomputeJob
    from ntm.figures.models import Figure, FigureChange, Period
    from ntm.recognition.testing import outsider_rows as recognition_rows
    from ntm.reports.models import MapLayer

    def figure(u):
        return Figure.objects.get_or_create(unit=u, year=YEAR, field="households_total", defaults={"value": 7})[0]

    return {
        "units.Unit": lambda u: u,
        "units.Lineage": lambda u: Lineage.objects.filter(target=u).first(),
        "units.Classification": lambda u: UnitClass.objects.create(unit=u, scheme="group", value="3", year_from=2026),
        "accounts.Grant": lambda u: Grant.objects.create(user=User.objects.create_user(f"hn-{u.pk}"), unit=u, role="commune"),
        "accounts.AuditEntry": lambda u: AuditEntry.objects.create(action="figures.form", unit=u, object_type="x", object_id="1"),
        "figures.Figure": figure,
        "figures.FigureChange": lambda u: FigureChange.objects.create(figure=figure(u), new_value=7),
        "figures.Period": lambda u: Period.objects.create(province=u.province, year=2030, closed=True),
        "evaluations.Evaluation": lambda u: Evaluation.all_rows.get_or_create(
            unit=u, year=2030, defaults={"set_code": "x", "criteria_met": 0, "criteria_total": 0, "result": {}})[0],
        "evaluations.LevelChange": lambda u: LevelChange.objects.create(unit=u, year=2030, to_level="ntm", reason="figures"),
        "evaluations.RecomputeJob": lambda u: RecomputeJob.objects.create(province=u.province),
        **recognition_rows(),
        "reports.MapLayer": lambda u: MapLayer.objects.create(province=u.province, kind="communes", data={}, credit="x",
                                                              matched=0),
    }


class _LazyRows(dict):
    """Built on first use, so importing ntm.testing needs no app registry."""

    def _fill(self):
        if not super().__len__():
            self.update(_outsider_rows())

    def __contains__(self, key):
        self._fill()
        return super().__contains__(key)

    def items(self):
        self._fill()
        return super().items()


OUTSIDER_ROWS = _LazyRows()
