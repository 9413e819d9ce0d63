"""OCOP products as plain data for the API and the portal (only public fields)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class ProductOut(Schema):
    id: int
    name: str
    producer: str
    unit_code: str
    unit_name: str
    group: str
    group_name: str
    total: float
    stars: int
    issuer: str | None
    issued_on: dt.date | None
    expires_on: dt.date | None
    status: str


def product_out(p) -> ProductOut:
    return ProductOut(id=p.pk, name=p.name, producer=p.producer, unit_code=p.unit.code, unit_name=p.unit.full_name,
                      group=p.group, group_name=p.group_label, total=float(p.total), stars=p.stars,
                      issuer=p.issuer or None, issued_on=p.issued_on, expires_on=p.expires_on, status=p.status_today())
