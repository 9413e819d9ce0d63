"""Lessons and good practices (public library), and news posts per unit."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ntm.core.scoping import ScopedManager
from ntm.units.models import Unit

from . import content


class Practice(models.Model):
    """A lesson or good practice: where it comes from, the criteria it concerns, tags, its source."""

    unit_path = "unit"

    unit = models.ForeignKey(Unit, models.PROTECT, null=True, blank=True, related_name="practices",
                             verbose_name="đơn vị")
    title = models.CharField("tiêu đề", max_length=255)
    summary = models.TextField("tóm tắt")
    body = models.TextField("nội dung", blank=True)
    criteria = models.CharField("tiêu chí liên quan", max_length=255, blank=True)  # " xa-ntm-2021:13 xa-ntm-2026:3 "
    tags = models.CharField("thẻ", max_length=255, blank=True)  # comma separated
    source = models.CharField("nguồn", max_length=500)
    source_url = models.URLField("địa chỉ nguồn", blank=True)
    published_on = models.DateField("ngày")
    public = models.BooleanField("công khai", default=True)
    search_text = models.TextField(editable=False, default="")

    objects = ScopedManager()

    class Meta:
        verbose_name = "bài học kinh nghiệm"
        verbose_name_plural = "bài học kinh nghiệm"
        ordering = ["-published_on", "id"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.body = content.sanitize(self.body)
        self.search_text = content.search_key(self.title, self.summary, self.body, self.tags, self.source,
                                              self.unit.full_name if self.unit_id else "")
        super().save(*args, **kwargs)

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]


class NewsPost(models.Model):
    """An announcement or news post of a unit; rich text sanitised on save (nh3)."""

    unit_path = "unit"

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="news", verbose_name="đơn vị")
    title = models.CharField("tiêu đề", max_length=255)
    summary = models.CharField("tóm tắt", max_length=500, blank=True)
    body = models.TextField("nội dung")
    image = models.ImageField("ảnh", upload_to="news/", blank=True)
    criteria = models.CharField("tiêu chí liên quan", max_length=255, blank=True)
    campaign_code = models.CharField("phong trào", max_length=64, blank=True)
    lessons = models.ManyToManyField(Practice, blank=True, related_name="news", verbose_name="bài học")
    published = models.BooleanField("đăng công khai", default=False)
    published_at = models.DateTimeField("ngày đăng", null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = "tin tức"
        verbose_name_plural = "tin tức"
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.body = content.sanitize(self.body)
        self.search_text = content.search_key(self.title, self.summary, self.body)
        super().save(*args, **kwargs)
