"""The one write path for figures and periods. Every door — the entry form, the Excel import, the
CLI, the API, the demo — calls `write_figures`, which in one transaction:

1. checks scope (`figures.edit` on every unit written), the period lock (for everyone, national
   administrators included), that the unit existed that year and that a set in force measures it;
2. validates every value with the same rules (`figures.rules`), reporting every error, not the
   first, each prefixed with where it came from (form field, sheet/row/column…); a derived field
   (computed by a layer above, `register_derived`: OCOP products, a district's communes NTM) is
   refused as typed input;
3. writes the figures and one history row per real change (an unchanged value writes nothing);
4. records one audit entry per unit and year changed, listing every changed cell with its value
   before and after (one per batch for generated data);
5. sends `figures_changed`, on which stored evaluations are brought up to date.

If anything is refused, `WriteRefused` lists every reason and nothing is written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import product
from typing import NamedTuple, Protocol

import orjson
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from ntm.accounts import audit
from ntm.accounts.scope import can, is_admin, with_may
from ntm.core import faults
from ntm.core.bulk import behind, fetch, insert_values, together, update_values
from ntm.core.sql import id_list, in_ids, reading
from ntm.criteria.batch import Outcome
from ntm.criteria.evaluate import EvaluationError, base_set_for, sets_above
from ntm.criteria.loader import province_view, registry
from ntm.criteria.spec import CriteriaSetSpec, FieldDef
from ntm.units.models import Lineage, Unit

from .models import Figure, FigureChange, Period, closed_unit_years
from .rules import QUANTUM, InvalidFigure, ValidationRule, broken_rules, clean_value, rules_for, year_refusal
from .signals import figures_changed, figures_changing

EDIT = "figures.edit"


class WriteRefused(Exception):
    """Nothing was written; `errors` lists every reason, in Vietnamese (each prefixed with where it came
    from); `by_where` maps a cell's `where` to its reasons without the prefix ("" for cells without one)."""

    def __init__(self, errors: list[str], by_where: dict[str, list[str]] | None = None):
        super().__init__("\n".join(errors))
        self.errors = errors
        self.by_where = by_where or {}


class NeedsConfirmation(WriteRefused):
    """Only warning rules are broken: nothing was written; the same write with `confirm=True` goes through."""


class CellInput(NamedTuple):
    """One value to write: `raw` as typed or read from a file (text, number, Decimal or None = blank),
    `where` says where it came from for messages ("Trang “Số liệu 2026”, dòng 5, cột D")."""

    unit_id: int
    year: int
    field: str
    raw: object
    where: str = ""


class Cell(Protocol):
    """What `write_figures` reads of a cell: a CellInput, or anything with its attributes (the Excel
    reader's `excel.SheetCell`, written as read)."""

    @property
    def unit_id(self) -> int: ...
    @property
    def year(self) -> int: ...
    @property
    def field(self) -> str: ...
    @property
    def raw(self) -> object: ...
    @property
    def where(self) -> str: ...


class Change(NamedTuple):
    unit_id: int
    year: int
    field: str
    old: Decimal | None
    new: Decimal | None
    where: str = ""  # the `where` of the cell that made it


@dataclass
class WriteResult:
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    unit_ids: list[int] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    warnings_by_where: dict[str, list[str]] = field(default_factory=dict)
    # with `detail=True`: {(unit id, year): the engine's detailed answer after the write} (see signals)
    outcomes: dict[tuple[int, int], Outcome] = field(default_factory=dict)

    @property
    def written(self) -> int:
        return len(self.changes)


def ladder_for(unit: dict, year: int) -> list[CriteriaSetSpec]:
    """The sets in force for this unit row (needs level, kind, province__code) and year, base first.
    Raises EvaluationError when no set measures it."""
    view = province_view(registry(), unit.get("province__code") or "")
    base = base_set_for(view, unit["level"], year)
    if not base.evaluates_kind(unit["kind"]):
        raise EvaluationError(f"{unit['full_name']}: bộ tiêu chí {base.decision} không đánh giá đơn vị loại "
                              f"“{unit['kind']}” (chỉ {', '.join(base.unit_kinds or ('xã',))})")
    return [base, *sets_above(view, base.code, year)]


def fields_for(ladder: list[CriteriaSetSpec]) -> dict[str, FieldDef]:
    """Every raw field the ladder's indicators read, denominators first."""
    key = tuple(id(s) for s in ladder)
    cached = _FIELDS.get(key)
    if cached is not None and cached[0] == ladder:
        return cached[1]
    out: dict[str, FieldDef] = {}
    for spec in ladder:
        for ind in spec.indicators():
            for name in (ind.denominator, ind.field, ind.numerator):
                if name and name not in out:
                    out[name] = spec.fields[name]
    if len(_FIELDS) > 500:
        _FIELDS.clear()
    _FIELDS[key] = (list(ladder), out)
    return out


