"""Write the Thanh Hóa demo: figures from the story, hamlets, commune groups; then recompute.

Idempotent: a (unit, year, field) that already has a figure — the demo's or a user's — is left
alone, and a finished demo is detected and skipped.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction

from ntm.community import demo as community_demo
from ntm.core.text import fold
from ntm.criteria.classify import ClassRow, classify
from ntm.criteria.evaluate import EvaluationError, base_set_for
from ntm.criteria.loader import province_view, registry
from ntm.evaluations.models import Evaluation
from ntm.evaluations.rollup import at_least
from ntm.figures.models import Figure
from ntm.figures.rules import accepts_year
from ntm.figures.services import CellInput, write_figures
from ntm.funding import demo as funding_demo
from ntm.ocop import demo as ocop_demo
from ntm.plans import demo as plans_demo
from ntm.practices import demo as practices_demo
from ntm.recognition import demo as recognition_demo
from ntm.units.loader import load_history
from ntm.units.models import REFORM_DATE, Classification, Lineage, Unit

from . import story
from .models import DemoRun
from .synth import Target, synthesize
from .users import PASSWORD, ensure_users

PROVINCE = "38"
SEED = 2026
SOURCE = "Dữ liệu mẫu (demo) — không phải số liệu thật"
DBKK = ClassRow("flag", "dbkk", 2021, 2025)  # specially disadvantaged in 2021–2025: TDMNPB thresholds


def demo_done() -> bool:
    return DemoRun.objects.filter(seed=SEED).exists()


def run(log: Callable[[str], None] = print) -> None:
    if demo_done():
        log("✔ Dữ liệu mẫu đã có (bỏ qua)")
    else:
        _generate(log)
    created = ensure_users()
    if created:
        log(f"✔ Tài khoản mẫu (mật khẩu {PASSWORD}): {', '.join(created)}")
    plans_demo.load(log)
    funding_demo.load(log)
    recognition_demo.load(log)
    ocop_demo.load(log)
    community_demo.load(log)
    practices_demo.load(log)


def _generate(log: Callable[[str], None]) -> None:
    specs = province_view(registry(), PROVINCE)
    figures: list[Figure] = []
    with transaction.atomic():
        load_history()  # the demo's years before 2025 run on the units of their time (idempotent)
        paths, communes = _legacy_communes(specs, figures)
        log(f"  · {len(communes)} xã (trước 2025), {len(figures)} số liệu")
        _districts(specs, paths, figures)
        hamlets = _hamlets(specs, paths, figures)
        log(f"  · {hamlets} thôn của huyện Thọ Xuân")
        _current_communes(specs, paths, figures)
        if MISSES:
            log(f"  ! {len(MISSES)} đơn vị-năm không khớp chính xác kịch bản (vd. {MISSES[:3]})")
        log(f"  · {len(figures)} số liệu mẫu: kiểm tra, ghi và đánh giá…")
        # The one write path, as every door: same checks (period, years, kinds, values); recompute follows.
        write_figures(None, [CellInput(f.unit_id, f.year, f.field, f.value) for f in figures], source=SOURCE,
                      door="demo", system=True)
        DemoRun.objects.create(seed=SEED)
    count = Evaluation.objects.filter(unit__province__code=PROVINCE).count() + Evaluation.objects.filter(
        unit__code=PROVINCE, unit__level="province").count()
    log(f"✔ Dữ liệu mẫu Thanh Hóa: {count} kết quả đánh giá")


MISSES: list[str] = []


def _synth(specs, base_code, cls, year, target, rng, sizes=None) -> dict[str, float]:
    values, exact = synthesize(specs, base_code, cls, year, target, rng, sizes)
    if not exact:
        MISSES.append(f"{base_code} {year}")
    return values


def _figures(unit_id: int, year: int, values: dict[str, float], skip: set[str] = frozenset()) -> list[Figure]:
    return [
        Figure(unit_id=unit_id, year=year, field=k, value=Decimal(str(round(float(v), 4))), source=SOURCE)
        for k, v in values.items()
        if k not in skip
    ]


def _sizes(rng: random.Random) -> dict[str, float]:
    households = rng.randint(900, 2600)
    return {"households_total": households, "population_total": round(households * rng.uniform(3.3, 3.9)),
            "hamlets_total": rng.randint(5, 14), "schools_total": rng.randint(3, 5)}


def _years(valid_from, valid_to, last: int = story.LAST_LEGACY_YEAR) -> tuple[int, int]:
    """(first, last) year a unit existed on 1 January, within the demo's years (ntm.figures.rules.accepts_year)."""
    years = [y for y in range(story.FIRST_YEAR, last + 1) if accepts_year(valid_from, valid_to, y)]
    return (years[0], years[-1]) if years else (last + 1, last)


