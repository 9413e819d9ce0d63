"""Recognitions (decisions), dossiers and their workflow rows, withdrawal cases.

Written only by `services.py`. Every model belongs to a unit (`unit_path`) and is scoped through
`ScopedManager().restrict(user, action)`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ntm.core.scoping import ScopedManager
from ntm.units.models import Unit

from . import workflow

LEVELS = [("ntm", "Nông thôn mới"), ("nang_cao", "NTM nâng cao"), ("kieu_mau", "NTM kiểu mẫu"),
          ("hien_dai", "NTM hiện đại")]


class Recognition(models.Model):
    """A unit recognised at a level in a year by a decision (or acknowledged after a merger, or
    recorded from the past). Status: in force, withdrawn, superseded by a higher level."""

    unit_path = "unit"

    class Kind(models.TextChoices):
        DECIDED = "decided", "Công nhận theo hồ sơ"
        ACKNOWLEDGED = "acknowledged", "Thừa nhận (xã sáp nhập)"
        RECORDED = "recorded", "Nhập từ quyết định trước đây"

    class Status(models.TextChoices):
        IN_FORCE = "in_force", "Còn hiệu lực"
        WITHDRAWN = "withdrawn", "Đã thu hồi"
        SUPERSEDED = "superseded", "Đã được công nhận mức cao hơn"

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="recognitions", verbose_name="đơn vị")
    level = models.CharField("mức", max_length=16, choices=LEVELS)
    year = models.PositiveSmallIntegerField("năm đạt chuẩn")
    kind = models.CharField("loại", max_length=16, choices=Kind.choices)
    status = models.CharField("tình trạng", max_length=16, choices=Status.choices, default=Status.IN_FORCE)
    decision_number = models.CharField("số, ký hiệu quyết định", max_length=64, blank=True)
    decision_date = models.DateField("ngày quyết định", null=True, blank=True)
    issuing_body = models.CharField("cơ quan ban hành", max_length=128, blank=True)
    signer_role = models.CharField("chức vụ người ký", max_length=128, blank=True)
    signer_name = models.CharField("người ký", max_length=128, blank=True)
    signed_file = models.FileField("bản ký", upload_to="recognition/decisions/%Y/", blank=True)
    dossier = models.ForeignKey("Dossier", models.SET_NULL, null=True, blank=True, related_name="recognitions")
    sources = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="acknowledged_as",
                                     verbose_name="công nhận của các xã trước sáp nhập")
    note = models.CharField("ghi chú", max_length=255, blank=True)
    ended_on = models.DateField("hết hiệu lực từ", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = "công nhận"
        verbose_name_plural = "công nhận"
        ordering = ["unit", "year", "id"]
        indexes = [models.Index(fields=["unit", "status"]), models.Index(fields=["year", "level"])]

    def __str__(self) -> str:
        return f"{self.unit} — {self.get_level_display()} {self.year}"


class Dossier(models.Model):
    """The dossier proposing a unit for recognition at a level for a year, and its workflow state."""

    unit_path = "unit"

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="dossiers", verbose_name="đơn vị")
    level = models.CharField("mức đề nghị", max_length=16, choices=LEVELS)
    year = models.PositiveSmallIntegerField("năm")
    state = models.CharField("trạng thái", max_length=16, choices=list(workflow.STATES.items()), default=workflow.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Conditions declared with their evidence (program-rules.md §1.2).
    no_debt = models.BooleanField("không còn nợ đọng XDCB", null=True, blank=True)
    no_debt_evidence = models.CharField("minh chứng nợ đọng", max_length=255, blank=True)
    security_ok = models.BooleanField("an ninh trật tự không phức tạp", null=True, blank=True)
    security_evidence = models.CharField("minh chứng an ninh trật tự", max_length=255, blank=True)
    # Announcement (C8).
    ceremony_date = models.DateField("ngày công bố", null=True, blank=True)
    certificate = models.CharField("bằng công nhận", max_length=128, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = "hồ sơ công nhận"
        verbose_name_plural = "hồ sơ công nhận"
        ordering = ["-year", "unit"]
        constraints = [models.UniqueConstraint(
            fields=["unit", "level", "year"], condition=~Q(state__in=sorted(workflow.CLOSED)),
            name="dossier_one_active", violation_error_message="Đơn vị đã có một hồ sơ đang xử lý cho mức và năm này")]

    def __str__(self) -> str:
        return f"Hồ sơ {self.get_level_display()} {self.year} — {self.unit}"

    @property
    def snapshot(self) -> Snapshot | None:
        return self.snapshots.order_by("-taken_at", "-id").first()


class Transition(models.Model):
    """One move of a dossier or a withdrawal case: who, when, from, to, action, comment."""

    unit_path = "unit"

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+")
    dossier = models.ForeignKey(Dossier, models.CASCADE, null=True, blank=True, related_name="transitions")
    case = models.ForeignKey("WithdrawalCase", models.CASCADE, null=True, blank=True, related_name="transitions")
    action = models.CharField("bước", max_length=32)
    from_state = models.CharField("từ", max_length=16, blank=True)
    to_state = models.CharField("đến", max_length=16)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                             verbose_name="người thực hiện")
    comment = models.TextField("ý kiến", blank=True)
    at = models.DateTimeField("lúc", auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = "bước xử lý"
        verbose_name_plural = "bước xử lý"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state or '—'} → {self.to_state} ({self.action})"


class Snapshot(models.Model):
    """The evaluation and the figures frozen at self-assessment, with the set version."""

    unit_path = "dossier__unit"

    dossier = models.ForeignKey(Dossier, models.CASCADE, related_name="snapshots")
    year = models.PositiveSmallIntegerField()
    set_code = models.CharField(max_length=64)
    set_version = models.PositiveIntegerField(default=0)
    level = models.CharField("mức đạt theo số liệu", max_length=16, blank=True)
    criteria_met = models.PositiveSmallIntegerField(default=0)
    criteria_total = models.PositiveSmallIntegerField(default=0)
    criteria = models.JSONField(default=dict)  # {set code: {"level": …, "reached": bool, "criteria": [[code, name, met]]}}
    figures = models.JSONField(default=dict)  # {field: value}
    taken_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = "số liệu chốt khi tự đánh giá"
        verbose_name_plural = "số liệu chốt khi tự đánh giá"

    def __str__(self) -> str:
        return f"Số liệu chốt {self.year} ({self.set_code} v{self.set_version})"


class Consultation(models.Model):
    """Publicity and consultation (C1–C2): where posted, when, readings, written comments."""

    unit_path = "dossier__unit"

    dossier = models.OneToOneField(Dossier, models.CASCADE, related_name="consultation")
    posted_at = models.CharField("nơi niêm yết", max_length=255)
    opened_on = models.DateField("ngày bắt đầu")

    objects = ScopedManager()

    class Meta:
        verbose_name = "lấy ý kiến nhân dân"
        verbose_name_plural = "lấy ý kiến nhân dân"

    def __str__(self) -> str:
        return f"Lấy ý kiến từ {self.opened_on:%d/%m/%Y}"


class Reading(models.Model):
    """One reading of the report on the commune loudspeakers."""

    unit_path = "consultation__dossier__unit"

    consultation = models.ForeignKey(Consultation, models.CASCADE, related_name="readings")
    on = models.DateField("ngày đọc")
    note = models.CharField("ghi chú", max_length=255, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"Đọc trên loa {self.on:%d/%m/%Y}"


class Comment(models.Model):
    """A written comment of the Fatherland Front or a socio-political organisation."""

    unit_path = "consultation__dossier__unit"

    consultation = models.ForeignKey(Consultation, models.CASCADE, related_name="comments")
    organisation = models.CharField("tổ chức", max_length=128)
    on = models.DateField("ngày")
    text = models.TextField("nội dung")
    file = models.FileField("văn bản", upload_to="recognition/comments/%Y/", blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"Ý kiến {self.organisation} {self.on:%d/%m/%Y}"


class Survey(models.Model):
    """The Front's satisfaction survey (C3, HD 90/HD-MTTW-BTT)."""

    unit_path = "dossier__unit"

    dossier = models.OneToOneField(Dossier, models.CASCADE, related_name="survey")
    organisation = models.CharField("đơn vị khảo sát", max_length=128, default="Ủy ban MTTQ Việt Nam xã")
    method = models.CharField("hình thức", max_length=64, blank=True)
    households_asked = models.PositiveIntegerField("số hộ được hỏi")
    households_answered = models.PositiveIntegerField("số hộ trả lời")
    households_satisfied = models.PositiveIntegerField("số hộ hài lòng")
    on = models.DateField("ngày tổng hợp")

    objects = ScopedManager()

    def __str__(self) -> str:
        return f"Khảo sát: {self.households_satisfied}/{self.households_answered} hộ hài lòng"

    @property
    def rate(self) -> float | None:
        return self.households_satisfied / self.households_answered if self.households_answered else None


