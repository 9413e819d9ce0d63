"""One figure saved through the entry form answers with the evaluation the write path computed
(figures.signals `detail`), not a second evaluation: the answer must be the one a live evaluation
of the stored figures gives, byte for byte, whether the level moves or not."""

import re

import pytest
from django.urls import reverse

import ntm.figures.views as views
from ntm.evaluations import recompute
from ntm.evaluations.recompute import recompute_units
from ntm.figures.live import live_outcome
from ntm.figures.models import Figure
from ntm.figures.services import values_for
from ntm.testing import YEAR, login

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _post(client, unit, field, value):
    r = client.post(reverse("figure_save", args=[unit.pk, YEAR, field]), {"value": value, "source": "x"}, **HTMX)
    assert r.status_code == 200, r.content[:300]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", r.content.decode())


@pytest.mark.parametrize("field", ["income_per_capita", "commune_master_plan_valid"])
def test_the_saved_fields_answer_equals_the_live_evaluations(world, monkeypatch, field):
    unit, client = world["tho_long"], login("xa")
    start = Figure.objects.get(unit=unit, year=YEAR, field=field).value
    # away and back: the criterion (and the level) changes both ways
    values = [format(start.normalize(), "f").replace(".", ","), "0" if start else "1"]
    seq = [values[1], values[0], values[1], values[0]]
    reused = [_post(client, unit, field, v) for v in seq]
    asked = []
    real = views.set_figure

    def without_detail(*args, **kwargs):  # the form as it was: the write path computes, the view evaluates again
        asked.append(kwargs.pop("detail"))
        return real(*args, **kwargs)

    monkeypatch.setattr(views, "set_figure", without_detail)
    live = [_post(client, unit, field, v) for v in seq]
    assert asked == [True] * 4
    assert reused == live
    assert reused[0] != reused[1]  # the two values give different answers: the test compares something


def test_the_recompute_keeps_what_a_live_evaluation_gives(world):
    unit = world["tho_long"]
    keep = {}
    recompute_units([unit.pk], [YEAR], keep=keep)
    kept, live = keep[(unit.pk, YEAR)], live_outcome(unit, YEAR)
    assert kept.result.as_dict() == live.result.as_dict()
    assert dict(kept.values) == dict(live_values(unit))
    assert (kept.set_code, kept.set_version, kept.error) == (live.set_code, live.set_version, live.error)


def live_values(unit):
    return values_for([unit.pk], [YEAR], derived=True)[(unit.pk, YEAR)]


def test_an_outcome_that_read_the_units_past_is_not_kept(world, monkeypatch):
    """The live evaluation gives no `past` (the unit's own history for relative thresholds): an outcome
    whose targets came from it would differ, so the form evaluates again for that unit."""
    unit = world["tho_long"]
    monkeypatch.setattr(recompute, "past_keys", lambda specs: {"income_per_capita@ntm_year"})
    monkeypatch.setattr(recompute, "past_for", lambda ids, keys: {unit.pk: {"income_per_capita@ntm_year": 1.0}})
    keep = {}
    recompute_units([unit.pk], [YEAR], keep=keep)
    assert (unit.pk, YEAR) in keep  # 2026 sets read no past: the same answer with or without it
    monkeypatch.setattr("ntm.criteria.evaluate.Evaluation.reads_past", lambda self: True)
    keep = {}
    recompute_units([unit.pk], [YEAR], keep=keep)
    assert keep == {}


def test_the_answers_dict_holds_what_asdict_gives(world):
    """Evaluation.as_dict copies criteria and indicators shallowly (their fields are plain values)."""
    from dataclasses import asdict, fields

    result = live_outcome(world["tho_long"], YEAR).result
    data = result.as_dict()
    assert data["criteria"] == [asdict(c) for c in result.base.criteria]
    assert data["indicators"] == [asdict(i) for i in result.base.indicators]
    for item in [*result.base.criteria, *result.base.indicators]:
        assert all(v is None or isinstance(v, str | int | float | bool) for v in (getattr(item, f.name) for f in fields(item)))
