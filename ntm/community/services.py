"""The only code that writes community data: feedback (anonymous submission with proof of work and a
rate limit, moderation, the answer workflow), campaigns, commendations, cultural titles.
Every write is atomic and audited; signed-in writes are scoped."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections import defaultdict

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from ntm.accounts import audit
from ntm.accounts.scope import can, restrict
from ntm.units.models import Unit

from . import rules
from .models import Campaign, Commendation, CulturalTitle, Feedback, FeedbackEvent

SALT = "ntm.community.pow"


class SpamRefused(Exception):
    """Refused as possible spam (rate limit, proof of work); the message is Vietnamese."""


def _address_key(address: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()


def issue_challenge() -> str:
    """A signed, timestamped random challenge for the browser's proof of work."""
    return signing.TimestampSigner(salt=SALT).sign(secrets.token_hex(8))


def check_spam(address: str, challenge: str, nonce: str) -> str:
    """Raises SpamRefused unless the challenge is ours, fresh, unused and solved, and the address is
    under its rate limit; returns the address hash to store. Counts the attempt against the limit."""
    r = rules.spam_rules()
    key = _address_key(address)
    bucket = f"community:rate:{key}"
    cache.add(bucket, 0, r.rate_window)
    try:
        used = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.set(bucket, 1, r.rate_window)
        used = 1
    if used > r.rate_count:
        raise SpamRefused(f"Địa chỉ của bạn đã gửi {r.rate_count} ý kiến trong {r.rate_window // 60} phút; "
                          "vui lòng thử lại sau.")
    try:
        signing.TimestampSigner(salt=SALT).unsign(challenge, max_age=r.max_age)
    except signing.SignatureExpired as exc:
        raise SpamRefused("Mẫu đã mở quá lâu; vui lòng tải lại trang và gửi lại.") from exc
    except signing.BadSignature as exc:
        raise SpamRefused("Mã chống thư rác không hợp lệ; vui lòng tải lại trang.") from exc
    if not rules.pow_ok(challenge, nonce or "", r.pow_bits):
        raise SpamRefused("Trình duyệt chưa hoàn tất bước chống thư rác (cần bật JavaScript); vui lòng thử lại.")
    if not cache.add(f"community:used:{hashlib.sha256(challenge.encode()).hexdigest()}", 1, r.max_age):
        raise SpamRefused("Mẫu này đã được gửi; vui lòng tải lại trang để gửi ý kiến khác.")
    return key


@transaction.atomic
def submit_feedback(unit: Unit, *, title: str, body: str, subject: str = Feedback.Subject.UNIT,
                    criterion: str = "", project: str = "", author_name: str = "", show_name: bool = False,
                    contact: str = "", address: str, challenge: str, nonce: str) -> Feedback:
    """A resident's feedback, without an account. Raises SpamRefused or ValidationError (Vietnamese)."""
    address_hash = check_spam(address, challenge, nonce)
    if unit.level != Unit.Level.COMMUNE or unit.scheme != Unit.Scheme.CURRENT:
        raise ValidationError({"unit": ["Ý kiến gửi về một xã hiện hành"]})
    fb = Feedback(unit=unit, subject=subject, criterion=criterion.strip()[:16], project=project.strip()[:200],
                  title=title.strip(), body=body.strip(), author_name=author_name.strip(), show_name=show_name,
                  contact=contact.strip(), address_hash=address_hash)
    errors = {}
    if not fb.title:
        errors["title"] = ["Cần có tiêu đề"]
    if len(fb.body) < 10:
        errors["body"] = ["Nội dung quá ngắn (ít nhất 10 ký tự)"]
    if subject == Feedback.Subject.CRITERION and not fb.criterion:
        errors["criterion"] = ["Chọn tiêu chí mà ý kiến nói tới"]
    if subject == Feedback.Subject.PROJECT and not fb.project:
        errors["project"] = ["Ghi tên công trình, dự án"]
    if errors:
        raise ValidationError(errors)
    fb.save()
    FeedbackEvent.objects.create(feedback=fb, action="submit", to_state=fb.status)
    audit.record(None, "community.feedback_submit", fb, after={"title": fb.title, "subject": fb.subject})
    return fb


def _check(user, fb: Feedback, action: str) -> None:
    if not can(user, fb.unit, action):
        raise PermissionDenied("Bạn không có quyền thực hiện thao tác này với ý kiến của đơn vị này")


@transaction.atomic
def moderate(user, fb: Feedback, approve: bool, note: str = "") -> Feedback:
    """Approve (public) or reject (kept, never public) a feedback. `community.moderate`."""
    _check(user, fb, "community.moderate")
    before = fb.moderation
    fb.moderation = rules.APPROVED if approve else rules.REJECTED
    fb.save(update_fields=["moderation"])
    FeedbackEvent.objects.create(feedback=fb, actor=user, action="approve" if approve else "reject",
                                 from_state=before, to_state=fb.moderation, note=note[:255])
    audit.record(user, "community.moderate", fb, before={"moderation": before}, after={"moderation": fb.moderation})
    return fb


