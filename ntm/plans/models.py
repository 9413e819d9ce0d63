"""Plans, tasks, the unit's organisations, its steering committee and management board, the
province's cost catalogue, residents' priorities and periodic reviews.

Written only through `ntm.plans.services`. Every model declares `unit_path` and is scoped.
Progress of a task is never stored: it is computed from the figures (`selectors.task_rows`).
"""

from __future__ import annotations

from django.db import models

from ntm.core.scoping import ScopedManager
from ntm.funding.models import MONEY, BoardMemberBase, ProvinceOwned
from ntm.units.models import Unit


class Organisation(models.Model):
    """A body of the unit that can own tasks: a department, a mass organisation, a hamlet…"""

    unit_path = "unit"

    class Kind(models.TextChoices):
        DEPARTMENT = "department", "Phòng, ban, công chức chuyên môn"
        MASS = "mass", "Mặt trận, đoàn thể"
        HAMLET = "hamlet", "Thôn, bản"
        COMMITTEE = "committee", "Ủy ban nhân dân"
        OTHER = "other", "Khác"

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="organisations", verbose_name="đơn vị")
    name = models.CharField("tên", max_length=160)
    kind = models.CharField("loại", max_length=12, choices=Kind.choices, default=Kind.DEPARTMENT)
    hamlet = models.ForeignKey(Unit, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="thôn")
    active = models.BooleanField("còn hoạt động", default=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = "tổ chức"
        verbose_name_plural = "tổ chức"
        ordering = ["unit", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="plans_org_unit_name")]

    def __str__(self) -> str:
        return self.name


class Committee(models.Model):
    """Ban chỉ đạo (steering committee) or Ban quản lý (management board) of a unit."""

    unit_path = "unit"

    class Kind(models.TextChoices):
        STEERING = "steering", "Ban chỉ đạo"
        MANAGEMENT = "management", "Ban quản lý"

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="committees", verbose_name="đơn vị")
    kind = models.CharField("loại", max_length=12, choices=Kind.choices)
    name = models.CharField("tên", max_length=200)
    decision = models.CharField("quyết định thành lập", max_length=120, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = "ban chỉ đạo / ban quản lý"
        verbose_name_plural = "ban chỉ đạo / ban quản lý"
        constraints = [models.UniqueConstraint(fields=["unit", "kind"], name="plans_committee_unit_kind")]

    def __str__(self) -> str:
        return self.name


class Member(BoardMemberBase):
    unit_path = "committee__unit"

    committee = models.ForeignKey(Committee, models.CASCADE, related_name="members", verbose_name="ban")
    position = models.CharField("chức vụ", max_length=160, blank=True)
    organisation = models.ForeignKey(Organisation, models.SET_NULL, null=True, blank=True, verbose_name="tổ chức")

    class Meta:
        verbose_name = "thành viên ban"
        verbose_name_plural = "thành viên ban"
        ordering = ["committee", "role", "name"]


class Assignment(models.Model):
    """A criterion assigned to the organisation responsible for it (as Thọ Xuân did per department)."""

    unit_path = "unit"

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="criterion_assignments", verbose_name="đơn vị")
    criterion = models.CharField("tiêu chí", max_length=16)
    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="assignments", verbose_name="phụ trách")

    objects = ScopedManager()

    class Meta:
        verbose_name = "phân công tiêu chí"
        verbose_name_plural = "phân công tiêu chí"
        constraints = [models.UniqueConstraint(fields=["unit", "criterion"], name="plans_assignment_unit_criterion")]

    def __str__(self) -> str:
        return f"Tiêu chí {self.criterion}: {self.organisation}"


class CostRate(ProvinceOwned):
    """The province's cost catalogue: cost per unit of a figure field (per km of road, per school…)."""

    field = models.CharField("trường số liệu", max_length=64)
    label = models.CharField("hạng mục", max_length=200)
    unit = models.CharField("đơn vị tính", max_length=32, blank=True)
    unit_cost = models.DecimalField("đơn giá (đồng)", **MONEY)
    effort = models.PositiveSmallIntegerField("độ khó (1 dễ – 3 khó)", default=2)
    source = models.CharField("nguồn", max_length=300, blank=True)

    class Meta:
        verbose_name = "đơn giá"
        verbose_name_plural = "danh mục chi phí"
        constraints = [models.UniqueConstraint(fields=["province", "field"], name="plans_cost_province_field")]

    def __str__(self) -> str:
        return self.label


