"""Figures, thresholds and gaps are shown with the decimals they need (5,44 — not 5,4400)."""

import pytest
from django.urls import reverse

from ntm.testing import YEAR, login

WORLD_COMMUNES = 1
pytestmark = pytest.mark.django_db


def test_saved_value_reads_back_without_trailing_zeros(world):
    unit = world["tho_long"]
    c = login("xa")
    r = c.post(reverse("figure_save", args=[unit.pk, YEAR, "income_per_capita"]), {"value": "345,5"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    entry = c.get(reverse("figure_entry", args=[unit.pk, YEAR])).content.decode()
    assert 'value="345,5"' in entry and "345,5000" not in entry
    history = c.get(reverse("figure_history", args=[unit.pk, YEAR, "income_per_capita"])).content.decode()
    assert "345,5" in history and ",5000" not in history
    scorecard = c.get(reverse("unit_detail", args=[unit.pk])).content.decode()
    assert "345,5" in scorecard and ",5000" not in scorecard and ",00<" not in scorecard
