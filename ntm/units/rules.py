"""Classifying a commune for the criteria sets, as pure functions over data
(`units/data/classifications.toml`): the commune group of 51/2025/QĐ-TTg from the inputs the
decision names, and the 2021–2025 flags."""

from __future__ import annotations

import operator
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "classifications.toml"
_OPS = {"==": operator.eq, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
        "in": lambda a, b: a in b}


@cache
def rules() -> dict[str, Any]:
    return tomllib.loads(DATA.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class GroupAnswer:
    group: int
    reason: str  # the rule's label, in Vietnamese
    source: str


def suggest_group(inputs: dict[str, Any]) -> GroupAnswer:
    """The commune group (1, 2, 3) the decision's rules give for these inputs.

    `inputs`: adjacent_urban (bool), agriculture_share (percent, 0–100), new_urban_area (bool),
    ethnic_area ("", "I", "II", "III"); missing inputs match no condition. Source: see the data file."""
    data = rules()["groups"]
    for rule in data["rule"]:
        conditions = rule["any"]
        if not conditions or any(_holds(c, inputs) for c in conditions):
            return GroupAnswer(rule["group"], rule["label"], f"{data['decision']}; {data['source']}")
    raise ValueError("classifications.toml: no default group rule")


def _holds(cond: dict[str, Any], inputs: dict[str, Any]) -> bool:
    value = inputs.get(cond["input"])
    if value is None or value == "":
        return False
    try:
        return bool(_OPS[cond["op"]](value, cond["value"]))
    except TypeError:
        return False


def input_defs() -> dict[str, dict[str, Any]]:
    return rules()["inputs"]


def flag_defs() -> dict[str, dict[str, Any]]:
    return rules()["flags"]


def group_years() -> tuple[int, int]:
    g = rules()["groups"]
    return g["year_from"], g["year_to"]
