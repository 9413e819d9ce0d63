"""Lessons and news as plain public data (API, portal)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema

from . import content


class PracticeOut(Schema):
    id: int
    title: str
    summary: str
    unit_code: str | None
    unit_name: str | None
    criteria: list[str]
    tags: list[str]
    source: str
    published_on: dt.date


def practice_out(p) -> PracticeOut:
    return PracticeOut(id=p.pk, title=p.title, summary=p.summary, unit_code=p.unit.code if p.unit else None,
                       unit_name=p.unit.full_name if p.unit else None,
                       criteria=[f"{s}:{c}" for s, c in content.criteria_refs(p.criteria)], tags=p.tag_list,
                       source=p.source, published_on=p.published_on)