@transaction.atomic
def transition(user, fb: Feedback, action: str, answer: str = "", note: str = "") -> Feedback:
    """handle | answer | close | reopen, by the workflow table in `rules`. Raises PermissionDenied,
    ValidationError or rules.TransitionRefused (Vietnamese)."""
    fb = Feedback.objects.select_for_update().get(pk=fb.pk)
    to, permission = rules.next_state(fb.status, action)
    _check(user, fb, permission)
    before = {"status": fb.status, "answer": fb.answer}
    if action == "answer":
        answer = (answer or "").strip()
        if len(answer) < 5:
            raise ValidationError({"answer": ["Cần nội dung trả lời"]})
        fb.answer, fb.answered_by, fb.answered_at = answer, user, timezone.now()
    from_state, fb.status = fb.status, to
    fb.save()
    FeedbackEvent.objects.create(feedback=fb, actor=user, action=action, from_state=from_state, to_state=to,
                                 note=note[:255])
    audit.record(user, f"community.{action}", fb, before=before, after={"status": fb.status, "answer": fb.answer})
    return fb


def feedback_for(user, action: str = "view"):
    return restrict(Feedback.objects.select_related("unit"), user, action)


def supervision_counts(user) -> list[dict]:
    """Per unit and year: feedback received, by state and moderation, within the user's scope."""
    rows = (feedback_for(user).annotate(year=ExtractYear("created_at")).values(
        "unit_id", "unit__full_name", "year", "status", "moderation").annotate(n=Count("id")).order_by())
    table: dict[tuple, dict] = {}
    for r in rows:
        key = (r["unit__full_name"], r["year"], r["unit_id"])
        row = table.setdefault(key, {"unit_id": r["unit_id"], "unit": r["unit__full_name"], "year": r["year"],
                                     "total": 0, "pending": 0, **{s: 0 for s in rules.STATES}})
        row["total"] += r["n"]
        row[r["status"]] += r["n"]
        if r["moderation"] == rules.PENDING:
            row["pending"] += r["n"]
    return [table[k] for k in sorted(table, key=lambda k: (-k[1], k[0]))]


# --- emulation --------------------------------------------------------------------------------

@transaction.atomic
def ensure_campaigns() -> int:
    """The national campaigns and their plans from data/community.toml (idempotent)."""
    made = 0
    for c in rules.data()["campaigns"]:
        parent, new = Campaign.objects.update_or_create(code=c["code"], defaults=dict(
            name=c["name"], launched_by=c.get("launched_by", ""),
            launched_on=dt.date.fromisoformat(c["launched_on"]) if c.get("launched_on") else None,
            contents=c.get("contents", []), source=c.get("source", "")))
        made += new
        for p in c.get("plans", []):
            _, new = Campaign.objects.update_or_create(
                code=f"{c['code']}-{p['year_from']}-{p['year_to']}", defaults=dict(
                    name=f"{c['name']} ({p['year_from']}–{p['year_to']})", parent=parent, decision=p["decision"],
                    year_from=p["year_from"], year_to=p["year_to"], quota=p.get("quota", ""),
                    source=c.get("source", "")))
            made += new
    return made


@transaction.atomic
def save_commendation(user, unit: Unit, *, form: str, recipient_type: str, recipient: str, decision_number: str,
                      decision_date: dt.date, reason: str = "", campaign: Campaign | None = None,
                      publish_name: bool = False, proposal: bool = False, system: bool = False) -> Commendation:
    """Record a commendation; the granting level follows from the form (data). `community.commend`."""
    if not system and not can(user, unit, "community.commend"):
        raise PermissionDenied("Bạn không có quyền ghi khen thưởng cho đơn vị này")
    errors = {}
    if form not in dict(rules.choices("forms")):
        errors["form"] = ["Hình thức khen thưởng không có trong danh mục"]
    elif not rules.form_allows(form, recipient_type):
        errors["recipient_type"] = [f"“{rules.label('forms', form)}” không trao cho "
                                    f"“{rules.label('recipient_types', recipient_type)}”"]
    if not recipient.strip():
        errors["recipient"] = ["Cần tên đối tượng được khen"]
    if errors:
        raise ValidationError(errors)
    row = Commendation.objects.create(unit=unit, campaign=campaign, form=form, level=rules.form_level(form),
                                      recipient_type=recipient_type, recipient=recipient.strip(),
                                      decision_number=decision_number, decision_date=decision_date, reason=reason,
                                      publish_name=publish_name, proposal=proposal)
    audit.record(user, "community.commend", row, after={"form": form, "recipient": row.recipient,
                                                        "decision": decision_number})
    return row


@transaction.atomic
def set_cultural_title(user, unit: Unit, year: int, title: str, count: int, total: int | None = None,
                       source: str = "", system: bool = False) -> CulturalTitle:
    if not system and not can(user, unit, "community.commend"):
        raise PermissionDenied("Bạn không có quyền ghi danh hiệu văn hóa cho đơn vị này")
    if title not in dict(rules.choices("titles")):
        raise ValidationError({"title": ["Danh hiệu không có trong danh mục"]})
    if total is not None and count > total:
        raise ValidationError({"count": ["Số đạt lớn hơn tổng số"]})
    row, _ = CulturalTitle.objects.update_or_create(unit=unit, year=year, title=title,
                                                    defaults={"count": count, "total": total, "source": source})
    audit.record(user, "community.cultural_title", row, after={"year": year, "title": title, "count": count})
    return row


def titles_by_year(unit_ids) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = defaultdict(dict)
    rows = CulturalTitle.objects.filter(unit_id__in=unit_ids).values("year", "title").annotate(n=Sum("count"))
    for r in rows.order_by("year"):
        out[r["year"]][r["title"]] = r["n"]
    return dict(out)