def _legacy_communes(specs, figures):
    """Every xã of Thanh Hóa before the 2025 reform, the units of their time included (those that ended
    in the 2019 and 2024 reorganisations): figures only for the years each existed."""
    units = list(
        Unit.objects.filter(scheme=Unit.Scheme.LEGACY, level=Unit.Level.COMMUNE, province__code=PROVINCE, kind="xã")
        .values("id", "code", "region", "parent__code", "valid_from", "valid_to")
    )
    spans = {u["code"]: _years(u["valid_from"], u["valid_to"]) for u in units}
    paths = story.plan_communes([(u["code"], u["parent__code"]) for u in units], SEED, spans)
    flags = [
        Classification(unit_id=u["id"], scheme="flag", value="dbkk", year_from=2021, year_to=2025, source=SOURCE)
        for u in units if paths[u["code"]].dbkk
    ]
    Classification.objects.bulk_create(flags)
    for u in units:
        path = paths[u["code"]]
        rng = random.Random(f"{SEED}-{u['code']}-sizes")
        sizes = _sizes(rng)
        if u["code"] == story.NAM_GIANG:  # seed 000: 1,876 households, 6,350 people
            sizes.update(households_total=1876, population_total=6350)
        for year in range(path.first_year, path.last_year + 1):
            try:
                base = base_set_for(specs, "commune", year)
            except EvaluationError:  # no set loaded for that year
                continue
            codes = [c.code for c in base.criteria]
            cls = classify(u["region"], [DBKK] if path.dbkk else [], year)
            target = Target(fail=path.failing(year, codes), level=path.level(year))
            values = _synth(specs, base.code, cls, year, target, random.Random(f"{SEED}-{u['code']}-{year}"), sizes)
            figures += _figures(u["id"], year, values)
    return paths, units


ROLLUP_FIELDS = {"communes_total", "communes_ntm", "communes_nang_cao"}


def _districts(specs, paths, figures) -> None:
    by_district: dict[str, list[story.CommunePath]] = defaultdict(list)
    for p in paths.values():
        by_district[p.district].append(p)
    for d in Unit.objects.filter(scheme=Unit.Scheme.LEGACY, level=Unit.Level.DISTRICT, province__code=PROVINCE).values(
        "id", "code", "region", "valid_from", "valid_to"
    ):
        communes = by_district.get(d["code"], [])
        if not communes:
            continue
        first, last = _years(d["valid_from"], d["valid_to"])
        met_year = story.district_ntm_year(d["code"], [p for p in communes if p.exists(last)])
        for year in range(max(2016, first), last + 1):
            try:
                base = base_set_for(specs, "district", year)
            except EvaluationError:
                continue
            levels = [p.level(year) or "" for p in communes if p.exists(year)]  # its communes of that year
            fixed = {"communes_total": float(len(levels)),
                     "communes_ntm": float(sum(at_least(lvl, "ntm") for lvl in levels)),
                     "communes_nang_cao": float(sum(at_least(lvl, "nang_cao") for lvl in levels))}
            rng = random.Random(f"{SEED}-{d['code']}-{year}")
            from_communes = _rollup_failures(base, fixed)  # e.g. < 100 % of communes NTM, < 10 % advanced
            reached = met_year is not None and year >= met_year and not from_communes
            fail = set() if reached else (from_communes or {rng.choice(sorted(c.code for c in base.criteria))})
            target = Target(fail=fail, level="ntm" if reached else None, fixed=fixed)
            cls = classify(d["region"], [], year)
            values = _synth(specs, base.code, cls, year, target, rng)
            figures += _figures(d["id"], year, values, skip=ROLLUP_FIELDS)


def _rollup_failures(base, fixed) -> set[str]:
    """District criteria that fail on the communes' results alone, whatever the district's own figures."""
    from ntm.criteria.evaluate import Classification, evaluate_set

    probe = evaluate_set(base, Classification(region="BTB"), base.year_from, fixed)
    return {c.code for c in probe.criteria if c.met is False}


CONDITION = "1"  # thon-kieu-mau-2021: "Thôn thuộc xã đạt chuẩn NTM hoặc đã được công nhận thôn, bản đạt chuẩn NTM"


