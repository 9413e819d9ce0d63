"""The resources ledger, residents' decisions, contributors, disclosures, the province's settings
(per-household ceiling, list of project types), community projects under the special mechanism and
their community investment supervision boards.

Written only through `ntm.funding.services`. Ledger entries are immutable: a correction is a
reversing entry (`Contribution.reverses`); `Contribution.save()` refuses to update a stored row and
`delete()` is refused.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from ntm.core.scoping import ScopedManager
from ntm.units.models import Unit

from .config import source_choices

MONEY = {"max_digits": 18, "decimal_places": 0}  # đồng
QTY = {"max_digits": 14, "decimal_places": 2}


class ProvinceOwned(models.Model):
    """Base of a province's own values (its ceiling, its project types; `plans.CostRate`): a row
    of one province, scoped through it. Reverse accessor: `province.<model>s` (`ceilings`…)."""

    unit_path = "province"

    province = models.ForeignKey(Unit, models.CASCADE, related_name="%(class)ss", verbose_name="tỉnh")

    objects = ScopedManager()

    class Meta:
        abstract = True


class BoardMemberBase(models.Model):
    """Base of a member of a board (ban): the community supervision board here, the steering
    committee and management board in `plans.Member`."""

    class Role(models.TextChoices):
        HEAD = "head", "Trưởng ban"
        DEPUTY = "deputy", "Phó trưởng ban"
        MEMBER = "member", "Thành viên"

    name = models.CharField("họ tên", max_length=120)
    role = models.CharField("vai trò trong ban", max_length=8, choices=Role.choices, default=Role.MEMBER)

    objects = ScopedManager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class LedgerLine(models.Model):
    """Base of the two sides of the ledger, money in (`Contribution`) and out (`Expenditure`): a
    unit's dated line of a source, maybe for a community project. Reverse accessors are the model's
    plural (`unit.contributions`, `project.expenditures`)."""

    unit_path = "unit"

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="%(class)ss", verbose_name="đơn vị")
    year = models.PositiveSmallIntegerField("năm")
    date = models.DateField("ngày")
    source = models.CharField("nguồn", max_length=32, choices=source_choices())
    project = models.ForeignKey("CommunityProject", models.PROTECT, null=True, blank=True, related_name="%(class)ss",
                                verbose_name="dự án")
    work = models.CharField("công trình, nội dung", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        abstract = True
        ordering = ["unit", "date", "pk"]


class Ceiling(ProvinceOwned):
    """The province's ceiling on a per-household contribution; above it an entry is flagged."""

    year_from = models.PositiveSmallIntegerField("áp dụng từ năm")
    amount = models.DecimalField("mức tối đa mỗi hộ (đồng/năm)", **MONEY)
    decision = models.CharField("văn bản của tỉnh", max_length=200, blank=True)

    class Meta:
        verbose_name = "mức trần đóng góp mỗi hộ"
        verbose_name_plural = "mức trần đóng góp mỗi hộ"
        constraints = [models.UniqueConstraint(fields=["province", "year_from"], name="funding_ceiling_province_year")]

    def __str__(self) -> str:
        return f"{self.amount} đồng/hộ từ {self.year_from}"


class ProjectType(ProvinceOwned):
    """A type on the province's list of projects eligible for the special mechanism (§2.2)."""

    code = models.CharField("mã", max_length=32)
    name = models.CharField("loại dự án", max_length=200)
    decision = models.CharField("văn bản của tỉnh", max_length=200, blank=True)

    class Meta:
        verbose_name = "loại dự án cơ chế đặc thù"
        verbose_name_plural = "danh mục loại dự án cơ chế đặc thù"
        constraints = [models.UniqueConstraint(fields=["province", "code"], name="funding_type_province_code")]

    def __str__(self) -> str:
        return self.name


