"""Residents' feedback (moderated, answered), emulation campaigns, commendations, cultural titles."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from ntm.core.scoping import ScopedManager
from ntm.units.models import Unit

from . import rules


def _token() -> str:
    return secrets.token_urlsafe(12)


class Feedback(models.Model):
    """One resident's feedback on a commune, a project or a criterion. Public only once moderated
    (`moderation == approved`); the author's name only if they asked for it; contact and address hash
    are never public."""

    unit_path = "unit"

    class Subject(models.TextChoices):
        UNIT = "unit", "Chung về xã"
        PROJECT = "project", "Một công trình, dự án"
        CRITERION = "criterion", "Một tiêu chí"

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="feedback", verbose_name="xã")
    subject = models.CharField("về", max_length=16, choices=Subject.choices, default=Subject.UNIT)
    criterion = models.CharField("tiêu chí", max_length=16, blank=True)
    project = models.CharField("công trình, dự án", max_length=200, blank=True)
    title = models.CharField("tiêu đề", max_length=200)
    body = models.TextField("nội dung", max_length=4000)
    author_name = models.CharField("họ tên", max_length=120, blank=True)
    show_name = models.BooleanField("cho phép công khai họ tên", default=False)
    contact = models.CharField("điện thoại hoặc thư điện tử (không công khai)", max_length=120, blank=True)
    status = models.CharField("trạng thái", max_length=16, choices=list(rules.STATES.items()), default=rules.RECEIVED)
    moderation = models.CharField("kiểm duyệt", max_length=16, choices=list(rules.MODERATION.items()),
                                  default=rules.PENDING)
    answer = models.TextField("trả lời công khai", blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    token = models.CharField(max_length=32, unique=True, default=_token, editable=False)
    address_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField("gửi lúc", auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = "ý kiến người dân"
        verbose_name_plural = "ý kiến người dân"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["unit", "moderation", "-created_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def public(self) -> bool:
        return self.moderation == rules.APPROVED

    @property
    def public_author(self) -> str:
        return self.author_name if self.show_name and self.author_name else "Người dân (ẩn danh)"


class FeedbackEvent(models.Model):
    """One step of a feedback's life (moderation or state change): who, when, from, to, note."""

    unit_path = "feedback__unit"

    feedback = models.ForeignKey(Feedback, models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    action = models.CharField(max_length=16)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    note = models.CharField(max_length=255, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_state} → {self.to_state}"


class Campaign(models.Model):
    """An emulation campaign (national, or launched by a province/commune: `unit`), its period and contents."""

    unit_path = "unit"

    code = models.SlugField("mã", max_length=64, unique=True)
    name = models.CharField("tên phong trào, cuộc vận động", max_length=255)
    unit = models.ForeignKey(Unit, models.PROTECT, null=True, blank=True, related_name="campaigns",
                             verbose_name="đơn vị phát động (trống: toàn quốc)")
    parent = models.ForeignKey("self", models.CASCADE, null=True, blank=True, related_name="plans",
                               verbose_name="thuộc phong trào")
    launched_by = models.CharField("cơ quan phát động", max_length=200, blank=True)
    launched_on = models.DateField("ngày phát động", null=True, blank=True)
    year_from = models.PositiveSmallIntegerField("từ năm", null=True, blank=True)
    year_to = models.PositiveSmallIntegerField("đến năm", null=True, blank=True)
    decision = models.CharField("văn bản", max_length=120, blank=True)
    contents = models.JSONField("nội dung", default=list, blank=True)
    quota = models.CharField("tỷ lệ khen thưởng", max_length=255, blank=True)
    source = models.CharField("nguồn", max_length=255, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = "phong trào thi đua"
        verbose_name_plural = "phong trào thi đua"
        ordering = ["launched_on", "year_from", "code"]

    def __str__(self) -> str:
        return self.name


class Commendation(models.Model):
    """A commendation decided by an authority: form and granting level from data/community.toml."""

    unit_path = "unit"

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="commendations", verbose_name="đơn vị")
    campaign = models.ForeignKey(Campaign, models.SET_NULL, null=True, blank=True, related_name="commendations",
                                 verbose_name="phong trào")
    form = models.CharField("hình thức", max_length=64, choices=rules.form_choices)
    level = models.CharField("cấp khen", max_length=32, choices=rules.level_choices, editable=False)
    recipient_type = models.CharField("đối tượng", max_length=16, choices=rules.recipient_choices)
    recipient = models.CharField("tên đối tượng", max_length=200)
    publish_name = models.BooleanField("công khai tên (hộ, cá nhân)", default=False)
    decision_number = models.CharField("số quyết định", max_length=64)
    decision_date = models.DateField("ngày quyết định")
    reason = models.CharField("thành tích", max_length=500, blank=True)
    proposal = models.BooleanField("mới là đề nghị (chưa có quyết định)", default=False)

    objects = ScopedManager()

    class Meta:
        verbose_name = "khen thưởng"
        verbose_name_plural = "khen thưởng"
        ordering = ["-decision_date", "id"]

    def __str__(self) -> str:
        return f"{self.get_form_display()} — {self.recipient}"

    @property
    def public_recipient(self) -> str:
        if self.recipient_type in ("household", "person") and not self.publish_name:
            return rules.label("recipient_types", self.recipient_type)
        return self.recipient

    @property
    def year(self) -> int:
        return self.decision_date.year


class CulturalTitle(models.Model):
    """How many households / hamlets / communes of a unit held a cultural title in a year."""

    unit_path = "unit"

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="cultural_titles", verbose_name="đơn vị")
    year = models.PositiveSmallIntegerField("năm")
    title = models.CharField("danh hiệu", max_length=32, choices=rules.title_choices)
    count = models.PositiveIntegerField("số đạt")
    total = models.PositiveIntegerField("tổng số", null=True, blank=True)
    source = models.CharField("nguồn", max_length=255, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = "danh hiệu văn hóa"
        verbose_name_plural = "danh hiệu văn hóa"
        constraints = [models.UniqueConstraint(fields=["unit", "year", "title"], name="cultural_title_unit_year")]
        ordering = ["-year", "title"]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}: {self.get_title_display()} {self.count}"
