"""`make bench`, part "exchange": the province Excel import, the matrix export, the commune documents.

- import: the province office (`tinh`) uploads the 2026 template of every commune of Thanh Hóa
  (147 communes × the year's raw fields, ≈ 10,700 cells), most cells edited; measured as the
  confirmation does it (`imports.confirm_import`: the file read once, conflicts, `write_figures` —
  validation, figures, history, audit — and the communes' stored evaluations recomputed in the same
  transaction, as production does for up to 5,000 unit-years), after an untimed preview that gives
  the digest. Two files alternate (values A→B, then B→A) so every round writes real changes. Floor:
  openpyxl's read-only parse of the same file (every row of every sheet), interleaved.
  `import_ratio` = import ÷ parse (medians).
- export: `reports.excel.matrix_workbook` for 454 and 908 communes × 19 criteria; `export_908_s`.
- documents: the commune report of Xã Thọ Long as PDF and .docx through the test client;
  `pdf_s` = the slower of the two medians.
"""

from __future__ import annotations

import random
import statistics
from decimal import Decimal
from io import BytesIO

from bench.common import interleaved, timed

ROUNDS = 5


def run() -> dict[str, float]:
    from django.test.utils import override_settings

    from bench.thanhhoa import build

    with override_settings(DEBUG=False):  # as in production: no query log, no debug templates
        return _run(build)


def _run(build) -> dict[str, float]:

    world = build(communes=200)
    print(f"world: {world['seconds']:.0f} s")
    out = {}
    out.update(measure_import(world))
    out.update(measure_export())
    out.update(measure_documents(world))
    return out


def measure_import(world) -> dict[str, float]:
    from django.contrib.auth.models import User
    from openpyxl import load_workbook

    from ntm.criteria.evaluate import Classification
    from ntm.criteria.loader import province_view, registry
    from ntm.demo.synth import Target, synthesize
    from ntm.figures import excel
    from ntm.figures.imports import _fields, confirm_import, plan_import
    from ntm.figures.models import FigureChange
    from ntm.figures.services import derived_fields, values_for
    from ntm.testing import YEAR
    from ntm.units.models import Unit

    province = world["province"]
    targets = list(Unit.objects.filter(level="commune", kind="xã", scheme="current", province=province)
                   .order_by("search_name").values("id", "code", "full_name", "name", "level", "region"))
    fields = {k: f for k, f in _fields(province, targets, YEAR).items() if k not in derived_fields()}  # as the template
    before = values_for([t["id"] for t in targets], [YEAR])
    specs, base = province_view(registry(), province.code), world["base"]
    after: dict[tuple[int, int], dict] = {}
    for i, t in enumerate(targets):  # another story per commune: most values change, every rule holds
        values, _ = synthesize(specs, base.code, Classification(region=t["region"], group=2), YEAR,
                               Target(level="ntm"), random.Random(10_000 + i))
        after[(t["id"], YEAR)] = {k: Decimal(str(round(v, 4))) for k, v in values.items()}
    file_a = edited(excel.template(YEAR, list(fields.values()), targets, before), targets, fields, after)
    file_b = edited(excel.template(YEAR, list(fields.values()), targets, after), targets, fields, before)
    cells = sum(1 for t in targets for f in fields if after[(t["id"], YEAR)].get(f) is not None)
    user = User.objects.get(username="tinh")
    by_code = {t["code"]: t for t in targets}
    files = [file_a, file_b]
    written = []

    def parse():
        wb = load_workbook(BytesIO(files[0]), read_only=True, data_only=True)
        for ws in wb.worksheets:
            for _row in ws.iter_rows(values_only=True):
                pass
        wb.close()

    def preview() -> str:  # the upload's preview, a request of its own: not timed
        plan = plan_import(user, files[len(written) % 2], YEAR, by_code, fields)
        assert plan.ok and not plan.conflicts, (plan.errors[:3], plan.conflicts[:3])
        return plan.digest

    def confirm(digest: str) -> None:
        plan, result, outcome = confirm_import(user, files[len(written) % 2], YEAR, by_code, fields, digest=digest,
                                               source="bench", confirm=True)
        assert outcome == "written", (outcome, plan.errors[:3])
        written.append(result.written)

    history = FigureChange.objects.count()
    parse(), confirm(preview())  # warm-up
    floors, works = [], []
    for _ in range(ROUNDS):
        floors.append(timed(parse))
        digest = preview()
        works.append(timed(lambda: confirm(digest)))  # noqa: B023 — called at once
    floor, work = statistics.median(floors), statistics.median(works)
    assert FigureChange.objects.count() == history + sum(written), "every change has its history row"
    print(f"import: {len(targets)} communes × {len(fields)} fields = {cells} cells ({min(written)}–{max(written)} "
          f"changed per upload); parse {floor:.3f} s, import {work:.3f} s (medians of {ROUNDS}), "
          f"ratio {work / floor:.2f}")
    return {"import_ratio": work / floor}


def edited(data: bytes, targets: list[dict], fields: dict, values: dict) -> bytes:
    """The downloaded template with its data cells replaced by `values` (as a user edits it in Excel)."""
    from openpyxl import load_workbook

    from ntm.figures import excel
    from ntm.testing import YEAR

    wb = load_workbook(BytesIO(data))
    ws = wb[excel.sheet_name(YEAR)]
    codes = list(fields)
    for r, t in enumerate(targets, start=excel.HEADER_ROWS + 1):
        row = values.get((t["id"], YEAR), {})
        for c, code in enumerate(codes, start=3):
            ws.cell(r, c).value = row.get(code)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def measure_export() -> dict[str, float]:
    from ntm.reports.excel import matrix_workbook

    criteria = [(str(i), f"Tiêu chí {i}") for i in range(1, 20)]
    rng = random.Random(1)
    rows = [{"code": f"{i:05d}", "full_name": f"Xã {i}", "parent__name": f"Huyện {i % 27}",
             "level": rng.choice(["ntm", "nang_cao", "kieu_mau", "", None]), "criteria_met": rng.randint(0, 19),
             "cells": [rng.choice([True, False, None]) for _ in criteria]} for i in range(908)]
    t454, t908 = interleaved(lambda: matrix_workbook("T", 2024, "S", criteria, rows[:454]),
                             lambda: matrix_workbook("T", 2024, "S", criteria, rows), rounds=ROUNDS)
    print(f"matrix export: 454 rows {t454:.3f} s, 908 rows {t908:.3f} s (×{t908 / t454:.2f} for ×2 rows)")
    return {"export_908_s": t908}


def measure_documents(world) -> dict[str, float]:
    from django.urls import reverse

    from ntm.testing import YEAR, login

    client = login("xa")
    unit = world["tho_long"]
    pdf, docx = reverse("unit_report", args=[unit.pk, YEAR]), reverse("unit_report_docx", args=[unit.pk, YEAR])

    def get(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200 and len(response.content) > 1000

    get(pdf), get(docx)  # warm-up: fonts, templates
    pdfs, docxs = [], []
    for _ in range(ROUNDS):
        pdfs.append(timed(lambda: get(pdf)))
        docxs.append(timed(lambda: get(docx)))
    p, d = statistics.median(pdfs), statistics.median(docxs)
    print(f"commune report: PDF {p:.3f} s, .docx {d:.3f} s (medians of {ROUNDS}, through the test client)")
    return {"pdf_s": max(p, d)}
