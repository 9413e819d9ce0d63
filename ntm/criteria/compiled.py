"""Bulk evaluation compiled to straight-line Python, one function per resolved plan.

A national recompute evaluates each (set, class, year) plan about ten thousand times; interpreting
the plan costs a tuple unpacking, several branches and lookups per indicator. Here a plan is
translated once into code in which the fields, targets and operators are constants, so each
indicator costs a lookup and a comparison. Pure: no ORM, no I/O.

The interpreter (`evaluate.evaluate_set`) stays the reference and gives the detailed results; the
compiled form gives the criterion results only (`detail=False`), and the tests check that both
agree on every set of the registry (ntm/criteria/tests/test_compiled.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .spec import COMPARE, TOP_TRUST

# (criterion results, number of criteria met) = compiled(values, past, alternatives)
Compiled = Callable[[Mapping[str, Any], Mapping[str, float] | None, tuple], tuple[list, int]]


def shape(plan: tuple) -> tuple:
    """What the compiled code of a plan depends on, as a hashable key: plans of different registry
    views (every province sees its own) that resolve alike share one function. Rows chosen per unit
    are passed at call time (`alternatives`, in plan order), so only their place counts here."""
    return tuple(
        (criterion.code, criterion.name, criterion.group,
         tuple((code, fld, num, den, is_bool, op, rank, alts is None, target if alts is None else None,
                type(target).__name__)
               for _ind, _t, target, op, _c, code, fld, num, den, is_bool, alts, rank in rows))
        for criterion, rows in plan)


def alternatives(plan: tuple) -> tuple:
    """The rows of a plan chosen per unit, in plan order: the third argument of its compiled code."""
    return tuple(row[10] for _criterion, rows in plan for row in rows if row[10] is not None)


def compile_plan(plan: tuple, by_code: bool, *, result: type, pick: Callable, by_rank: tuple[str, ...]) -> Compiled:
    """Translate a plan (`evaluate._plan`: ((criterion, rows), …)) into one function.

    The function is called as `compiled(values, past, alternatives(plan))`. `by_code`: the values may give an indicator's value under its code, which then wins over its
    field (as in the interpreter). `result` builds a criterion result (code, name, group, met,
    indicators met, indicators, trust); `pick(alternatives, values, past)` chooses a row that
    depends on the unit and gives (target, compare, trust rank); `by_rank` maps a trust rank to its
    state. Raises ValueError for an operator outside spec.COMPARE (never emitted as text)."""
    consts: dict[str, Any] = {"R": result, "PICK": pick, "BY_RANK": by_rank, "round": round, "float": float,
                              "bool": bool}

    def const(value: Any) -> str:
        name = f"K{len(consts)}"
        consts[name] = value
        return name

    lines = ["def compiled(values, past, alternatives):", "    get = values.get", "    out = []", "    met_count = 0"]
    n_alts = 0
    for criterion, rows in plan:
        lines.append("    nt = nn = nf = 0")
        lines.append(f"    rm = rf = {TOP_TRUST}")
        for _ind, _threshold, target, op, _compare, code, fld, num, den, is_bool, alts, rank in rows:
            read = _read(const, code if by_code else None, fld, num, den)
            cast = "bool(v)" if is_bool else "float(v)"
            if alts is not None:  # chosen per unit: a `when` condition or the unit's own past
                lines.append(f"    target, compare, rank = PICK(alternatives[{n_alts}], values, past)")
                n_alts += 1
                lines += read
                lines += ["    if v is None or target is None:", "        nn += 1",
                          f"    elif compare({cast}, target):", "        nt += 1",
                          "        if rank < rm:", "            rm = rank",
                          "    else:", "        nf += 1", "        if rank < rf:", "            rf = rank"]
                continue
            if target is None:  # a reference that resolved to nothing: missing, whatever the value
                lines.append("    nn += 1")
                continue
            if op not in COMPARE:
                raise ValueError(f"toán tử không hợp lệ: {op!r}")
            if not fld and isinstance(target, int | float) and not isinstance(target, bool):
                read = _read(const, code if by_code else None, fld, num, den, near=const(target))
            lines += read
            lines += ["    if v is None:", "        nn += 1", f"    elif {cast} {op} {const(target)}:", "        nt += 1"]
            if rank < TOP_TRUST:
                lines.append(f"        if rm > {rank}:\n            rm = {rank}")
            lines += ["    else:", "        nf += 1"]
            if rank < TOP_TRUST:
                lines.append(f"        if rf > {rank}:\n            rf = {rank}")
        head = ", ".join(const(x) for x in (criterion.code, criterion.name, criterion.group))
        lines += ["    met = False if nf else (None if nn else True)", "    met_count += met is True",
                  f"    out.append(R({head}, met, nt, {len(rows)}, BY_RANK[rf if nf else rm]))"]
    lines.append("    return out, met_count")
    namespace = dict(consts)
    exec(compile("\n".join(lines), f"<plan {len(plan)} criteria>", "exec"), namespace)  # noqa: S102 - our own text
    return namespace["compiled"]


def _read(const: Callable[[Any], str], code: str | None, fld: str, num: str, den: str, near: str = "") -> list[str]:
    """Lines leaving an indicator's value in `v`: by its code (when the values may hold codes), from
    its field, or the ratio numerator/denominator in percent rounded to 4 decimals (None when either
    is missing or the denominator ≤ 0), as the interpreter reads it. With `near` (the name of a
    fixed target), the ratio is rounded only within 0.0001 of it: rounding moves a value by at most
    0.00005, so farther away it cannot change the comparison, and round() was a sixth of the time."""
    if fld:
        lines = [f"    v = get({const(fld)})"]
    elif near:
        lines = [f"    n = get({const(num)})", f"    d = get({const(den)})",
                 "    if n is None or d is None or d <= 0:", "        v = None", "    else:",
                 "        v = 100.0 * float(n) / float(d)",
                 f"        if -0.0001 < v - {near} < 0.0001:", "            v = round(v, 4)"]
    else:
        lines = [f"    n = get({const(num)})", f"    d = get({const(den)})",
                 "    v = None if n is None or d is None or d <= 0 else round(100.0 * float(n) / float(d), 4)"]
    if code is None:
        return lines
    return [f"    v = get({const(code)})", "    if v is None:", *("    " + line for line in lines)]