_FIELDS: dict[tuple, tuple] = {}
_RULES: dict[tuple, tuple] = {}


def _rules(ladder: list[CriteriaSetSpec]) -> list[ValidationRule]:
    """The cross-field rules of a ladder (declared + numerator ≤ denominator), cached per ladder."""
    key = tuple(id(s) for s in ladder)
    cached = _RULES.get(key)
    if cached is None or cached[0] != ladder:
        if len(_RULES) > 500:
            _RULES.clear()
        cached = _RULES[key] = (list(ladder), rules_for(fields_for(ladder), ladder),
                                {k: d.name for k, d in fields_for(ladder).items()})
    return cached[1]


def _names(ladder: list[CriteriaSetSpec]) -> dict[str, str]:
    _rules(ladder)
    return _RULES[tuple(id(s) for s in ladder)][2]


_UNIT_COLUMNS = ("id", "code", "full_name", "level", "kind", "scheme", "valid_from", "valid_to", "province__code")


# Below this size a stored value has at most 15 significant digits (4 decimals): its float stands for
# it exactly (two such decimals never share a float), so a float read equal to it is the same value.
EXACT_BELOW = 1e11
# changes from which a write's tables are written behind (core.bulk.behind): below, a thread's start
# costs more than it overlaps, and one statement (together) saves round trips
BEHIND_FROM = 500
PARTS = 3  # a large write's figure updates are sent in this many parts, as their cells are checked


class Standing:
    """The figures of some units × years as they stand, read once inside a write's transaction
    (`read_standing`): the import checks its conflicts on them and `write_figures` writes against
    them, so a confirmation reads (and locks) its figures once.

    `rows`: {(unit id, year, field): (unit id, year, field, figure id, stored, source, updated_by id,
    number)} — the row as read; `stored` the driver's value, made the Decimal the ORM would give by
    `value(key)` (only for the cells a write changes: most of a province's cells are compared as
    numbers and never converted); `number` the value as a float (an int on SQLite; None when blank),
    for comparisons and cross-field rules."""

    __slots__ = ("unit_ids", "years", "rows", "locked", "_block", "convert")

    def __init__(self, unit_ids, years, rows, locked, block, convert):
        self.unit_ids, self.years, self.rows, self.locked = frozenset(unit_ids), frozenset(years), rows, locked
        self._block, self.convert = block, convert  # convert: fn(driver value, not None) → Decimal

    def number(self, key: tuple[int, int, str]) -> float | None:
        row = self.rows.get(key)
        return None if row is None else row[7]

    def value(self, key: tuple[int, int, str]) -> Decimal | None:
        """The stored value as the ORM reads it (a Decimal of 4 places), None when blank or absent."""
        row = self.rows.get(key)
        return None if row is None or row[4] is None else self.convert(row[4])

    def serves(self, unit_ids: Iterable[int], years: Iterable[int], lock: bool) -> bool:
        """Whether this read can stand for the write of these units × years now: it covers them, is
        locked if the write needs it, and was made inside the transaction still open."""
        return (self.unit_ids.issuperset(unit_ids) and self.years.issuperset(years) and (self.locked or not lock)
                and self._block is not None and _outer_block() is self._block)


def _outer_block(connection=None):
    """The outermost atomic block open on the default connection (it stands for the transaction; kept
    by the Standing, so no later block can take its identity)."""
    blocks = (connection or transaction.get_connection()).atomic_blocks
    return blocks[0] if blocks else None


def _value_converter(connection):
    """fn(driver value) → the Decimal `Figure.value` reads as through the ORM (its converters: on SQLite
    the float rounded to 15 digits then quantized; PostgreSQL's numeric is a Decimal already)."""
    field = Figure._meta.get_field("value")
    col = field.get_col(Figure._meta.db_table)
    converters = [*connection.ops.get_db_converters(col), *col.get_db_converters(connection)]

    def orm(value):
        for fn in converters:
            value = fn(value, col, connection)
        return value

    if connection.vendor != "sqlite":
        return orm

    def convert(value):
        """SQLite: a float that is the double of a 4-decimal value of at most 15 digits (every value the
        write path stores) is that value, which the ORM's rounding to 15 digits also gives; else the ORM's
        own converters."""
        kind = type(value)
        if kind is float and -EXACT_BELOW < value < EXACT_BELOW:
            exact = Decimal(repr(value)).quantize(QUANTUM)
            if float(exact) == value:
                return exact
        elif kind is int and -EXACT_BELOW < value < EXACT_BELOW:
            return Decimal(value).quantize(QUANTUM)
        return orm(value)
    return convert


