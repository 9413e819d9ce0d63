"""Uploaded boundaries: matched by code, clear Vietnamese errors, nothing stored on bad input."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ntm.reports.geo import GeoError, parse_layer
from ntm.reports.models import MapLayer
from ntm.testing import YEAR

SQUARE = {"type": "Polygon", "coordinates": [[[105, 19], [105.1, 19], [105.1, 19.1], [105, 19]]]}


def collection(*codes):
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": c}, "geometry": SQUARE} for c in codes]}


def test_parse_counts_matches_and_lists_the_rest():
    data, matched, unmatched = parse_layer(json.dumps(collection("15505", "99999")).encode(), {"15505"})
    assert (matched, unmatched) == (1, ["99999"])


@pytest.mark.parametrize("raw, message", [
    (b"{nope", "dòng 1"), (b'{"type": "Feature"}', "FeatureCollection"),
    (json.dumps(collection("1")).encode(), "Không vùng nào khớp"),
    (json.dumps({"type": "FeatureCollection", "features": [{"properties": {}, "geometry": SQUARE}]}).encode(), "thiếu properties.code"),
])
def test_bad_files_are_explained(raw, message):
    with pytest.raises(GeoError, match=message):
        parse_layer(raw, {"15505"})


WORLD_COMMUNES = 2


@pytest.mark.django_db
def test_admin_uploads_a_layer_and_the_dashboard_uses_it(world):
    admin = Client()
    admin.login(username="admin", password="ntm-demo")
    bad = SimpleUploadedFile("x.geojson", b"{nope")
    r = admin.post(reverse("map_upload"), {"province": "38", "kind": "communes", "credit": "Sở TNMT", "file": bad})
    assert "không phải GeoJSON hợp lệ" in r.content.decode() and not MapLayer.objects.exists()
    good = SimpleUploadedFile("x.geojson", json.dumps(collection("15505")).encode())
    r = admin.post(reverse("map_upload"), {"province": "38", "kind": "communes", "credit": "Sở TNMT Thanh Hóa", "file": good})
    assert r.status_code == 302
    tinh = Client()
    tinh.login(username="tinh", password="ntm-demo")
    body = tinh.get(reverse("dashboard", args=[world["province"].pk]), {"year": YEAR}).content.decode()
    layer = MapLayer.objects.get()
    assert reverse("map_layer", args=[layer.pk]) in body and "Sở TNMT Thanh Hóa" in body
    assert tinh.get(reverse("map_upload")).status_code == 404
