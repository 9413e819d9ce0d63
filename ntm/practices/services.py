"""The only code that writes lessons and news: scoped (`practices.publish`), sanitised (nh3, in the
models' save), audited. Also the diacritic-insensitive search used by the portal and the API."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from ntm.accounts import audit
from ntm.accounts.scope import can
from ntm.core.images import clean_image
from ntm.units.models import Unit

from . import content
from .models import NewsPost, Practice

LESSONS = Path(__file__).resolve().parent / "data" / "lessons.toml"
PUBLISH = "practices.publish"


def search(queryset: QuerySet, q: str) -> QuerySet:
    """Rows whose folded text holds every folded word of `q` ("dan biet dan ban" finds "Dân biết, dân bàn…"),
    those whose title starts with the phrase first, then those containing the phrase, then the rest."""
    terms = content.terms(q)
    if not terms:
        return queryset
    for term in dict.fromkeys(terms):
        queryset = queryset.filter(search_text__contains=term)
    phrase = " ".join(terms)
    rank = Case(When(search_text__startswith=phrase, then=Value(0)), When(search_text__contains=phrase, then=Value(1)),
                default=Value(2), output_field=IntegerField())
    return queryset.annotate(rank=rank).order_by("rank", *queryset.model._meta.ordering)


def public_practices() -> QuerySet:
    return Practice.objects.filter(public=True).select_related("unit")


def for_criterion(queryset: QuerySet, set_code: str, code: str) -> QuerySet:
    """Lessons tagged with this criterion of this set (or, for the other sets, the same criterion code)."""
    return queryset.filter(Q(criteria__contains=f" {set_code}:{code} "))


def public_news() -> QuerySet:
    return NewsPost.objects.filter(published=True).select_related("unit")


def _seed_unit(ref: list[str]) -> Unit | None:
    scheme, level, name, *parent = ref
    qs = Unit.objects.filter(scheme=scheme, level=level, name=name)
    if parent:
        qs = qs.filter(Q(parent__name=parent[0]) | Q(province__name=parent[0]))
    return qs.order_by("code").first()


@transaction.atomic
def load_seed_lessons(path: Path = LESSONS) -> int:
    """The lessons of the seed documents (data/lessons.toml), idempotent by title. Returns rows created."""
    with open(path, "rb") as fh:
        rows = tomllib.load(fh)["lessons"]
    made = 0
    for row in rows:
        _, new = Practice.objects.update_or_create(title=row["title"], defaults=dict(
            unit=_seed_unit(row["unit"]), summary=row["summary"], criteria=content.criteria_key(row.get("criteria", [])),
            tags=row.get("tags", ""), source=row["source"], source_url=row.get("url", ""),
            published_on=dt.date.fromisoformat(row["date"]), public=True))
        made += new
    if made:
        audit.record(None, "practices.seed", object_type="practices.practice", object_id="*",
                     label=f"{made} bài học từ tài liệu gốc")
    return made


@transaction.atomic
def save_news(user, unit: Unit, *, title: str, body: str, summary: str = "", criteria: list[str] | None = None,
              campaign_code: str = "", lessons=(), published: bool = False, image=None, post: NewsPost | None = None,
              system: bool = False) -> NewsPost:
    """Create or update a news post of `unit`; the body is sanitised on save. Raises PermissionDenied or
    ValidationError (Vietnamese)."""
    if not system and not can(user, unit, PUBLISH):
        raise PermissionDenied("Bạn không có quyền đăng tin của đơn vị này")
    if not title.strip():
        raise ValidationError({"title": ["Cần có tiêu đề"]})
    if not content.plain(content.sanitize(body)):
        raise ValidationError({"body": ["Nội dung trống (sau khi bỏ mã không an toàn)"]})
    before = {"title": post.title, "published": post.published} if post else None
    post = post or NewsPost(unit=unit, author=user if getattr(user, "is_authenticated", False) else None)
    post.title, post.body, post.summary = title.strip(), body, summary.strip()
    post.criteria, post.campaign_code = content.criteria_key(criteria or []), campaign_code
    if published and not post.published_at:
        post.published_at = timezone.now()
    post.published = published
    if image:
        try:
            post.image.save(f"news-{unit.code}.jpg", clean_image(image), save=False)
        except ValueError as exc:
            raise ValidationError({"image": [str(exc)]}) from exc
    post.save()
    post.lessons.set(lessons)
    audit.record(user, "practices.news", post, before=before, after={"title": post.title, "published": post.published})
    return post