def read_standing(unit_ids: list[int], years: list[int], *, lock: bool, cursor=None) -> Standing:
    """Every figure row of these units × years (one plain query, the rows as tuples; `lock`: FOR UPDATE
    where the database has row locks — SQLite's write transaction is the lock). Call it inside the
    transaction that writes (`write_figures(..., standing=…)` refuses a read from another). `cursor`:
    read on it — a background thread's of the same connection (`core.sql.Behind`) — instead of a new one."""
    connection = transaction.get_connection() if cursor is None else cursor.db
    vendor = connection.vendor
    units, unit_params = in_ids("unit_id", unit_ids, vendor)
    in_years, year_params = in_ids("year", years, vendor, "integer")
    suffix = " FOR UPDATE" if lock and connection.features.has_select_for_update else ""
    # the value once more as a number: PostgreSQL's own float8 (correctly rounded), the value itself as
    # text (made a Decimal only for a cell that changes); SQLite's value is a number already
    if vendor == "postgresql":
        value, number, convert = "value::text", "value::float8", Decimal
    else:
        value, number, convert = "value", "value", _value_converter(connection)
    with connection.cursor() if cursor is None else nullcontext(cursor) as cursor:
        cursor.execute(f"SELECT unit_id, year, field, id, {value}, source, updated_by_id, {number} "
                       f"FROM {Figure._meta.db_table} WHERE {units} AND {in_years}{suffix}", unit_params + year_params)
        fetched = cursor.fetchall()
    rows = {(row[0], row[1], row[2]): row for row in fetched}
    if vendor == "sqlite" and any(row[7] is not None and not -EXACT_BELOW < row[7] < EXACT_BELOW for row in fetched):
        for key, row in rows.items():  # a float of 16 digits or more: as the ORM reads it (rounded to 15)
            if row[7] is not None and not -EXACT_BELOW < row[7] < EXACT_BELOW:
                rows[key] = (*row[:7], float(convert(row[4])))
    return Standing(unit_ids, years, rows, bool(lock), _outer_block(connection), convert)


def same_number(raw: object, number: float | None) -> bool:
    """True when a value read from a file (`raw`: a float or int) is the stored `number` itself, so it
    cleans to the stored value: the write leaves the cell as it stands and need not check it again."""
    kind = type(raw)
    return (number is not None and (kind is float or kind is int) and raw == number
            and -EXACT_BELOW < number < EXACT_BELOW)