class ResidentPriority(models.Model):
    """What residents asked for first at a consultation: a weight per indicator or criterion."""

    unit_path = "unit"

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="resident_priorities", verbose_name="đơn vị")
    year = models.PositiveSmallIntegerField("năm")
    code = models.CharField("chỉ tiêu hoặc tiêu chí", max_length=16)
    weight = models.PositiveSmallIntegerField("mức ưu tiên", default=1)
    note = models.CharField("ghi chú (cuộc họp, ngày)", max_length=300, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = "ưu tiên của người dân"
        verbose_name_plural = "ưu tiên của người dân"
        constraints = [models.UniqueConstraint(fields=["unit", "year", "code"], name="plans_priority_unit_year_code")]

    def __str__(self) -> str:
        return f"{self.code}: {self.weight}"


class Plan(models.Model):
    unit_path = "unit"

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="plans", verbose_name="đơn vị")
    title = models.CharField("tên kế hoạch", max_length=300)
    target_level = models.CharField("mức phấn đấu", max_length=12)
    target_year = models.PositiveSmallIntegerField("năm đạt")
    year_from = models.PositiveSmallIntegerField("từ năm")
    year_to = models.PositiveSmallIntegerField("đến năm")
    decision = models.CharField("số quyết định", max_length=120, blank=True)
    decision_date = models.DateField("ngày quyết định", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = "kế hoạch"
        verbose_name_plural = "kế hoạch"
        ordering = ["unit", "-year_from"]

    def __str__(self) -> str:
        return self.title


class Task(models.Model):
    unit_path = "plan__unit"

    class Status(models.TextChoices):
        PLANNED = "planned", "Chưa bắt đầu"
        ACTIVE = "active", "Đang thực hiện"
        DONE = "done", "Hoàn thành"
        CANCELLED = "cancelled", "Hủy"

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="tasks", verbose_name="kế hoạch")
    set_code = models.CharField("bộ tiêu chí", max_length=32)
    criterion = models.CharField("tiêu chí", max_length=16)
    indicator = models.CharField("chỉ tiêu", max_length=16)
    title = models.CharField("nội dung", max_length=300)
    baseline = models.FloatField("giá trị đầu kỳ", null=True, blank=True)  # from the figures when made
    baseline_year = models.PositiveSmallIntegerField("năm đầu kỳ", null=True, blank=True)
    target = models.FloatField("giá trị mục tiêu")
    unit_label = models.CharField("đơn vị", max_length=32, blank=True)
    estimated_cost = models.DecimalField("chi phí ước tính (đồng)", null=True, blank=True, **MONEY)
    deadline = models.DateField("hạn hoàn thành")
    owner = models.ForeignKey(Organisation, models.PROTECT, null=True, blank=True, related_name="tasks",
                              verbose_name="đơn vị chủ trì")
    status = models.CharField("trạng thái", max_length=10, choices=Status.choices, default=Status.PLANNED)
    rank = models.PositiveSmallIntegerField("thứ tự ưu tiên", null=True, blank=True)
    reason = models.TextField("lý do xếp hạng", blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = "nhiệm vụ"
        verbose_name_plural = "nhiệm vụ"
        ordering = ["plan", "rank", "deadline", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "indicator"], name="plans_task_plan_indicator")]

    def __str__(self) -> str:
        return self.title


class Budget(models.Model):
    """A task's planned money (or in-kind value) from one source (codes in ntm/funding/data)."""

    unit_path = "task__plan__unit"

    task = models.ForeignKey(Task, models.CASCADE, related_name="budgets", verbose_name="nhiệm vụ")
    source = models.CharField("nguồn", max_length=32)
    amount = models.DecimalField("số tiền (đồng)", **MONEY)

    objects = ScopedManager()

    class Meta:
        verbose_name = "dự toán theo nguồn"
        verbose_name_plural = "dự toán theo nguồn"
        constraints = [models.UniqueConstraint(fields=["task", "source"], name="plans_budget_task_source")]

    def __str__(self) -> str:
        return f"{self.source}: {self.amount}"


class Review(models.Model):
    """A periodic review (sơ kết 6 tháng / tổng kết năm): lessons and proposed commendations typed by
    the unit; the rest of the document's content is gathered from the data (`documents.review_content`)."""

    unit_path = "unit"

    class Kind(models.TextChoices):
        HALF_YEAR = "half", "Sơ kết 6 tháng"
        YEAR = "year", "Tổng kết năm"

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="reviews", verbose_name="đơn vị")
    kind = models.CharField("loại", max_length=4, choices=Kind.choices)
    year = models.PositiveSmallIntegerField("năm")
    lessons = models.TextField("bài học kinh nghiệm", blank=True)
    commendations = models.TextField("đề nghị khen thưởng", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = "sơ kết, tổng kết"
        verbose_name_plural = "sơ kết, tổng kết"
        constraints = [models.UniqueConstraint(fields=["unit", "kind", "year"], name="plans_review_unit_kind_year")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}"
