"""The only code that writes the OCOP register: scoped (`ocop.edit`), validated, audited; stars and
expiry computed by `stars.py`; the communes whose evaluation reads the register are recomputed.

Also the derived-values provider (`derived_values`) registered with `figures.services.register_derived`:
fields listed under `[[derived]]` in data/ocop.toml are counted from the register.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from ntm.accounts import audit
from ntm.accounts.scope import can, restrict
from ntm.core.images import clean_image
from ntm.core.sql import id_list, in_ids, reading
from ntm.units.models import Lineage, Unit

from . import stars as rules
from .models import OcopProduct

EDIT = "ocop.edit"
PHOTO_MAX = 1200  # px, longest side of a stored photo


@dataclass
class ProductInput:
    name: str
    producer: str
    group: str
    score_a: Decimal
    score_b: Decimal
    score_c: Decimal
    issuer: str = ""
    certificate_number: str = ""
    issued_on: dt.date | None = None
    revoked_on: dt.date | None = None
    revoke_reason: str = ""
    description: str = ""
    producer_email: str = ""
    public: bool = True


def _fields(p: OcopProduct) -> dict:
    return {"name": p.name, "producer": p.producer, "group": p.group, "total": str(p.total), "stars": p.stars,
            "issuer": p.issuer, "issued_on": str(p.issued_on or ""), "expires_on": str(p.expires_on or ""),
            "status": p.status}


def compute(product: OcopProduct, today: dt.date | None = None) -> None:
    """Total, stars, expiry and status from the scores and dates (the only place they are set).
    Raises ValidationError with Vietnamese messages per field."""
    r = rules.rules()
    errors: dict[str, list[str]] = {}
    try:
        product.total = rules.check_scores(Decimal(product.score_a), Decimal(product.score_b), Decimal(product.score_c), r)
    except rules.ScoreError as exc:
        raise ValidationError({"score_a": [str(exc)]}) from exc
    product.stars = rules.stars_for(product.total, r)
    if product.group not in r.groups:
        errors["group"] = ["Nhóm sản phẩm không thuộc sáu nhóm của 148/QĐ-TTg"]
    if product.issued_on:
        if not rules.certifiable(product.stars, r):
            errors["issued_on"] = [f"Sản phẩm {product.stars} sao ({product.total} điểm) không được cấp giấy chứng nhận "
                                   f"(chỉ từ {r.min_stars} sao)"]
        if not product.issuer:
            errors["issuer"] = ["Cần ghi cấp công nhận khi có ngày cấp"]
        product.expires_on = rules.expiry(product.issued_on, r)
    else:
        product.expires_on = None
        if product.revoked_on:
            errors["revoked_on"] = ["Chưa có giấy chứng nhận thì không thể thu hồi"]
    if product.revoked_on and product.issued_on and product.revoked_on < product.issued_on:
        errors["revoked_on"] = ["Ngày thu hồi trước ngày cấp"]
    if product.revoked_on and not product.revoke_reason:
        errors["revoke_reason"] = ["Cần ghi lý do thu hồi"]
    if errors:
        raise ValidationError(errors)
    product.status = rules.status_on(today or timezone.localdate(), product.issued_on, product.expires_on,
                                     product.revoked_on)


def clean_photo(upload) -> ContentFile:
    """The photo resized and stripped of metadata (ntm.core.images); ValidationError if not an image."""
    try:
        return clean_image(upload, PHOTO_MAX)
    except ValueError as exc:
        raise ValidationError({"photo": [str(exc)]}) from exc


@transaction.atomic
def save_product(user, unit: Unit, data: ProductInput, product: OcopProduct | None = None, photo=None,
                 today: dt.date | None = None, _system: bool = False) -> OcopProduct:
    """Create or update a product of `unit` (a commune). Raises PermissionDenied or ValidationError.
    `_system` (demo loader only) skips the user's scope and the per-product recompute."""
    if not _system and not can(user, unit, EDIT):
        raise PermissionDenied("Bạn không có quyền cập nhật sản phẩm OCOP của đơn vị này")
    if unit.level != Unit.Level.COMMUNE:
        raise ValidationError({"unit": ["Sản phẩm OCOP thuộc một xã"]})
    before = _fields(product) if product else None
    old_unit = product.unit_id if product else None
    product = product or OcopProduct(unit=unit, created_by=user if user and user.is_authenticated else None)
    product.unit = unit
    for name, value in vars(data).items():
        setattr(product, name, value)
    compute(product, today)
    if photo:
        product.photo.save(f"ocop-{unit.code}.jpg", clean_photo(photo), save=False)
    product.save()
    audit.record(user, "ocop.save", product, before=before, after=_fields(product))
    if not _system:
        refresh_evaluations({unit.pk, old_unit} - {None})
    return product


def refresh_evaluations(unit_ids: set[int]) -> None:
    """Recompute the stored evaluations that read the register for these communes (and the current
    communes they became), for every year they have figures."""
    from ntm.evaluations.recompute import figure_pairs
    from ntm.evaluations.services import schedule_recompute

    ids = set(unit_ids) | set(Lineage.objects.filter(source_id__in=unit_ids).values_list("target_id", flat=True))
    pairs = figure_pairs(unit_ids=sorted(ids))
    for year, unit_list in sorted(pairs.items()):
        schedule_recompute(unit_ids=sorted(unit_list), years=[year])


