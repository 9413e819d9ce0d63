"""The register on a real database: computed stars and expiry, scope, photos without metadata, the
reminder e-mail, and the OCOP-derived indicator the stored evaluation follows."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image

from ntm.evaluations.models import Evaluation
from ntm.ocop import stars
from ntm.ocop.models import OcopProduct
from ntm.ocop.services import ProductInput, derived_values, refresh_statuses, save_product, send_reminders
from ntm.testing import login

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 30)


def product(total="60", issued=None, **kw):
    a = min(Decimal(total), Decimal(40))
    b = min(Decimal(total) - a, Decimal(25))
    data = dict(name="Bánh gai", producer="HTX Thọ Long", group="thuc_pham", score_a=a, score_b=b,
                score_c=Decimal(total) - a - b, issuer="tinh" if issued else "", issued_on=issued)
    data.update(kw)
    return ProductInput(**data)


def tinh():
    return User.objects.get(username="tinh")


def test_stars_and_expiry_are_computed_never_typed(world):
    p = save_product(tinh(), world["tho_long"], product("69.99", dt.date(2024, 2, 29)), today=TODAY)
    assert (p.total, p.stars, p.expires_on, p.status) == (Decimal("69.99"), 3, dt.date(2027, 2, 28), stars.IN_FORCE)
    p = save_product(tinh(), world["tho_long"], product("70", dt.date(2024, 2, 29)), product=p, today=TODAY)
    assert p.stars == 4


def test_refusals_name_the_field(world):
    with pytest.raises(ValidationError) as exc:
        save_product(tinh(), world["tho_long"], product("49.99", dt.date(2025, 1, 1)), today=TODAY)
    assert "issued_on" in exc.value.message_dict  # a 2-star product gets no certificate
    with pytest.raises(PermissionDenied):
        save_product(User.objects.get(username="xem"), world["tho_long"], product("60"), today=TODAY)
    with pytest.raises(PermissionDenied):
        save_product(User.objects.get(username="xa"), world["outsider"], product("60"), today=TODAY)
    assert not OcopProduct.objects.exists()


def test_photo_is_resized_and_stripped(world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    img = Image.new("RGB", (3000, 2000), "green")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif)
    upload = SimpleUploadedFile("p.jpg", buf.getvalue(), content_type="image/jpeg")
    p = save_product(tinh(), world["tho_long"], product("60"), photo=upload, today=TODAY)
    with Image.open(p.photo.path) as stored:
        assert max(stored.size) == 1200
        assert not stored.getexif()
        assert b"SecretCam" not in open(p.photo.path, "rb").read()


def test_reminder_30_days_before_expiry_once(world):
    r = stars.rules()
    issued_soon = stars.add_months(TODAY, -r.validity_months) + dt.timedelta(days=30)  # expires in 30 days
    issued_later = issued_soon + dt.timedelta(days=1)  # expires in 31 days: not yet
    soon = save_product(tinh(), world["tho_long"], product("60", issued_soon, producer_email="a@example.com"), today=TODAY)
    save_product(tinh(), world["tho_long"], product("60", issued_later, name="Chè lam", producer_email="b@example.com"),
                 today=TODAY)
    sent = send_reminders(TODAY)
    assert [p.pk for p in sent] == [soon.pk]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["a@example.com"]
    assert soon.expires_on.strftime("%d/%m/%Y") in mail.outbox[0].subject
    assert send_reminders(TODAY) == []  # once
    out = io.StringIO()
    call_command("ocop", "remind", "--today", (TODAY + dt.timedelta(days=1)).isoformat(), "--format", "json", stdout=out)
    assert "Chè lam" in out.getvalue()


def _commune_meeting_everything(world):
    ev = Evaluation.objects.filter(year=2026, level="ntm", unit__province__code="38").exclude(
        unit=world["tho_long"]).select_related("unit").first()
    assert ev is not None
    return ev.unit


def test_evaluation_follows_the_certificates(world):
    """51/2025 indicator 3.4 (OCOP ≥3★ in force) reads the register once the commune has products."""
    unit = _commune_meeting_everything(world)
    user = tinh()
    two_star = save_product(user, unit, product("45", name="Tương"))  # registered, no certificate
    ev = Evaluation.objects.get(unit=unit, year=2026)
    assert derived_values([unit.pk], [2026], today=TODAY)[(unit.pk, 2026)]["ocop_products_rated"] == 0
    assert ev.met["3"] is False and ev.level == ""
    today = dt.date.today()
    certified = save_product(user, unit, product("75", today - dt.timedelta(days=10), name="Mật ong"))
    ev = Evaluation.objects.get(unit=unit, year=2026)
    assert ev.met["3"] is True and ev.level == "ntm"
    data = product("75", today - dt.timedelta(days=10), name="Mật ong", revoked_on=today,
                   revoke_reason="Không duy trì tiêu chí")
    save_product(user, unit, data, product=certified)
    assert Evaluation.objects.get(unit=unit, year=2026).met["3"] is False
    assert two_star.stars == 2


def test_expired_certificates_leave_the_count(world):
    unit = _commune_meeting_everything(world)
    issued = stars.add_months(TODAY, -36) - dt.timedelta(days=1)
    p = save_product(tinh(), unit, product("80", issued), today=TODAY - dt.timedelta(days=5))
    assert p.status == stars.IN_FORCE
    assert refresh_statuses(TODAY) == [unit.pk]
    p.refresh_from_db()
    assert p.status == stars.EXPIRED
    assert derived_values([unit.pk], [2026], today=TODAY)[(unit.pk, 2026)]["ocop_products_rated"] == 0
    assert derived_values([unit.pk], [2025], today=TODAY)[(unit.pk, 2025)]["ocop_products_rated"] == 1


def test_signed_in_pages_are_scoped(world):
    p = save_product(tinh(), world["tho_long"], product("60"), today=TODAY)
    xa = login("xa")
    assert xa.get(f"/don-vi/{world['tho_long'].pk}/ocop/").status_code == 200
    assert xa.get(f"/ocop/{p.pk}/sua/").status_code == 200
    assert xa.get(f"/don-vi/{world['outsider'].pk}/ocop/").status_code == 404
    assert login("xem").get(f"/ocop/{p.pk}/sua/").status_code == 403
    r = xa.post(f"/don-vi/{world['tho_long'].pk}/ocop/them/", {"name": "Chè lam", "producer": "HTX", "group": "thuc_pham",
                "score_a": "30", "score_b": "20", "score_c": "25", "issuer": "tinh", "issued_on": "05/03/2025"})
    assert r.status_code == 302, r.content.decode()[:2000]
    made = OcopProduct.objects.get(name="Chè lam")
    assert (made.stars, made.issued_on, made.expires_on) == (4, dt.date(2025, 3, 5), dt.date(2028, 3, 5))


def test_edit_through_the_page_is_audited_with_before_and_after(world):
    from ntm.accounts.models import AuditEntry

    p = save_product(tinh(), world["tho_long"], product("60"), today=TODAY)
    r = login("xa").post(f"/ocop/{p.pk}/sua/", {"name": p.name, "producer": p.producer, "group": "thuc_pham",
                                                "score_a": "36", "score_b": "22", "score_c": "32"})
    assert r.status_code == 302
    entry = AuditEntry.objects.filter(action="ocop.save", object_id=str(p.pk)).order_by("-id").first()
    assert entry.before["stars"] == 3 and entry.after["stars"] == 5 and entry.user.username == "xa"
