"""Stored evaluations: computed by the engine, never typed in; current on every save.

A (unit, year) that cannot be evaluated keeps a row that says why (`error`), never a stale
result; each change of a unit's stored level is a `LevelChange` row, so what the system said on
any day can be answered."""

from django.conf import settings
from django.db import models

from ntm.core.scoping import ScopedManager, ScopedQuerySet
from ntm.units.models import Unit


class EvaluatedQuerySet(ScopedQuerySet):
    pass


class EvaluatedManager(models.Manager.from_queryset(EvaluatedQuerySet)):
    """Rows with a result (the default): rows that only say why a unit could not be evaluated are
    left out of every count, chart and list unless asked for (`Evaluation.all_rows`)."""

    def get_queryset(self):
        return super().get_queryset().filter(error="")


class Evaluation(models.Model):
    unit_path = "unit"

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="evaluations", verbose_name="đơn vị")
    year = models.PositiveSmallIntegerField("năm")
    set_code = models.CharField("bộ tiêu chí", max_length=64)
    set_version = models.PositiveIntegerField("phiên bản bộ tiêu chí", default=0)
    level = models.CharField("mức đạt", max_length=16, blank=True)
    criteria_met = models.PositiveSmallIntegerField("số tiêu chí đạt")
    criteria_total = models.PositiveSmallIntegerField("tổng số tiêu chí")
    met = models.JSONField("tiêu chí: đạt/không/thiếu", default=dict)  # {"1": true, "2": null, …}
    result = models.JSONField("kết quả chi tiết")
    error = models.CharField("không đánh giá được vì", max_length=255, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    objects = EvaluatedManager()
    all_rows = ScopedManager()

    class Meta:
        verbose_name = "kết quả đánh giá"
        verbose_name_plural = "kết quả đánh giá"
        base_manager_name = "all_rows"
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="evaluation_unit_year")]
        indexes = [models.Index(fields=["year", "level"])]

    def __str__(self) -> str:
        if self.error:
            return f"{self.unit} {self.year}: {self.error}"
        return f"{self.unit} {self.year}: {self.criteria_met}/{self.criteria_total} {self.level or '—'}"


class LevelChange(models.Model):
    """One change of a unit's stored level for a year: from, to, when, why, under which set version."""

    unit_path = "unit"

    class Reason(models.TextChoices):
        FIGURES = "figures", "Số liệu thay đổi"
        SET_VERSION = "set_version", "Bộ tiêu chí có phiên bản mới"
        CLASSIFICATION = "classification", "Phân loại đơn vị thay đổi"
        RECOMPUTE = "recompute", "Tính lại"

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="level_changes", verbose_name="đơn vị")
    year = models.PositiveSmallIntegerField("năm")
    from_level = models.CharField("từ mức", max_length=16, blank=True)
    to_level = models.CharField("đến mức", max_length=16, blank=True)
    set_code = models.CharField("bộ tiêu chí", max_length=64, blank=True)
    set_version = models.PositiveIntegerField("phiên bản", default=0)
    reason = models.CharField("vì", max_length=16, choices=Reason.choices)
    note = models.CharField("ghi chú", max_length=255, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField("lúc", auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = "thay đổi mức đạt"
        verbose_name_plural = "thay đổi mức đạt"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["unit", "year", "at"])]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}: {self.from_level or '—'} → {self.to_level or '—'}"


class RecomputeJob(models.Model):
    """A recompute started from a page (a province's, or the country's): its progress, read by the
    page that started it while a worker runs it."""

    unit_path = "province"

    class Status(models.TextChoices):
        QUEUED = "queued", "Đang chờ"
        RUNNING = "running", "Đang tính"
        DONE = "done", "Xong"
        FAILED = "failed", "Lỗi"

    province = models.ForeignKey(Unit, models.CASCADE, null=True, blank=True, related_name="+", verbose_name="tỉnh")
    years = models.JSONField("năm", default=list, blank=True)
    status = models.CharField("trạng thái", max_length=8, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField("đã xong", default=0)
    total = models.PositiveIntegerField("tổng", default=0)
    rows = models.PositiveIntegerField("kết quả đã ghi", default=0)
    # A national recompute is split per province (RecomputePart): then done/failed/total count provinces.
    by_province = models.BooleanField("chia theo tỉnh", default=False)
    failed = models.PositiveIntegerField("lỗi", default=0)
    message = models.CharField("ghi chú", max_length=255, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = "lượt tính lại"
        verbose_name_plural = "lượt tính lại"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.province or 'toàn quốc'}: {self.get_status_display()} {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else (100 if self.status == self.Status.DONE else 0)


class RecomputePart(models.Model):
    """One province's share of a national recompute — its pre-2025 units (`legacy`) or its current
    units and hamlets — run as one task by whichever worker takes it (`services.recompute_part_task`).

    A worker claims the part by one conditional UPDATE (queued/failed, or running with a heartbeat
    older than the lease: its worker died) and refreshes `heartbeat_at` after each year, so a part
    is never run by two live workers and a dead worker's part can be taken again."""

    job = models.ForeignKey(RecomputeJob, models.CASCADE, related_name="parts", verbose_name="lượt tính lại")
    province_code = models.CharField("mã tỉnh", max_length=16)
    legacy = models.BooleanField("đơn vị trước 01/07/2025")
    name = models.CharField("tên", max_length=160)
    status = models.CharField("trạng thái", max_length=8, choices=RecomputeJob.Status.choices,
                              default=RecomputeJob.Status.QUEUED)
    rows = models.PositiveIntegerField("kết quả đã ghi", default=0)
    years_done = models.PositiveIntegerField("năm đã xong", default=0)
    years_total = models.PositiveIntegerField("số năm", default=0)
    attempts = models.PositiveSmallIntegerField("số lần chạy", default=0)
    worker = models.CharField("tiến trình", max_length=80, blank=True)  # host:pid of the last worker that took it
    heartbeat_at = models.DateTimeField("báo hoạt động lúc", null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    message = models.CharField("ghi chú", max_length=255, blank=True)

    class Meta:
        verbose_name = "phần việc tính lại"
        verbose_name_plural = "phần việc tính lại"
        ordering = ["province_code", "-legacy"]
        constraints = [models.UniqueConstraint(fields=["job", "province_code", "legacy"], name="recompute_part_once")]

    def __str__(self) -> str:
        return f"{self.name}: {self.get_status_display()}"
