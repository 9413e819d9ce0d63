"""Malformed and hostile boundary files (ntm/reports/tests/files): each is uploaded through the
page by an administrator and gets its exact Vietnamese message(s), naming the feature; nothing
is stored, nothing audited. The two files of shared/cases are among them."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ntm.accounts.models import AuditEntry
from ntm.reports import geo
from ntm.reports.models import MapLayer
from ntm.testing import login

FILES = Path(__file__).parent / "files"
WORLD_COMMUNES = 1
GEOMETRY_OBJECT = 'cần một đối tượng {"type": "Polygon" hoặc "MultiPolygon", "coordinates": […]}'
TL = "Vùng thứ 1 (mã “15505”, tên “Thọ Long”)"

REFUSED = {
    "geometry-is-string.geojson": [f"Vùng thứ 1 (mã “15505”): hình học (geometry) là chuỗi văn bản “Polygon”, {GEOMETRY_OBJECT}"],
    "nan-coordinates.geojson": [f"{TL}, vòng 1: toạ độ NaN không phải là số"],
    "infinity-coordinates.geojson": ["Vùng thứ 1 (mã “15505”), phần 1, vòng 1: toạ độ -Infinity không phải là số"],
    "deep-nesting.geojson": ["Tệp không phải GeoJSON hợp lệ: lồng nhau quá sâu (hàng nghìn tầng ngoặc)"],
    "deep-coordinates.geojson": [f"{TL}, vòng 1: mỗi điểm phải là [kinh độ, vĩ độ], không phải một danh sách 1 phần tử"],
    "not-json.geojson": ["Tệp không phải GeoJSON hợp lệ: dòng 1, cột 2: cần tên thuộc tính trong ngoặc kép"],
    "not-utf8.geojson": ["Tệp không phải văn bản UTF-8 (byte thứ 107): hãy xuất lại GeoJSON với mã hoá UTF-8"],
    "binary.geojson": ["Tệp không phải văn bản UTF-8 (byte thứ 129): hãy xuất lại GeoJSON với mã hoá UTF-8"],
    "empty.geojson": ["Tệp rỗng"],
    "single-feature.geojson": ["Cần một FeatureCollection (GeoJSON) có danh sách features"],
    "features-empty.geojson": ["FeatureCollection không có vùng nào (features rỗng)"],
    "geometry-point.geojson": [f"{TL}: hình học phải là Polygon hoặc MultiPolygon, không phải “Point”"],
    "geometry-missing.geojson": [f"{TL}: thiếu hình học (geometry)"],
    "code-missing.geojson": ["Vùng thứ 1 (tên “Thọ Long”): thiếu properties.code (mã đơn vị hành chính)"],
    "code-object.geojson": ["Vùng thứ 1 (tên “Thọ Long”): properties.code phải là mã đơn vị (chữ số), không phải một đối tượng"],
    "coordinates-text.geojson": [f"{TL}, vòng 1: toạ độ phải là số, không phải chuỗi văn bản “105”"],
    "coordinates-boolean.geojson": [f"{TL}, vòng 1: toạ độ phải là số, không phải giá trị true/false"],
    "coordinates-projected.geojson": [
        f"{TL}, vòng 1: toạ độ [587000.5, 2103000.0] nằm ngoài phạm vi kinh độ −180…180, vĩ độ −90…90"],
    "ring-too-short.geojson": [f"{TL}, vòng 1: cần ít nhất 4 điểm (điểm cuối trùng điểm đầu)"],
    "multipolygon-bad-part.geojson": [
        f"{TL}, phần 2: Polygon cần danh sách các vòng toạ độ, không phải chuỗi văn bản “Polygon”"],
    "duplicate-code.geojson": ["Vùng thứ 2 (mã “15505”, tên “Thọ Long (bản 2)”): trùng mã với vùng thứ 1"],
    "feature-is-string.geojson": ["Vùng thứ 1: phải là một đối tượng Feature, không phải chuỗi văn bản “<script>alert(1)</script>”"],
    "name-is-object.geojson": ["Vùng thứ 1 (mã “15505”): properties.name phải là văn bản, không phải một đối tượng"],
    "two-bad-features.geojson": [
        f"Vùng thứ 2 (mã “15506”, tên “Xuân Lập”): hình học (geometry) là chuỗi văn bản “MultiPolygon”, {GEOMETRY_OBJECT}",
        "Vùng thứ 3 (mã “15507”), vòng 1: toạ độ NaN không phải là số"],
    "no-code-matches.geojson": ["Không vùng nào khớp mã với đơn vị của tỉnh này"],
}


def test_every_file_in_the_corpus_is_covered():
    accepted = {"html-in-feature-name.geojson", "properties-kept-as-text.geojson", "utf8-bom.geojson"}
    assert {p.name for p in FILES.glob("*.geojson")} == set(REFUSED) | accepted
    assert len(REFUSED) >= 25


def upload(client, name: str, content: bytes):
    return client.post(reverse("map_upload"), {"province": "38", "kind": "communes", "credit": "Sở TNMT",
                                               "file": SimpleUploadedFile(name, content)})


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_with_its_message_and_nothing_written(world, name):
    audits = AuditEntry.objects.count()
    r = upload(login("admin"), name, (FILES / name).read_bytes())
    assert r.status_code == 200
    assert r.context["form"].errors["file"] == REFUSED[name]
    body = r.content.decode()
    assert "<script>alert(1)</script>" not in body  # shown as text, escaped
    assert not MapLayer.objects.exists() and AuditEntry.objects.count() == audits


@pytest.mark.django_db
def test_html_in_names_is_stored_as_text_and_served_as_json(world):
    r = upload(login("admin"), "x.geojson", (FILES / "html-in-feature-name.geojson").read_bytes())
    assert r.status_code == 302
    layer = MapLayer.objects.get()
    names = [f["properties"]["name"] for f in layer.data["features"]]
    assert names[1] == "<img src=x onerror=\"document.title='XSS-'+document.cookie.length;window.__xss=1\">"
    served = login("tinh").get(reverse("map_layer", args=[layer.pk]))
    assert served["Content-Type"] == "application/json" and served.json() == layer.data


@pytest.mark.django_db
def test_only_geometry_and_text_properties_are_kept(world):
    r = upload(login("admin"), "x.geojson", (FILES / "properties-kept-as-text.geojson").read_bytes())
    assert r.status_code == 302
    feature = MapLayer.objects.get().data["features"][0]
    assert feature["properties"] == {"code": "15505", "name": "<b>Thọ Long</b>", "fullName": "Xã <i>Thọ Long</i>"}
    assert set(feature) == {"type", "properties", "geometry"}


def test_a_byte_order_mark_is_accepted():
    data, matched, _ = geo.parse_layer((FILES / "utf8-bom.geojson").read_bytes(), {"15505"})
    assert matched == 1


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused_unread(world):
    big = b" " * (geo.MAX_BYTES + 1)
    r = upload(login("admin"), "big.geojson", big)
    assert r.context["form"].errors["file"] == ["Tệp quá lớn (20,0 MB; tối đa 20 MB)"]
    assert not MapLayer.objects.exists()
    with pytest.raises(geo.GeoError, match=r"^Tệp quá lớn \(20,0 MB; tối đa 20 MB\)$"):
        geo.parse_layer(big, {"15505"})


def test_too_many_features_are_refused():
    square = {"type": "Polygon", "coordinates": [[[105, 19], [105.1, 19], [105.1, 19.1], [105, 19]]]}
    features = [{"type": "Feature", "properties": {"code": str(i)}, "geometry": square} for i in range(geo.MAX_FEATURES + 1)]
    raw = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    with pytest.raises(geo.GeoError) as exc:
        geo.parse_layer(raw, {"1"})
    assert exc.value.errors == ["Tệp có 20.001 vùng, tối đa 20.000"]


def test_too_many_points_are_refused():
    ring = [[1, 1]] * (geo.MAX_POSITIONS // 2 + 1)
    features = [{"type": "Feature", "properties": {"code": str(i)}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
                for i in range(2)]
    raw = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")).encode()
    assert len(raw) < geo.MAX_BYTES
    with pytest.raises(geo.GeoError) as exc:
        geo.parse_layer(raw, {"1"})
    assert exc.value.errors == ["Tệp có hơn 2.000.000 điểm toạ độ: hãy đơn giản hoá ranh giới trước khi nạp"]


@pytest.mark.django_db
def test_the_page_states_the_limits(world):
    body = login("admin").get(reverse("map_upload")).content.decode()
    assert "Giới hạn: tệp tối đa 20 MB, 20.000 vùng, 2.000.000 điểm toạ độ" in body