class Override(models.Model):
    """A council override of an unmet criterion at the gate, with its reason."""

    unit_path = "dossier__unit"

    dossier = models.ForeignKey(Dossier, models.CASCADE, related_name="overrides")
    criterion = models.CharField("tiêu chí", max_length=16)
    reason = models.TextField("lý do")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dossier", "criterion"], name="override_once")]

    def __str__(self) -> str:
        return f"Ngoại lệ tiêu chí {self.criterion}"


class Appraisal(models.Model):
    """The appraisal council (C6): members, a verdict per criterion, the ballot."""

    unit_path = "dossier__unit"

    dossier = models.OneToOneField(Dossier, models.CASCADE, related_name="appraisal")
    members = models.JSONField("thành viên", default=list)  # ["Nguyễn Văn A — Phó Chủ tịch UBND tỉnh", …]
    meeting_on = models.DateField("ngày họp", null=True, blank=True)
    votes_for = models.PositiveSmallIntegerField("tán thành", null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField("không tán thành", null=True, blank=True)
    conclusion = models.TextField("kết luận", blank=True)

    objects = ScopedManager()

    def __str__(self) -> str:
        return f"Thẩm định: {self.votes_for or 0} tán thành / {self.votes_against or 0} không"


class Verdict(models.Model):
    unit_path = "appraisal__dossier__unit"

    appraisal = models.ForeignKey(Appraisal, models.CASCADE, related_name="verdicts")
    criterion = models.CharField("tiêu chí", max_length=16)
    met = models.BooleanField("đạt")
    comment = models.CharField("ý kiến", max_length=255, blank=True)

    objects = ScopedManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["appraisal", "criterion"], name="verdict_once")]

    def __str__(self) -> str:
        return f"Tiêu chí {self.criterion}: {'đạt' if self.met else 'không đạt'}"