def derived_values(unit_ids: list[int], years: list[int], today: dt.date | None = None) -> dict[tuple[int, int], dict[str, float]]:
    """{(unit, year): {field: count}} for the `[[derived]]` fields of data/ocop.toml: products of the
    unit or of the units it came from with ≥ min_stars and a certificate in force on the year's
    reference day (31/12, or today for the running year). The register speaks only for a unit that
    has at least one product registered; elsewhere the typed figure stands."""
    specs = rules.rules().derived
    if not specs or not unit_ids:
        return {}
    today = today or timezone.localdate()
    rows = _products_of(unit_ids)
    if not rows:
        return {}
    owners: dict[int, list[int]] = defaultdict(list)  # unit holding products → the units asked that count them
    wanted = set(unit_ids)
    for uid in {r[0] for r in rows} & wanted:
        owners[uid].append(uid)
    for source_id, target_id in Lineage.objects.filter(target_id__in=id_list(unit_ids)).values_list("source_id",
                                                                                                   "target_id"):
        if source_id != target_id:
            owners[source_id].append(target_id)
    covered = {t for uid, *_ in rows for t in owners[uid]}
    out: dict[tuple[int, int], dict[str, float]] = {}
    for year in years:
        day = rules.reference_day(year, today)
        for spec in specs:
            counts: dict[int, int] = defaultdict(int)
            for uid, stars, issued, expires, revoked in rows:
                if stars < int(spec.get("min_stars", 0)):
                    continue
                if spec.get("in_force", True) and rules.status_on(day, issued, expires, revoked) != rules.IN_FORCE:
                    continue
                for target in owners[uid]:
                    counts[target] += 1
            for target in covered:
                out.setdefault((target, year), {})[spec["field"]] = float(counts.get(target, 0))
    return out


def _products_of(unit_ids: list[int]) -> list[tuple]:
    """(unit id, stars, issued_on, expires_on, revoked_on) of every product of these units or of the
    units they came from (lineage), in one plain-SQL read: a commune with no product in the register
    — most of them — costs one small query on every save."""
    db = reading(OcopProduct)
    vendor = db.vendor
    units, params = in_ids("unit_id", unit_ids, vendor)
    targets, target_params = in_ids("target_id", unit_ids, vendor)
    with db.cursor() as cursor:
        cursor.execute(f"SELECT unit_id, stars, issued_on, expires_on, revoked_on FROM {OcopProduct._meta.db_table} "
                       f"WHERE {units} OR unit_id IN (SELECT source_id FROM {Lineage._meta.db_table} WHERE {targets})",
                       params + target_params)
        return cursor.fetchall()


def due_reminders(today: dt.date | None = None):
    """Products in force whose expiry is within the reminder window and not yet reminded."""
    r = rules.rules()
    today = today or timezone.localdate()
    return OcopProduct.objects.filter(
        status=rules.IN_FORCE, reminded_at__isnull=True, revoked_on__isnull=True,
        expires_on__gte=today, expires_on__lte=today + dt.timedelta(days=r.reminder_days)
    ).select_related("unit")


@transaction.atomic
def send_reminders(today: dt.date | None = None) -> list[OcopProduct]:
    """Email each producer (and note it) once, 30 days before expiry; returns the products reminded.
    Through Django's mail backend (console in development)."""
    today = today or timezone.localdate()
    sent = []
    for p in due_reminders(today).select_for_update(of=("self",)):
        recipients = [p.producer_email] if p.producer_email else []
        if recipients:
            send_mail(
                f"[NTM] Giấy chứng nhận OCOP “{p.name}” hết hạn ngày {p.expires_on:%d/%m/%Y}",
                f"Kính gửi {p.producer},\n\nGiấy chứng nhận sản phẩm OCOP “{p.name}” ({p.stars} sao, "
                f"{p.unit.full_name}) hết hiệu lực ngày {p.expires_on:%d/%m/%Y}. Chủ thể có thể đề nghị đánh giá lại, "
                "kèm báo cáo tình hình 3 năm sản xuất, kinh doanh (148/QĐ-TTg).\n\nHệ thống NTM",
                None, recipients)
        p.reminded_at = timezone.now()
        p.save(update_fields=["reminded_at"])
        audit.record(None, "ocop.remind", p, after={"expires_on": str(p.expires_on), "emailed": bool(recipients)})
        sent.append(p)
    return sent


@transaction.atomic
def refresh_statuses(today: dt.date | None = None) -> list[int]:
    """Move certificates past their expiry to "expired" and recompute the communes affected."""
    today = today or timezone.localdate()
    changed = []
    for p in OcopProduct.objects.select_for_update().filter(
            Q(status=rules.IN_FORCE, expires_on__lt=today) | Q(status=rules.IN_FORCE, revoked_on__lte=today)):
        old = p.status
        p.status = rules.status_on(today, p.issued_on, p.expires_on, p.revoked_on)
        p.save(update_fields=["status"])
        audit.record(None, "ocop.status", p, before={"status": old}, after={"status": p.status})
        changed.append(p.unit_id)
    if changed:
        refresh_evaluations(set(changed))
    return changed


@task
def daily_task() -> dict:
    """The daily OCOP job: statuses, then reminders."""
    return {"expired": len(refresh_statuses()), "reminded": len(send_reminders())}


def products_for(user, action: str = "view"):
    return restrict(OcopProduct.objects.select_related("unit"), user, action)