@transaction.atomic
def write_figures(user, cells: Iterable[Cell], *, source: str = "", comment: str = "", door: str = "form",
                  dry_run: bool = False, system: bool = False, audit_each: bool = True,
                  confirm: bool = False, detail: bool = False, standing: Standing | None = None,
                  verify: Callable[[WriteResult], None] | None = None) -> WriteResult:
    """Check and write figures; see the module docstring. A derived field (`register_derived`) is
    refused as typed input. `system=True` (generated demo data) skips the user's scope, writes one audit
    entry for the batch and no per-cell history, and may seed a derived field (the figure stands where its
    provider has nothing to say, e.g. a commune with no product in the OCOP register), but every other
    check stands. `dry_run=True` checks everything and returns the changes that would be made (the import
    preview) without writing; its `warnings` list the warning rules broken. Without `confirm=True` a
    write that breaks a warning rule raises NeedsConfirmation (the form asks "Vẫn lưu?", the import
    preview shows them beside its confirm button); generated data must break none. With `detail=True`
    `outcomes` holds the evaluations the layer above computed for the written units (figures.signals),
    for a caller that shows them. `standing`: the figures of these cells' units × years already read
    (and locked) in this transaction (`read_standing`, the import's conflict check), instead of a
    second read; ValueError if it does not cover them or comes from another transaction. `verify`:
    called with the result once its changes are listed (in a dry run too), while the rows are being
    written and before the layer above evaluates them; an exception from it rolls the whole write
    back (the import's check that it writes what its preview showed).

    Only what can change is checked: a number read from a file equal to the stored figure
    (`same_number`) is left as it stands without parsing it again — a file of a province's communes
    mostly repeats what was downloaded — and cross-field rules are checked for the unit-years this
    write changes (a cell created, changed or cleared), on their values as they will stand, for the
    rules that read a field the write was given; a unit-year given only its stored values is left
    as it stands. Text (a form, a text cell) is always parsed and checked.

    Raises WriteRefused (every error; `by_where` maps each cell's `where` to its messages, so a
    workbook can be marked cell by cell) and writes nothing if any cell is refused."""
    cells = list(cells)
    result = WriteResult()
    if not cells:
        return result
    pairs = sorted({(c.unit_id, c.year) for c in cells})  # one pass over the cells (a province: 10,000)
    unit_ids = sorted({uid for uid, _ in pairs})
    years = sorted({year for _, year in pairs})
    # keyed by id: the default ordering only costs; many ids as one parameter (core.sql.id_list)
    found = Unit.objects.filter(pk__in=id_list(unit_ids) if len(unit_ids) > 20 else unit_ids).order_by()
    if system:
        units = {u["id"]: u for u in found.values(*_UNIT_COLUMNS)}
    else:  # the units and the scope decision on each in one read (accounts.scope.with_may)
        units = {u["id"]: u for u in with_may(found, user, EDIT).values(*_UNIT_COLUMNS, "may")}
    errors: list[str] = []
    by_where: dict[str, list[str]] = {}

    def refuse(cell: Cell, text: str) -> None:
        errors.append(f"{cell.where}: {text}" if cell.where else text)
        by_where.setdefault(cell.where, []).append(text)

    if not system:
        for uid in unit_ids:
            if uid not in units:
                errors.append(f"Không có đơn vị #{uid}")
            elif not units[uid]["may"]:
                errors.append(f"Bạn không có quyền nhập số liệu cho {units[uid]['full_name']}")
    if errors:
        raise WriteRefused(errors)

    for (uid, year), period in sorted(closed_unit_years(unit_ids, years).items()):
        if any(c.unit_id == uid and c.year == year for c in cells):
            errors.append(f"{units[uid]['full_name']}: kỳ báo cáo năm {year} của {period.province.full_name} đã khoá, "
                          "không ghi được số liệu (quản trị viên có thể mở lại kỳ, kèm lý do)")
    ladders: dict[tuple[int, int], list[CriteriaSetSpec]] = {}
    # A ladder depends only on (province, level, kind, year): built once per kind of unit, so a
    # province's import reads the registry a few times, not once per commune.
    shared: dict[tuple, list[CriteriaSetSpec] | None] = {}
    for uid, year in pairs:
        u = units[uid]
        refusal = year_refusal(u["full_name"], u["valid_from"], u["valid_to"], year)
        if refusal:
            errors.append(refusal)
            continue
        kind = (u.get("province__code") or "", u["level"], u["kind"], year)
        if kind not in shared:
            try:
                shared[kind] = ladder_for(u, year)
            except EvaluationError:
                shared[kind] = None
        if shared[kind] is not None:
            ladders[(uid, year)] = shared[kind]
            continue
        try:
            ladder_for(u, year)  # again, for the message naming this unit
        except EvaluationError as exc:
            errors.append(str(exc))
    if errors:
        raise WriteRefused(sorted(set(errors), key=errors.index))

    # The figures as they stand (locked), read once: as tuples, each value a float for comparisons.
    if standing is None:
        standing = read_standing(unit_ids, years, lock=not dry_run)
    elif not standing.serves(unit_ids, years, lock=not dry_run):
        raise ValueError("write_figures: `standing` does not cover these cells or was read in another transaction")
    # A large write opens its `behind()` block before its cells are checked: the figures' update goes
    # out in parts, each sent as soon as its cells are checked, while the next ones are (PARTS)
    early = not dry_run and len(cells) >= BEHIND_FROM
    # the layer above reads now what it will need to follow the write while its rows are sent (figures.signals)
    preparing = figures_changing.send(sender=Figure, unit_ids=unit_ids, years=years, user=user,
                                      detail=detail) if early else None
    with behind() if early else nullcontext():
        existing = standing.rows
        # Each unit-year's values as they will stand after this write, for cross-field rules.
        after: dict[tuple[int, int], dict[str, float | None]] = defaultdict(dict)
        for (uid, year, name), row in existing.items():
            after[(uid, year)][name] = row[7]
        values: dict[tuple[int, int, str], Decimal | None] = {}
        # Rows as plain tuples, written without model instances (ntm.core.bulk), made as each cell is
        # checked so that the figures' update can be sent as soon as the last cell is
        now, actor = timezone.now(), _actor(user)
        actor_id = None if actor is None else actor.pk
        created: list[tuple] = []  # (unit id, year, field, value)
        changed: list[tuple] = []  # (figure id, value, source): last written by someone else
        mine: list[tuple] = []  # the same, last written by this user: its (indexed) updated_by left alone
        by_key: dict[tuple[int, int, str], Cell] = {}
        touched: dict[tuple[int, int], set[str]] = defaultdict(set)
        same: list[tuple[int, int, str]] = []  # cells whose value is the stored one
        changing: set[tuple[int, int]] = set()  # unit-years with a cell that changes
        derived = derived_fields()
        defs_of: dict[int, dict[str, FieldDef]] = {}  # id(ladder) → its fields (ladders are shared, see above)
        def send_updates() -> None:
            """The figures' update rows made so far, sent (behind: while the next cells are checked)."""
            nonlocal changed, mine
            # values as the database takes them already: ids, Decimals of 4 places (clean_value, or read), text
            update_values(Figure, ["value", "source"], changed, {"updated_by": actor, "updated_at": now}, prepared=True)
            update_values(Figure, ["value", "source"], mine, {"updated_at": now}, prepared=True)  # SQLite rewrites an index set
            changed, mine = [], []

        part = -(-len(cells) // PARTS) if early else len(cells) + 1  # cells checked between two sends
        last = 0  # the index of the first cell not yet sent
        pair = None  # the unit-year of the cell before (cells come unit by unit): its fields, values, touched
        for i, cell in enumerate(cells):
            uid, year, name = cell.unit_id, cell.year, cell.field
            if pair is None or pair[0] != uid or pair[1] != year:
                if i - last >= part and not errors:  # at a unit-year's start: the part before goes out
                    send_updates()
                    last = i
                pair = (uid, year)
                ladder = ladders[pair]
                defs = defs_of.get(id(ladder))
                if defs is None:
                    defs = defs_of[id(ladder)] = fields_for(ladder)
                will, touching = after[pair], touched[pair]
            key = (uid, year, name)
            fdef = defs.get(name)
            if fdef is None:
                refuse(cell, f"“{name}” không phải trường số liệu của bộ tiêu chí năm {year}")
                continue
            if key in by_key:
                refuse(cell, f"“{fdef.name}” của {units[uid]['full_name']} đã có ở {by_key[key].where or 'ô khác'}")
                continue
            by_key[key] = cell
            if name in derived and not system:
                refuse(cell, f"{fdef.name}: không nhập tay — số này tính tự động từ {derived[name].source}")
                continue
            touching.add(name)
            row = existing.get(key)
            raw = cell.raw
            if row is not None:  # same_number, inlined: a province's file repeats most stored values
                number = row[7]
                kind = type(raw)
                if (kind is float or kind is int) and number is not None and raw == number and -EXACT_BELOW < number < EXACT_BELOW:
                    same.append(key)
                    continue
            try:
                value = clean_value(raw, fdef)
            except InvalidFigure as exc:
                refuse(cell, f"{fdef.name}: {exc}")
                continue
            number = None if value is None else float(value)
            if row is None and value is None:
                continue  # a blank where nothing stands: nothing changes (counted unchanged below)
            if row is not None and row[7] == number and (number is None or -EXACT_BELOW < number < EXACT_BELOW):
                same.append(key)  # the stored value, typed another way ("12,5" for 12.5)
                continue
            values[key] = value
            will[name] = number
            changing.add(pair)
            if row is None:
                created.append((*key, value))
            else:  # a save without a source keeps the figure's source
                (mine if actor_id is not None and row[6] == actor_id else changed).append((row[3], value, source or row[5]))

        def check_rules() -> None:
            """Cross-field rules of every unit-year this write changes, on its values as they will stand,
            for the rules that read a field it was given (changed or not, as a form or a file gave them);
            a unit-year given only its stored values is not checked again. Raises as the docstring says."""
            for (uid, year) in sorted(changing):
                ladder = ladders[(uid, year)]
                defs = fields_for(ladder)
                for broken in broken_rules(after[(uid, year)], _rules(ladder), touched[(uid, year)], _names(ladder)):
                    cell = by_key[(uid, year, broken.field)]
                    text = f"{defs[broken.field].name}: {broken.message}"
                    if broken.warning:
                        prefix = f"{cell.where}: " if cell.where else ""
                        result.warnings.append(f"{prefix}{text}")
                        result.warnings_by_where.setdefault(cell.where, []).append(text)
                    else:
                        refuse(cell, text)
            if errors:
                raise WriteRefused(errors, by_where)
            if result.warnings and not confirm and not dry_run:
                raise NeedsConfirmation(result.warnings, result.warnings_by_where)

        if errors:  # a refused cell: nothing is written; the rules' messages come with the cells'
            check_rules()

        retagged: list[tuple] = []  # (figure id,): the same value from a new source
        result.unchanged = len(by_key) - len(values)  # blanks where nothing stands, and the same values:
        for key in same:
            row = existing[key]
            if source and row[5] != source:
                retagged.append((row[3],))
        convert = standing.convert
        history: list[tuple] = []  # ((unit id, year, field), figure id, old, new, source)

        def history_rows(ids: dict[tuple[int, int, str], int]) -> None:
            """The history rows of the cells that change (`ids`: the figures just created); made while the
            figures' update runs (behind)."""
            for key, value in values.items():
                row = existing.get(key)
                if row is None:
                    history.append((key, ids.get(key), None, value, source))
                    continue
                old = None if row[4] is None else convert(row[4])
                if old == value:  # a stored value the ORM reads as this one, the float not (written elsewhere,
                    result.unchanged += 1  # or of 15 digits or more): rewritten as typed, not a change
                    continue
                history.append((key, row[3], old, value, source or row[5]))
            result.unit_ids = sorted({key[0] for key, *_ in history})
            result.years = sorted({key[1] for key, *_ in history})

        def listed() -> None:
            result.changes = [Change(*key, old, new, by_key[key].where) for key, _, old, new, _ in history]
            if verify is not None:
                verify(result)

        if dry_run or not (values or retagged):  # every changed cell is a row of created, changed or mine
            history_rows({})
            check_rules()
            listed()
            return result

        made: dict[tuple[int, int, str], int] = {}
        if created:  # their ids, for their history rows (read behind the statements sent, inside `behind()`)
            insert_values(Figure, ["unit", "year", "field", "value"], created, {"source": source, "updated_by": actor},
                          prepared=True)
            vendor = transaction.get_connection().vendor
            in_units, unit_params = in_ids("unit_id", sorted({c[0] for c in created}), vendor)
            in_years, year_params = in_ids("year", sorted({c[1] for c in created}), vendor, "integer")
            made = {(u, y, f): i for i, u, y, f in fetch(
                f"SELECT id, unit_id, year, field FROM {Figure._meta.db_table} WHERE {in_units} AND {in_years}",
                unit_params + year_params)}
        # updates, history rows and audit entries: one statement on PostgreSQL when few (core.bulk.together);
        # many, each sent as soon as its rows are built, the next table's rows built while it runs (behind)
        with together():  # a small write: one statement on PostgreSQL (inside `behind()`: as it is)
            send_updates()
            update_values(Figure, [], retagged, {"source": source}, prepared=True)
            history_rows(made)
            if not system:
                insert_values(FigureChange, ["figure", "old_value", "new_value", "source"],
                              [(fid, old, new, src) for _, fid, old, new, src in history],
                              {"comment": comment, "changed_by": actor}, prepared=True)
            # checked while the rows are written (a refusal raises here: the block sends or keeps nothing
            # more, the transaction rolls back); the outcome is the same as checking before
            check_rules()
            if audit_each and not system:
                audit.record_rows(user, f"figures.{door}", _audit_rows(history, units))
            listed()
        # the unit-years written as they now stand (locked since read): the layer above evaluates them
        # without reading them back — figures_changing's steps here, while the rows are written
        written = {pair: after[pair] for pair in product(result.unit_ids, result.years) if after.get(pair)}
        prepared: dict = {}  # figures_changing receiver → its step's answer
        for receiver, step in preparing if preparing and result.changes else ():
            if callable(step):
                prepared[receiver] = step(unit_ids=result.unit_ids, years=result.years, values=written)
    if not audit_each or system:  # one entry for the batch (a model save: after the block, which owns the connection)
        audit.record(user, f"figures.{door}", object_type="figures.figure", object_id="*",
                     label=f"{len(history)} số liệu của {len(result.unit_ids)} đơn vị",
                     after={"cells": len(history), "units": len(result.unit_ids), "years": result.years,
                            "source": source})
    # crash tests: figures, history and audit written, nothing recomputed yet (a large write: its
    # evaluations sent too) — all uncommitted
    faults.point("figures.written")
    if result.changes:
        answers = figures_changed.send(sender=Figure, unit_ids=result.unit_ids, years=result.years, user=user,
                                       detail=detail, values=written, prepared=prepared)
        if detail:
            for _, answer in answers:
                if isinstance(answer, dict):
                    result.outcomes.update(answer)
    return result


def _audit_rows(history: list[tuple], units: dict[int, dict]) -> list[tuple]:
    """One audit row per unit and year changed (`audit.record_rows`): the figure itself with
    {"value"} before and {"value", "source"} after when one cell changed (a form save), else the
    unit-year with {field: value} for every changed cell before, and the same plus "source" after."""
    by_pair: dict[tuple[int, int], tuple[dict, dict, set, list]] = {}  # (before, after, sources, last entry)
    num = _num
    for entry in history:
        (uid, year, fcode), _, old, new, src = entry
        pair = by_pair.get((uid, year))
        if pair is None:
            pair = by_pair[(uid, year)] = ({}, {}, set(), [entry])
        pair[0][fcode] = num(old)
        pair[1][fcode] = num(new)
        pair[2].add(src)
    rows = []
    for (uid, year), (before, after, sources, (first,)) in by_pair.items():
        name = units[uid]["full_name"]
        if len(before) == 1:
            (_, _, fcode), fid, old, new, src = first
            rows.append((uid, "figures.figure", str(fid), f"{name} {year} {fcode}", {"value": num(old)},
                         {"value": num(new), "source": src}))
            continue
        after["source"] = next(iter(sources)) if len(sources) == 1 else "(nhiều nguồn)"
        rows.append((uid, "figures.unit_year", f"{uid}/{year}", f"{name} {year}: {len(before)} số liệu", before, after))
    return rows


def _actor(user):
    return user if getattr(user, "is_authenticated", False) else None


def _num(value: Decimal | None) -> str | None:
    """A value as the audit shows it: "12.5", "100", "0" (no exponent, no trailing zeros)."""
    if value is None:
        return None
    text = str(value)
    if "E" in text or "e" in text:
        return format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def set_figure(unit: Unit, year: int, field: str, raw, *, user, source: str = "", comment: str = "",
               door: str = "form", confirm: bool = False, detail: bool = False) -> WriteResult:
    """One value through `write_figures` (the entry form, the CLI). Raises WriteRefused (NeedsConfirmation
    when only warning rules are broken and `confirm` is not given)."""
    return write_figures(user, [CellInput(unit.pk, year, field, raw)], source=source, comment=comment, door=door,
                         confirm=confirm, detail=detail)


# --- periods ---------------------------------------------------------------------------------

CLOSE, REOPEN = "figures.close_period", "figures.reopen_period"


def period_province(unit: Unit) -> Unit:
    """The province whose office owns a unit's reporting years: the current province, also for a
    pre-2025 unit (the office of the province it was merged into)."""
    province = unit if unit.level == Unit.Level.PROVINCE else unit.province
    if province is not None and province.scheme == Unit.Scheme.LEGACY:
        successor = Unit.objects.filter(level=Unit.Level.PROVINCE, predecessor_links__source=province).first()
        if successor is not None:
            return successor
    return province


@transaction.atomic
def set_period(user, unit: Unit, year: int, closed: bool, *, reason: str = "") -> Period:
    """Close (`figures.close_period`: the province office) or reopen (`figures.reopen_period`: a national
    administrator, with a reason) a province's reporting year; the lock covers the province's current
    units, their pre-2025 predecessors and the hamlets of both. Audited.

    Raises PermissionDenied or WriteRefused (Vietnamese message)."""
    province = period_province(unit)
    if not can(user, province, CLOSE if closed else REOPEN) and not is_admin(user):
        raise PermissionDenied("Chỉ văn phòng điều phối tỉnh được khoá kỳ; chỉ quản trị viên được mở lại kỳ đã khoá")
    reason = (reason or "").strip()
    if not closed and not reason:
        raise WriteRefused(["Cần ghi lý do mở lại kỳ báo cáo"])
    period, _ = Period.objects.select_for_update().get_or_create(province=province, year=year)
    if period.closed == closed:
        return period
    before = {"closed": period.closed, "reason": period.reason}
    period.closed, period.reason, period.changed_by = closed, reason[:255], _actor(user)
    period.save()
    audit.record(user, "figures.close_period" if closed else "figures.reopen_period", period, unit=province,
                 before=before, after={"closed": closed, "reason": period.reason})
    return period


def legacy_provinces(province: Unit) -> list[int]:
    return list(Lineage.objects.filter(target=province, source__level=Unit.Level.PROVINCE).values_list("source_id", flat=True))


# --- reading ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Derived:
    """Fields whose values a layer above computes, never typed (a district's "communes NTM" counted
    from its communes' stored evaluations; a commune's OCOP products counted from the register).

    provider: fn(unit_ids, years) → {(unit id, year): {field: value}};
    fields: the field codes it provides; source: where they come from, in Vietnamese, for messages
    ("sổ sản phẩm OCOP"); link: fn(unit id) → the address of the page that holds them, or None;
    levels: the unit levels it can give values for (None: any) — a reader that knows its units'
    levels (the recompute) does not ask it about the others."""

    provider: Callable[[list[int], list[int]], dict[tuple[int, int], dict[str, float]]]
    fields: frozenset[str]
    source: str
    link: Callable[[int], str] | None = None
    levels: frozenset[str] | None = None


_derived: list[Derived] = []


def register_derived(provider, *, fields: Iterable[str], source: str, link: Callable[[int], str] | None = None,
                     levels: Iterable[str] | None = None) -> None:
    """Called by a layer above in its AppConfig.ready(): `values_for(..., derived=True)` asks `provider`,
    the entry form shows `fields` read-only (with `link`), and `write_figures` refuses them as typed input.
    `levels`: the only unit levels `provider` ever gives values for (see `Derived`)."""
    if all(d.provider is not provider for d in _derived):
        _derived.append(Derived(provider, frozenset(fields), source, link,
                                frozenset(levels) if levels is not None else None))


def derived_fields() -> dict[str, Derived]:
    """{field code: the registration that computes it}."""
    return {name: d for d in _derived for name in d.fields}


def values_for(unit_ids: list[int], years: list[int], derived: bool = False,
               levels: Mapping[int, str] | None = None) -> dict[tuple[int, int], dict[str, float]]:
    """All figures of these units and years in one query, grouped for the engine: {(unit id, year):
    {field: value}}; with `derived`, plus the values registered providers compute (only for pairs
    that have figures of their own). Values are floats (the engine computes in floats; Django's
    Decimal and per-row converters cost more than the read), None where a figure is blank.
    `levels` ({unit id: level}, optional): a provider registered for some levels only is not asked
    about units of other levels (a commune's save does not ask the district rollup)."""
    if not unit_ids or not years:
        return {}
    db = reading(Figure)
    units, unit_params = in_ids("unit_id", unit_ids, db.vendor)
    in_years, year_params = in_ids("year", years, db.vendor, "integer")
    return _grouped(db, f"{units} AND {in_years}", unit_params + year_params, derived, levels)


def in_units(units) -> tuple[str, list]:
    """(" AND unit_id IN (…)", params): a figures read narrowed to the queryset `units` as a subquery —
    no list of ids sent, however large a province — or ("", []) for None (every unit). The national
    recompute reads each year this way, in runs (`grouped_rows`; docs/benchmarks.md)."""
    if units is None:
        return "", []
    sub, params = units.order_by().values("pk").query.sql_with_params()
    return f" AND unit_id IN ({sub})", list(params)


# One JSON object per (unit, year), built by the server, which costs less than a million rows sent
# and grouped in Python (the read of a national recompute is then about the bare read of its rows).
# Every number is printed with a decimal point, so it parses as a float, and exactly: PostgreSQL
# prints the numeric itself (scale 4). SQLite stores whole numbers as integers, printed as reals
# (exact below 10^15), and prints reals with 15 significant digits, so a value that does not survive
# that is printed with 17 (the shortest exact form needs no more). Testing the type first keeps the
# read under the floor's (casting every value cost a third more).
_REAL = "CAST(value AS REAL)"
_EXACT = "json(printf('%%!.17g', CAST(value AS REAL)))"
_AS_JSON = {
    "postgresql": "json_object_agg(field, value)::text",
    "sqlite": f"json_group_object(field, CASE typeof(value) "
              f"WHEN 'integer' THEN (CASE WHEN abs(value) < 1000000000000000 THEN {_REAL} ELSE {_EXACT} END) "
              f"WHEN 'real' THEN (CASE WHEN CAST(CAST(value AS TEXT) AS REAL) = value THEN value ELSE {_EXACT} END) "
              f"ELSE value END)",
}


def _grouped(db, where: str, params: list, derived: bool,
             levels: Mapping[int, str] | None = None) -> dict[tuple[int, int], dict[str, float]]:
    """{(unit, year): {field: value}} of the figure rows matching `where` (plain SQL, a client-side
    cursor: `.iterator()` on PostgreSQL got a fast-start plan, docs/benchmarks.md)."""
    with db.cursor() as cursor:
        rows = grouped_rows(cursor, where, params)
    return grouped_values(rows, derived, levels)


def grouped_rows(cursor, where: str, params: list) -> list[tuple[int, int, str]]:
    """[(unit, year, JSON text of {field: value})] of the figure rows matching `where`, read on `cursor`
    (any thread: `core.sql.Behind` reads the national recompute's next units while it evaluates)."""
    cursor.execute(f"SELECT unit_id, year, {_AS_JSON[cursor.db.vendor]} FROM {Figure._meta.db_table} "
                   f"WHERE {where} GROUP BY unit_id, year", params)
    return cursor.fetchall()


def grouped_values(rows: list[tuple[int, int, str]], derived: bool | Mapping[tuple[int, int], dict] = False,
                   levels: Mapping[int, str] | None = None) -> dict[tuple[int, int], dict[str, float]]:
    """`grouped_rows` parsed, {(unit, year): {field: value}}, with derived values when asked: `derived`
    True asks the providers here, a mapping gives them already read (`derived_values`)."""
    loads = orjson.loads  # a third of the standard library's time (10,000 objects of 95 keys: 0.3 s)
    return with_derived({(unit_id, year): loads(text) for unit_id, year, text in rows}, derived, levels)


def with_derived(out: dict[tuple[int, int], dict[str, float | None]],
                 derived: bool | Mapping[tuple[int, int], dict] = True,
                 levels: Mapping[int, str] | None = None) -> dict[tuple[int, int], dict[str, float | None]]:
    """`out` ({(unit, year): {field: value}}, changed in place and returned) with the derived values
    of its pairs: `derived` True asks the providers (`derived_values`), a mapping gives them read."""
    if derived is True and out:
        derived = derived_values(sorted({u for u, _ in out}), sorted({y for _, y in out}), levels)
    if derived:
        for key, values in out.items():
            extra = derived.get(key)
            if extra:
                values.update(extra)
    return out


def derived_values(ids: list[int], years: list[int],
                   levels: Mapping[int, str] | None = None) -> dict[tuple[int, int], dict[str, float]]:
    """{(unit, year): {field: value}} of every registered provider (`register_derived`) for these units
    and years; `levels` ({unit: level}) spares providers the units of levels they do not serve."""
    out: dict[tuple[int, int], dict[str, float]] = defaultdict(dict)
    for d in _derived:  # providers filter with core.sql.id_list: one parameter however many ids
        asked = ids if levels is None or d.levels is None else [
            u for u in ids if u not in levels or levels[u] in d.levels]
        if not asked:
            continue
        for key, extra in d.provider(asked, years).items():
            out[key].update(extra)
    return out