def _hamlets(specs, paths, figures) -> int:
    """Hamlets of Thọ Xuân's communes (thôn are not in the official lists), with their
    post-2025 continuations under the new communes, and model-hamlet figures 2019–2025.

    The hamlet condition "belongs to an NTM commune or is a recognised hamlet" (criterion 1 of
    thon-kieu-mau-2021) follows the commune's own path: met when the commune is NTM that year or the
    hamlet was recognised in an earlier year, never met otherwise."""
    communes = list(  # the communes of 30/06/2025 (27): hamlets are kept from 2019 on, under the communes of then
        Unit.objects.filter(scheme=Unit.Scheme.LEGACY, level=Unit.Level.COMMUNE, parent__code=story.THO_XUAN, kind="xã")
        .exclude(code__contains="-").order_by("code").prefetch_related("successors")
    )
    rng = random.Random(f"{SEED}-hamlet-count")
    old, new, links = [], [], []
    for c in communes:
        successor = c.successors.first()
        for i in range(1, rng.randint(5, 9) + 1):
            name = f"Thôn {i}"
            old.append(Unit(scheme=Unit.Scheme.LOCAL, code=f"{c.code}-{i:02d}", level=Unit.Level.HAMLET, kind="thôn",
                            name=name, full_name=f"{name}, {c.full_name}", parent=c, province=c.province,
                            region=c.region, valid_from=c.valid_from, valid_to=c.valid_to))
            if successor:
                new.append(Unit(scheme=Unit.Scheme.LOCAL, code=f"{successor.code}-{c.code}-{i:02d}", level=Unit.Level.HAMLET,
                                kind="thôn", name=name, full_name=f"{name} ({c.name}), {successor.full_name}",
                                parent=successor, province=successor.province, region=successor.region,
                                valid_from=REFORM_DATE))
    for u in old + new:
        u.search_name = fold(u.full_name)
    Unit.objects.bulk_create(old + new)
    new_by_code = {u.code.split("-", 1)[1]: u for u in new}
    links = [Lineage(source=u, target=new_by_code[u.code], date=REFORM_DATE) for u in old if u.code in new_by_code]
    Lineage.objects.bulk_create(links)
    years = story.hamlet_years(len(old), SEED)
    parent_code = {c.pk: c.code for c in communes}
    for hamlet, km_year in zip(old, years, strict=True):
        path = paths[parent_code[hamlet.parent_id]]
        for year in range(max(2019, path.first_year), story.LAST_LEGACY_YEAR + 1):
            try:
                base = base_set_for(specs, "hamlet", year)
            except EvaluationError:
                continue
            hrng = random.Random(f"{SEED}-{hamlet.code}-{year}")
            condition = path.level(year) is not None or (km_year is not None and year > km_year)
            reached = condition and km_year is not None and year >= km_year
            codes = [c.code for c in base.criteria]
            others = [c for c in codes if c != CONDITION]
            fail = set() if reached else set(hrng.sample(others, k=min(len(others), hrng.randint(1, 3))))
            if not condition:
                fail.add(CONDITION)
            target = Target(fail=fail, level=base.level if reached else None)
            values = _synth(specs, base.code, classify(hamlet.region, [], year), year, target, hrng,
                                {"households_total": hrng.randint(120, 400)})
            figures += _figures(hamlet.pk, year, values)
    return len(old)


def _current_communes(specs, paths, figures) -> None:
    """The 147 current xã of Thanh Hóa: commune groups, and 2026 figures against 51/2025,
    their chances set by what their predecessors had reached in 2025."""
    year = story.NEW_SET_YEAR
    try:
        base = base_set_for(specs, "commune", year)
    except EvaluationError:
        return
    units = list(
        Unit.objects.filter(scheme=Unit.Scheme.CURRENT, level=Unit.Level.COMMUNE, province__code=PROVINCE, kind="xã")
        .prefetch_related("predecessors__parent")
    )
    groups = []
    for u in units:
        preds = list(u.predecessors.all())
        group = story.group_2026({p.parent.code for p in preds if p.parent}, any(p.kind == "thị trấn" for p in preds))
        groups.append(Classification(unit=u, scheme="group", value=str(group), year_from=year, source=SOURCE))
        rng = random.Random(f"{SEED}-{u.code}-{year}")
        levels = [paths[p.code].level(2025) if p.code in paths else None for p in preds]
        if levels and all(at_least(lvl or "", "nang_cao") for lvl in levels):
            chance = 0.75
        elif levels and all(lvl for lvl in levels):
            chance = 0.45
        else:
            chance = 0.1
        codes = [c.code for c in base.criteria]
        meets = rng.random() < chance
        fail = set() if meets else set(rng.sample(codes, k=rng.randint(1, 4)))
        level = None if fail else ("hien_dai" if chance > 0.7 and rng.random() < 0.15 else "ntm")
        cls = classify(u.region, [], year)
        cls = type(cls)(region=cls.region, group=group, flags=cls.flags)
        values = _synth(specs, base.code, cls, year, Target(fail=fail, level=level), rng, _sizes(rng))
        figures += _figures(u.pk, year, values)
    Classification.objects.bulk_create(groups)