class Contributor(models.Model):
    unit_path = "unit"

    class Kind(models.TextChoices):
        HOUSEHOLD = "household", "Hộ gia đình"
        ENTERPRISE = "enterprise", "Doanh nghiệp, hợp tác xã"
        PERSON = "person", "Cá nhân"
        ORGANISATION = "organisation", "Cơ quan, tổ chức"

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="contributors", verbose_name="đơn vị")
    kind = models.CharField("loại", max_length=12, choices=Kind.choices, default=Kind.HOUSEHOLD)
    name = models.CharField("tên", max_length=200)
    hamlet = models.ForeignKey(Unit, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="thôn")
    exemption = models.CharField("thuộc diện miễn", max_length=16, blank=True)  # codes in data/rules.toml
    public_consent = models.BooleanField("đồng ý công khai tên", default=False)

    objects = ScopedManager()

    class Meta:
        verbose_name = "người đóng góp"
        verbose_name_plural = "người đóng góp"
        ordering = ["unit", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def public_name(self) -> str:
        return self.name if self.public_consent else "Ẩn danh"


class ResidentDecision(models.Model):
    """The residents' meeting that agreed a community contribution (policy and level)."""

    unit_path = "unit"

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="resident_decisions", verbose_name="đơn vị")
    subject = models.CharField("nội dung", max_length=300)
    meeting_date = models.DateField("ngày họp")
    eligible = models.PositiveIntegerField("số hộ/cử tri thuộc diện biểu quyết")
    attendance = models.PositiveIntegerField("số dự họp")
    agreeing = models.PositiveIntegerField("số đồng ý")
    per_household = models.DecimalField("mức đóng góp mỗi hộ (đồng)", null=True, blank=True, **MONEY)
    passed = models.BooleanField("đủ tỷ lệ đồng ý", default=False)  # from ledger.decision_errors when written
    over_ceiling = models.BooleanField("vượt mức trần của tỉnh", default=False)

    objects = ScopedManager()

    class Meta:
        verbose_name = "quyết định của người dân"
        verbose_name_plural = "quyết định của người dân"
        ordering = ["unit", "-meeting_date"]

    def __str__(self) -> str:
        return f"{self.subject} ({self.meeting_date:%d/%m/%Y})"


class CommunityProject(models.Model):
    """A small project under the special mechanism (§2.2): one commune, ≤ the cap, a listed type."""

    unit_path = "unit"

    class Status(models.TextChoices):
        PREPARING = "preparing", "Chuẩn bị"
        BUILDING = "building", "Đang thi công"
        DONE = "done", "Đã hoàn thành"

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="community_projects", verbose_name="xã")
    name = models.CharField("tên dự án", max_length=300)
    type = models.ForeignKey(ProjectType, models.PROTECT, verbose_name="loại dự án")
    total = models.DecimalField("tổng mức đầu tư (đồng)", **MONEY)
    start = models.DateField("khởi công", null=True, blank=True)
    end = models.DateField("hoàn thành", null=True, blank=True)
    status = models.CharField("trạng thái", max_length=10, choices=Status.choices, default=Status.PREPARING)

    objects = ScopedManager()

    class Meta:
        verbose_name = "dự án cơ chế đặc thù"
        verbose_name_plural = "dự án cơ chế đặc thù"

    def __str__(self) -> str:
        return self.name


class Contribution(LedgerLine):
    """One ledger entry. Immutable once written; corrections reverse it (`reverses`)."""

    amount = models.DecimalField("số tiền (đồng)", null=True, blank=True, **MONEY)
    quantity = models.DecimalField("số lượng", null=True, blank=True, **QTY)
    rate = models.DecimalField("đơn giá quy đổi (đồng/đơn vị)", null=True, blank=True, **MONEY)
    value = models.DecimalField("giá trị (đồng)", **MONEY)  # amount, or quantity × rate (ledger.value_of)
    contributor = models.ForeignKey(Contributor, models.PROTECT, null=True, blank=True, verbose_name="người đóng góp")
    task = models.ForeignKey("plans.Task", models.PROTECT, null=True, blank=True, related_name="contributions",
                             verbose_name="nhiệm vụ")
    decision = models.ForeignKey(ResidentDecision, models.PROTECT, null=True, blank=True, verbose_name="họp dân")
    obligation = models.BooleanField("mức giao theo hộ", default=False)
    flagged = models.CharField("cần xem lại", max_length=300, blank=True)  # e.g. above the province ceiling
    reverses = models.OneToOneField("self", models.PROTECT, null=True, blank=True, related_name="reversed_by",
                                    verbose_name="bút toán đảo của")
    note = models.CharField("ghi chú", max_length=300, blank=True)
    created_by = models.ForeignKey("auth.User", models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta(LedgerLine.Meta):
        verbose_name = "khoản huy động"
        verbose_name_plural = "sổ huy động nguồn lực"
        indexes = [models.Index(fields=["unit", "year"])]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.date:%d/%m/%Y}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError("Sổ huy động không cho sửa một khoản đã ghi: hãy ghi bút toán đảo rồi ghi khoản đúng")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Sổ huy động không cho xóa một khoản đã ghi: hãy ghi bút toán đảo")


