"""Recompute stored evaluations in bulk: a few reads, the pure engine, one bulk write.

Communes first, then the districts above them (district sets read their communes' results).
Every run is idempotent: the same figures, sets and classifications give the same rows, and a
run after a crash repairs whatever the crash left (`stale_pairs` finds what is out of date).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from contextlib import nullcontext

import orjson
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from ntm.core import faults, requestid, versions
from ntm.core.bulk import alongside, collector_paused, insert_values
from ntm.core.sql import Behind, as_float, id_list, in_ids, in_pairs, reading
from ntm.criteria.batch import UNIT_FIELDS, Outcome, evaluate_rows
from ntm.criteria.classify import class_rows
from ntm.criteria.evaluate import past_keys, past_values, sets_in_force, year_end
from ntm.criteria.loader import registry
from ntm.figures.models import Figure
from ntm.figures.rules import accepts_year
from ntm.figures.services import derived_values, grouped_rows, grouped_values, in_units, values_for, with_derived
from ntm.units.models import Unit

from .models import Evaluation, LevelChange
from .rollup import district_values

BATCH = 2000


_COLUMNS = ("unit_id", "year", "set_code", "set_version", "level", "criteria_met", "criteria_total", "met", "result",
            "error", "computed_at")
# PostgreSQL: every row in one statement, the rows sent as one JSON array (one parameter: dumped in C,
# parsed once by the server as jsonb — as json, each `->` re-parsed the row: 2.5× slower), each row a
# JSON array of the columns above but the last.
_PG_COLUMNS = ("(r->>0)::bigint", "(r->>1)::integer", "r->>2", "(r->>3)::integer", "r->>4", "(r->>5)::integer",
               "(r->>6)::integer", "r->7", "r->8", "r->>9")


def _dumps(value) -> str:
    """JSON text as stored (orjson: compact, UTF-8; a quarter of json.dumps' time)."""
    return orjson.dumps(value).decode()


def _upsert_sql(vendor: str) -> str:
    """One INSERT … ON CONFLICT (unit, year) DO UPDATE for a batch of stored rows (both databases)."""
    table = Evaluation._meta.db_table
    update = ", ".join(f"{c} = EXCLUDED.{c}" for c in _COLUMNS[2:])
    if vendor == "postgresql":
        source = f"SELECT {', '.join(_PG_COLUMNS)}, %s FROM jsonb_array_elements(%s::jsonb) AS r"
    else:
        source = f"VALUES ({', '.join(['%s'] * len(_COLUMNS))})"
    return f"INSERT INTO {table} ({', '.join(_COLUMNS)}) {source} ON CONFLICT (unit_id, year) DO UPDATE SET {update}"


def _store(outcomes: list[Outcome], unit_ids: list[int], years: list[int], reason: str) -> int:
    """Replace the stored rows of these units × years by the outcomes; a pair without an outcome (no
    figures left) loses its row. Level changes are written as rows of their own.

    Written with one `INSERT … ON CONFLICT DO UPDATE` (a single statement with the rows as one JSON
    parameter on PostgreSQL, one executemany on SQLite) rather than Django's bulk helpers, whose
    per-object cost was a third of the recompute (docs/benchmarks.md). Values are those the ORM would write: JSON as text,
    `computed_at` now (auto_now). Every write raises the `results` data version
    (ntm/core/versions.py): keep it when changing how rows are written, or dashboards and the
    portal serve old results."""
    rows = _stored_rows(outcomes)
    with connection.cursor() as cursor:
        before = _write_rows(cursor, rows, unit_ids, years, _now())
    _write_level_changes(_level_changes(outcomes, rows, before, reason))
    versions.bump(versions.RESULTS)  # dashboards and public pages cached on the old results miss (after commit)
    return len(rows)


def _now():
    """`computed_at` as the ORM would send it (auto_now)."""
    return Evaluation._meta.get_field("computed_at").get_db_prep_value(timezone.now(), connection)


def _stored_rows(outcomes: list[Outcome]) -> list[list]:
    """The stored columns (`_COLUMNS` but the last) of each outcome; JSON as text on SQLite, as objects
    on PostgreSQL (where the whole batch is dumped once)."""
    dumps = (lambda v: v) if connection.vendor == "postgresql" else _dumps
    rows = []
    for o in outcomes:
        ev = o.result
        if ev is None:
            rows.append([o.unit_id, o.year, o.set_code, o.set_version, "", 0, 0, dumps({}), dumps({}), o.error[:255]])
        else:
            base = ev.base
            rows.append([o.unit_id, o.year, base.set, o.set_version, ev.level or "", base.criteria_met,
                         base.criteria_total, dumps({c.code: c.met for c in base.criteria}), dumps(ev.compact()), ""])
    return rows


def _write_rows(cursor, rows: list[list], unit_ids: list[int], years: list[int], now) -> dict[tuple[int, int], tuple]:
    """Upsert `rows` and delete the stored rows of these units × years that have none; returns what
    stood before, {(unit, year): (level, error)}. Plain statements on `cursor` (any thread:
    `core.sql.Behind`)."""
    table = Evaluation._meta.db_table
    vendor = cursor.db.vendor
    pg = vendor == "postgresql"
    before: dict[tuple[int, int], tuple[str, str]] = {}
    written = False
    for start in range(0, len(unit_ids), BATCH):
        units, unit_params = in_ids("unit_id", unit_ids[start : start + BATCH], vendor)
        in_years, year_params = in_ids("year", years, vendor, "integer")
        select = f"SELECT unit_id, year, level, error FROM {table} WHERE {in_years} AND {units}"
        if pg and rows and len(unit_ids) <= BATCH:
            # one statement: the rows as they stood and the upsert (every part of a WITH reads the
            # same snapshot, so `before` holds the old values); one round trip less on a save
            cursor.execute(f"WITH before AS ({select}), up AS ({_upsert_sql(vendor)}) SELECT * FROM before",
                           year_params + unit_params + [now, _dumps(rows)])
            written = True
        else:
            cursor.execute(select, year_params + unit_params)
        before.update(((u, y), (lvl, err)) for u, y, lvl, err in cursor.fetchall())
    gone: dict[int, list[int]] = defaultdict(list)
    for unit_id, year in before.keys() - {(r[0], r[1]) for r in rows}:
        gone[year].append(unit_id)
    for year, ids in gone.items():
        for start in range(0, len(ids), BATCH):
            units, unit_params = in_ids("unit_id", ids[start : start + BATCH], vendor)
            cursor.execute(f"DELETE FROM {table} WHERE year = %s AND {units}", [year, *unit_params])
    if rows and pg and not written:
        cursor.execute(_upsert_sql(vendor), [now, _dumps(rows)])
    elif rows and not pg:
        cursor.executemany(_upsert_sql(vendor), [(*row, now) for row in rows])
    return before


_CHANGE_COLUMNS = ["unit", "year", "from_level", "to_level", "set_code", "set_version", "note"]


def _level_changes(outcomes: list[Outcome], rows: list[list], before: dict[tuple[int, int], tuple],
                   reason: str) -> list[tuple]:
    """The LevelChange rows (`_CHANGE_COLUMNS`, then reason and request id) for each unit-year whose
    stored level (or evaluability) differs from `before`, and for each stored row gone with its figures."""
    changes = []
    rid, reason = requestid.current() or "", str(reason)  # plain text (not a TextChoices member): rows go as JSON
    before = dict(before)
    for o, row in zip(outcomes, rows, strict=True):
        level = row[4]
        old_level, old_error = before.pop((o.unit_id, o.year), ("", None))
        if old_level != level or (old_error is not None and bool(old_error) != bool(o.error)):
            changes.append((o.unit_id, o.year, old_level, level, o.set_code, o.set_version, o.error[:255], reason, rid))
    for (unit_id, year), (old_level, _) in before.items():  # no figures any more: the row went
        if old_level:
            changes.append((unit_id, year, old_level, "", "", 0, "Không còn số liệu", reason, rid))
    return changes


def _write_level_changes(changes: list[tuple]) -> None:
    """Write `_level_changes` rows as plain tuples (`core.bulk.insert_values`): model instances and
    `bulk_create` cost 0.1 ms a row, most of a province import's evaluation store."""
    if changes:
        insert_values(LevelChange, [*_CHANGE_COLUMNS, "reason", "request_id"], changes, prepared=True)


@transaction.atomic(savepoint=False)
def recompute_units(unit_ids: list[int], years: list[int], with_parents: bool = True,
                    reason: str = LevelChange.Reason.FIGURES,
                    values: dict[tuple[int, int], dict[str, float]] | None = None,
                    keep: dict[tuple[int, int], Outcome] | None = None,
                    raw: dict[tuple[int, int], dict[str, float | None]] | None = None) -> int:
    """Recompute these units for these years; districts last (they read their communes' results).
    `values`: their figures already read ({(unit, year): {field: value}} with derived values, as
    `values_for(..., derived=True)` gives them); read here when None. `raw`: the same without derived
    values, added here (the figures a write hands over, figures.signals; only the pairs it holds are
    evaluated, as `values_for` gives only pairs with figures). Returns the number of stored rows
    written.

    Its own transaction when called alone; inside a caller's transaction (a figure saved) it takes
    no savepoint (two round trips on PostgreSQL): a failure here fails the caller's whole write.

    `keep`: a dict to fill with {(unit id, year): Outcome} evaluated with indicator detail, for a caller
    that shows them (the entry form) — only those equal to a live evaluation (`figures.live`, which
    gives no `past`): an outcome whose targets read the unit's own past is left out."""
    others, districts = _engine_units(unit_ids, with_parents)
    count = 0
    keys = _past_keys(years)
    # Thresholds relative to a unit's own past (691/QĐ-TTg: income ≥ 1,5 × the income of its NTM year)
    # read earlier years' stored results: then years go in order, oldest first.
    passes = [[y] for y in sorted(years)] if keys and len(years) > 1 else [list(years)]
    for these in passes:
        past = past_for([r["id"] for r in others], keys) if keys else None
        for start in range(0, len(others), BATCH):
            chunk = others[start : start + BATCH]
            ids = [r["id"] for r in chunk]
            # derived: values the layers above count for a unit (e.g. OCOP products in force, ntm.ocop)
            levels = {r["id"]: r["level"] for r in chunk}
            if values is not None:
                figures = values
            elif raw is not None:  # copies: derived values are added to them
                figures = _with_derived(raw, ids, these, True, levels)
            else:
                figures = values_for(ids, these, derived=True, levels=levels)
            count += _store(_evaluated(chunk, these, figures, class_rows(ids), past, keep), ids, these, reason)
    return count + recompute_districts(sorted(districts), years, reason, keep=keep)


def prepare_units(unit_ids: list[int], years: list[int], reason: str = LevelChange.Reason.FIGURES,
                  keep: dict[tuple[int, int], Outcome] | None = None) -> Callable[..., dict | None] | None:
    """`recompute_units(…, raw=…)` in two steps, for a write still sending its rows
    (figures.signals.figures_changing): what the engine needs besides the figures (units,
    classifications, derived values, past values, the published sets) is read now, for every unit
    the write may change; the step returned, step(unit_ids=…, years=…, values=…) with the units and
    years written and their raw figures, evaluates on the caller's thread without using the
    connection, and hands the store — and the districts above — to `core.bulk.alongside` (behind the
    write's own rows). It returns `keep`. None (recompute after the write) when a unit's thresholds
    read its own past over several years: each year then waits for the one before."""
    keys = _past_keys(years)
    if keys and len(years) > 1:
        return None
    rows = unit_rows(unit_ids)
    others, _ = _engine_units(unit_ids, True, rows)
    ids = [r["id"] for r in others]
    levels = {r["id"]: r["level"] for r in others}
    past = past_for(ids, keys) if keys else None
    derived = derived_values(ids, years, levels)
    classes = class_rows(ids)
    sets = registry(), registry.versions()

    def step(unit_ids: list[int], years: list[int], values: dict[tuple[int, int], dict], **kwargs):
        written = set(unit_ids)
        chunk = [r for r in others if r["id"] in written]
        ids = [r["id"] for r in chunk]
        outcomes = _evaluated(chunk, years, _with_derived(values, ids, years, derived), classes, past, keep, sets)
        _, districts = _engine_units(unit_ids, True, [r for r in rows if r["id"] in written])
        alongside(lambda: _store(outcomes, ids, years, reason) + recompute_districts(sorted(districts), years, reason,
                                                                                       keep=keep))
        return keep

    return step


def _engine_units(unit_ids: list[int], with_parents: bool,
                  rows: list[dict] | None = None) -> tuple[list[dict], set[int]]:
    """(the engine rows of these units but districts, the districts to recompute after them: those
    among the units and, `with_parents`, those above them); `rows`: their `unit_rows`, if read."""
    rows = unit_rows(unit_ids) if rows is None else rows
    districts = {r["id"] for r in rows if r["level"] == Unit.Level.DISTRICT}
    others = [r for r in rows if r["level"] != Unit.Level.DISTRICT]
    if with_parents:
        districts |= {r["parent_id"] for r in others if r["parent__level"] == Unit.Level.DISTRICT}
    return others, districts


def _past_keys(years: list[int]) -> set[str]:
    specs = registry()
    return past_keys(s for y in years for s in sets_in_force(specs, year_end(y)))


def _with_derived(raw: dict[tuple[int, int], dict], ids: list[int], years: list[int], derived,
                  levels: dict[int, str] | None = None) -> dict[tuple[int, int], dict]:
    """Copies of `raw`'s pairs of these units and years with their derived values (`derived`: True to
    read them, or as read)."""
    return with_derived({(u, y): dict(raw[(u, y)]) for u in ids for y in years if (u, y) in raw}, derived, levels=levels)


def _evaluated(chunk: list[dict], years: list[int], figures: dict, classes: dict, past: dict | None,
               keep: dict | None, sets: tuple[dict, dict] | None = None) -> list[Outcome]:
    """The engine's outcomes of these unit rows × years (`evaluate_rows`); those a caller may show
    (`keep`, see `recompute_units`) kept."""
    outcomes = evaluate_rows(chunk, years, figures, classes, past=past, detail=keep is not None, sets=sets)
    if keep is not None:
        keep.update(((o.unit_id, o.year), o) for o in outcomes
                    if o.result is None or not (past or {}).get(o.unit_id) or not o.result.reads_past())
    return outcomes


def unit_rows(unit_ids: list[int]) -> list[dict]:
    """The engine's unit rows (criteria.batch.UNIT_FIELDS plus "parent__level") of these units, in the
    units' order (scheme, code), as `Unit.objects.values(*UNIT_FIELDS, "parent__level")` gives them —
    in plain SQL: building that query took longer than running it, on every saved figure."""
    db = reading(Unit)
    table = Unit._meta.db_table
    rows: list[dict] = []
    with db.cursor() as cursor:
        for start in range(0, len(unit_ids), BATCH * 5):
            units, params = in_ids("u.id", unit_ids[start : start + BATCH * 5], db.vendor)
            cursor.execute(f"SELECT u.id, u.level, u.kind, u.region, u.parent_id, pr.code, pa.level FROM {table} u "
                           f"LEFT JOIN {table} pa ON pa.id = u.parent_id LEFT JOIN {table} pr ON pr.id = u.province_id "
                           f"WHERE {units} ORDER BY u.scheme, u.code", params)
            rows += [dict(zip((*UNIT_FIELDS, "parent__level"), row, strict=True)) for row in cursor.fetchall()]
    return rows


def past_for(unit_ids: list[int], keys: set[str], cursor=None) -> dict[int, dict[str, float]]:
    """{unit: {"field@<level>_year": value}}: each key's field in the first year the unit's stored result
    reached that level (criteria.evaluate.past_values); unknown years stay out (missing data, not a guess).
    Two reads: each unit's first year per level (grouped by the database), then the figures of exactly
    those (unit, year) pairs — not every year of every unit (1.4 s → 0.1 s a year nationally).
    `cursor`: read on it (a background thread's, `core.sql.Behind`) instead of a new one."""
    if not unit_ids:
        return {}
    db = reading(Evaluation) if cursor is None else cursor.db
    vendor = db.vendor
    firsts: dict[int, dict[str, int]] = defaultdict(dict)
    with db.cursor() if cursor is None else nullcontext(cursor) as cursor:  # plain SQL (core.sql.in_ids)
        for start in range(0, len(unit_ids), BATCH * 5):  # SQLite binds each id as a variable
            units, params = in_ids("unit_id", unit_ids[start : start + BATCH * 5], vendor)
            cursor.execute(f"SELECT unit_id, level, MIN(year) FROM {Evaluation._meta.db_table} "
                           f"WHERE {units} AND level <> '' AND error = '' GROUP BY unit_id, level", params)
            for unit_id, level, year in cursor.fetchall():
                firsts[unit_id][level] = year
        for per in firsts.values():  # any level reached means NTM was reached that year
            per["ntm"] = min(per.values())
        fields = sorted({k.partition("@")[0] for k in keys})
        events = {k.partition("@")[2].removesuffix("_year") for k in keys}
        pairs = sorted({(u, year) for u, per in firsts.items() for e, year in per.items() if e in events})
        figures: dict[int, dict[int, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
        for start in range(0, len(pairs), BATCH):  # SQLite binds each pair as two variables
            where, pair_params = in_pairs(("unit_id", "year"), pairs[start : start + BATCH], vendor)
            cursor.execute(f"SELECT unit_id, year, field, {as_float('value', vendor)} FROM {Figure._meta.db_table} "
                           f"WHERE {where} AND field IN ({', '.join(['%s'] * len(fields))})", pair_params + fields)
            for unit_id, year, name, value in cursor.fetchall():
                figures[unit_id][year][name] = value
    return {u: past_values(keys, figures[u], firsts[u]) for u in firsts}


def district_rollup_values(district_ids: list[int], years: list[int]) -> dict[tuple[int, int], dict[str, float]]:
    """The figures a district set reads from its communes' stored evaluations (X/Y communes NTM…)."""
    totals: dict[tuple[int, int], int] = defaultdict(int)  # (district, year) → its xã in force on 1 January
    # plain SQL, unordered: asked on every save (for a commune it finds nothing); with the units'
    # default ordering SQLite walked every commune by level (6–10 ms per save) instead of the parent index
    db = reading(Unit)
    parents, params = in_ids("parent_id", district_ids, db.vendor)
    with db.cursor() as cursor:
        cursor.execute(f"SELECT parent_id, valid_from, valid_to FROM {Unit._meta.db_table} "
                       f"WHERE {parents} AND level = %s AND kind = %s", [*params, Unit.Level.COMMUNE, "xã"])
        communes = cursor.fetchall()
    for parent_id, valid_from, valid_to in communes:
        for year in years:
            totals[(parent_id, year)] += accepts_year(valid_from, valid_to, year)
    if not totals:  # no communes under these units (e.g. they are communes): nothing to count
        return {}
    levels: dict[tuple[int, int], list[str]] = defaultdict(list)
    for parent_id, year, level in Evaluation.objects.filter(
        unit__parent_id__in=id_list(district_ids), unit__kind="xã", year__in=years
    ).order_by().values_list("unit__parent_id", "year", "level"):
        levels[(parent_id, year)].append(level)
    return {key: district_values(child, totals[key]) for key, child in levels.items()}


def recompute_districts(district_ids: list[int], years: list[int], reason: str = LevelChange.Reason.FIGURES,
                        keep: dict[tuple[int, int], Outcome] | None = None) -> int:
    """District sets read their own figures plus counts from their communes' stored evaluations.
    `keep` as in `recompute_units` (districts are given no `past`)."""
    if not district_ids:
        return 0
    units = list(Unit.objects.filter(pk__in=id_list(district_ids)).values(*UNIT_FIELDS))
    values = values_for(district_ids, years, derived=True)
    outcomes = evaluate_rows(units, years, values, class_rows(district_ids), detail=keep is not None)
    if keep is not None:
        keep.update(((o.unit_id, o.year), o) for o in outcomes)
    return _store(outcomes, district_ids, years, reason)


def figure_pairs(province_code: str | None = None, years: list[int] | None = None, legacy: bool | None = None,
                 unit_ids: list[int] | None = None) -> dict[int, list[int]]:
    """{year: unit ids} of every unit-year with figures, optionally narrowed."""
    qs = Figure.objects.all()
    if province_code:
        qs = qs.filter(Q(unit__province__code=province_code) | Q(unit__code=province_code, unit__level="province"))
    if years:
        qs = qs.filter(year__in=years)
    if legacy is not None:
        qs = qs.filter(unit__scheme=Unit.Scheme.LEGACY) if legacy else qs.exclude(unit__scheme=Unit.Scheme.LEGACY)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    by_year: dict[int, list[int]] = defaultdict(list)
    for unit_id, year in qs.values_list("unit_id", "year").distinct():
        by_year[year].append(unit_id)
    return by_year


def recompute_all(province_code: str | None = None, years: list[int] | None = None, legacy: bool | None = None,
                  reason: str = LevelChange.Reason.RECOMPUTE, progress=None) -> int:
    """Recompute every unit with figures (optionally one province, some years, one code space).
    Year by year, one transaction each (`_recompute_year`). `progress(done, total)` is called after
    each year. Returns the number of rows written."""
    units = _units(province_code, legacy)
    if years is None:
        figures = Figure.objects.all() if units is None else Figure.objects.filter(unit__in=units)
        years = list(figures.order_by().values_list("year", flat=True).distinct())
    count = 0
    years = sorted(set(years))
    scope = None
    for i, year in enumerate(years, start=1):
        # a year's objects are acyclic: 0.5 s of collector walks saved; the registry asked once a year
        with collector_paused(), registry.held():
            scope = scope or _Scope(units)  # units and their classifications: the same every year
            count += _recompute_year(scope, year, reason)
        faults.point("recompute.year")  # crash tests: one year committed, the next not started
        if progress:
            progress(i, len(years))
    return count


CHUNK = 1000  # units per read and write of a year's recompute


class _Scope:
    """The units a recompute covers (a queryset; None: all), read once for all its years: their ids in
    order, engine rows, classifications, and the figure filter (`where`, `params`) without the year."""

    def __init__(self, units) -> None:
        self.where, self.params = in_units(units)
        self.ids = list((Unit.objects.all() if units is None else units).order_by("pk").values_list("pk", flat=True))
        self.rows = {r["id"]: r for r in unit_rows(self.ids)}
        self.levels = {u: r["level"] for u, r in self.rows.items()}
        self.others = [r["id"] for r in self.rows.values() if r["level"] != Unit.Level.DISTRICT]
        self.classes = class_rows(self.others)

    def runs(self) -> list[list[int]]:
        """The unit ids of each run, in order, CHUNK at a time. A province is one run: split in four, its
        97 parts took 3.7–4.0 s in one process against 3.0–3.4 s whole (the statements' fixed costs
        outweigh the overlap at that size)."""
        return [self.ids[i : i + CHUNK] for i in range(0, len(self.ids), CHUNK)]


def _read_run(cursor, where: str, params: list, ids: list[int], keys: set[str]) -> tuple[list, dict | None]:
    """One run's figures, grouped (`figures.services.grouped_rows`), and the past values its units'
    thresholds read (`past_for`, when `keys`): both on the background thread's cursor."""
    return grouped_rows(cursor, where, params), past_for(ids, keys, cursor) if keys else None


@transaction.atomic
def _recompute_year(scope: _Scope, year: int, reason: str) -> int:
    """Recompute every unit of `scope` with figures in `year`, then the districts above them; one
    transaction. Units go in runs of ids (`_Scope.runs`): each run's figures (and past values) are read
    with one grouped query, evaluated, and stored with one statement. Reads and writes run on a
    background thread (`core.sql.Behind`), so the database reads the next run and stores the last while
    Python evaluates this one (the server's part is about as long as the engine's:
    docs/benchmarks.md); the rest the engine needs (units, classifications, derived values) is read
    before, so this thread never waits for the connection behind a read. Returns the rows written."""
    keys = past_keys(sets_in_force(registry(), year_end(year)))
    derived = derived_values(scope.others, [year], scope.levels)
    where = f"year = %s{scope.where} AND unit_id BETWEEN %s AND %s"
    read_db = reading(Figure)
    count, districts, changes = 0, set(), []
    with Behind(connection) as writer, (Behind(read_db) if read_db is not connection else nullcontext(writer)) as reader:
        others = set(scope.others)
        reads = [reader.submit(_read_run, where, [year, *scope.params, run[0], run[-1]],
                               [u for u in run if u in others], keys) for run in scope.runs()]
        writes = []
        now = _now()
        for read in reads:
            figures, past = read.result()
            values = grouped_values(figures, derived)
            present = [scope.rows[u] for u in sorted(u for u, _ in values)]
            chunk = [r for r in present if r["level"] != Unit.Level.DISTRICT]
            districts |= {r["id"] for r in present if r["level"] == Unit.Level.DISTRICT}
            districts |= {r["parent_id"] for r in chunk if r["parent__level"] == Unit.Level.DISTRICT}
            if not chunk:
                continue
            outcomes = evaluate_rows(chunk, [year], values, scope.classes, past=past)
            stored = _stored_rows(outcomes)
            writes.append((outcomes, stored, writer.submit(_write_rows, stored, [r["id"] for r in chunk], [year], now)))
        for outcomes, stored, write in writes:
            changes += _level_changes(outcomes, stored, write.result(), reason)
            count += len(stored)
    _write_level_changes(changes)
    if count:
        versions.bump(versions.RESULTS)
    return count + recompute_districts(sorted(districts), [year], reason)


def _units(province_code: str | None, legacy: bool | None):
    """The units a recompute covers, as a queryset (None: every unit)."""
    if not province_code and legacy is None:
        return None
    qs = Unit.objects.all()
    if province_code:
        qs = qs.filter(Q(province__code=province_code) | Q(code=province_code, level=Unit.Level.PROVINCE))
    if legacy is not None:
        qs = qs.filter(scheme=Unit.Scheme.LEGACY) if legacy else qs.exclude(scheme=Unit.Scheme.LEGACY)
    return qs


def stale_pairs() -> dict[int, list[int]]:
    """{year: unit ids} whose stored row is missing or older than their latest figure — what a crash
    between writing figures and recomputing would leave."""
    latest = Figure.objects.values("unit_id", "year").annotate(at=Max("updated_at"))
    computed = {(u, y): at for u, y, at in Evaluation.all_rows.values_list("unit_id", "year", "computed_at")}
    out: dict[int, list[int]] = defaultdict(list)
    for row in latest:
        at = computed.get((row["unit_id"], row["year"]))
        if at is None or at < row["at"]:
            out[row["year"]].append(row["unit_id"])
    return out