class Attachment(models.Model):
    """A typed document of the dossier (kinds and the list required per period: rules.toml)."""

    unit_path = "dossier__unit"

    dossier = models.ForeignKey(Dossier, models.CASCADE, related_name="attachments")
    kind = models.CharField("loại", max_length=32)
    title = models.CharField("tên tài liệu", max_length=200, blank=True)
    file = models.FileField("tệp", upload_to="recognition/dossiers/%Y/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["kind", "at"]

    def __str__(self) -> str:
        return f"{self.title or self.kind}"


class WithdrawalCase(models.Model):
    """Considering whether to withdraw a recognition (§1.5): opened → verified → withdrawn | kept."""

    unit_path = "unit"

    class State(models.TextChoices):
        OPENED = "opened", "Đã mở"
        VERIFIED = "verified", "Đã rà soát, xác minh"
        WITHDRAWN = "withdrawn", "Đã thu hồi"
        KEPT = "kept", "Giữ công nhận"

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="withdrawal_cases", verbose_name="đơn vị")
    recognition = models.ForeignKey(Recognition, models.PROTECT, related_name="withdrawal_cases")
    state = models.CharField("trạng thái", max_length=16, choices=State.choices, default=State.OPENED)
    evaluation_year = models.PositiveSmallIntegerField("năm đánh giá")
    failing = models.JSONField("tiêu chí không đạt", default=list)
    share_failing = models.FloatField("tỷ lệ tiêu chí không đạt", default=0)
    reason = models.TextField("căn cứ")
    decision_number = models.CharField("số quyết định", max_length=64, blank=True)
    decision_date = models.DateField("ngày quyết định", null=True, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = "hồ sơ xem xét thu hồi"
        verbose_name_plural = "hồ sơ xem xét thu hồi"
        constraints = [models.UniqueConstraint(fields=["recognition"], condition=Q(state__in=["opened", "verified"]),
                                               name="withdrawal_one_open")]

    def __str__(self) -> str:
        return f"Xem xét thu hồi — {self.recognition}"