class Expenditure(LedgerLine):
    """What was spent, per project and source (for the public disclosure)."""

    amount = models.DecimalField("số tiền (đồng)", **MONEY)

    class Meta(LedgerLine.Meta):
        verbose_name = "khoản chi"
        verbose_name_plural = "khoản chi"

    def __str__(self) -> str:
        return f"Chi {self.amount} đồng {self.date:%d/%m/%Y}"


class Disclosure(models.Model):
    """A public disclosure (công khai) of a year's ledger: date and place. Only entries dated on or
    before it are shown on the public page."""

    unit_path = "unit"

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="disclosures", verbose_name="đơn vị")
    year = models.PositiveSmallIntegerField("năm")
    date = models.DateField("ngày công khai")
    place = models.CharField("nơi công khai", max_length=300)
    note = models.CharField("ghi chú", max_length=300, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = "công khai"
        verbose_name_plural = "công khai"
        ordering = ["unit", "-date"]

    def __str__(self) -> str:
        return f"Công khai năm {self.year} ngày {self.date:%d/%m/%Y} tại {self.place}"


class Board(models.Model):
    """Ban giám sát đầu tư của cộng đồng of a project (§2.4)."""

    unit_path = "project__unit"

    project = models.OneToOneField(CommunityProject, models.CASCADE, related_name="board", verbose_name="dự án")
    elected_on = models.DateField("ngày bầu")
    meeting = models.CharField("hội nghị bầu", max_length=300, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = "ban giám sát đầu tư của cộng đồng"
        verbose_name_plural = "ban giám sát đầu tư của cộng đồng"

    def __str__(self) -> str:
        return f"Ban giám sát {self.project}"


class BoardMember(BoardMemberBase):
    unit_path = "board__project__unit"

    board = models.ForeignKey(Board, models.CASCADE, related_name="members", verbose_name="ban")
    hamlet = models.ForeignKey(Unit, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="thôn")

    class Meta:
        verbose_name = "thành viên ban giám sát"
        verbose_name_plural = "thành viên ban giám sát"
        ordering = ["board", "role", "name"]


class Inspection(models.Model):
    unit_path = "board__project__unit"

    board = models.ForeignKey(Board, models.CASCADE, related_name="inspections", verbose_name="ban")
    date = models.DateField("ngày giám sát")
    content = models.TextField("nội dung giám sát")
    findings = models.TextField("phát hiện", blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = "đợt giám sát"
        verbose_name_plural = "đợt giám sát"
        ordering = ["board", "date"]

    def __str__(self) -> str:
        return f"Giám sát ngày {self.date:%d/%m/%Y}"


class Request(models.Model):
    """A request the board made after an inspection, and its follow-up."""

    unit_path = "inspection__board__project__unit"

    inspection = models.ForeignKey(Inspection, models.CASCADE, related_name="requests", verbose_name="đợt giám sát")
    text = models.TextField("kiến nghị")
    addressed_to = models.CharField("gửi", max_length=200)
    response = models.TextField("trả lời, xử lý", blank=True)
    resolved_on = models.DateField("ngày xử lý xong", null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = "kiến nghị"
        verbose_name_plural = "kiến nghị"

    def __str__(self) -> str:
        return self.text[:80]
