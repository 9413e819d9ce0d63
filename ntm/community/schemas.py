"""Public feedback as plain data (only moderated items; no contact, no address, no staff name)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class FeedbackOut(Schema):
    id: int
    unit_code: str
    title: str
    body: str
    author: str
    status: str
    answer: str
    created_at: dt.datetime


def feedback_out(fb) -> FeedbackOut:
    return FeedbackOut(id=fb.pk, unit_code=fb.unit.code, title=fb.title, body=fb.body, author=fb.public_author,
                       status=fb.status, answer=fb.answer, created_at=fb.created_at)
