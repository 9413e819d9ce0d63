"""Administrative units with validity periods and lineage (old → new, many-to-many)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ntm.core.scoping import ScopedManager
from ntm.core.text import fold

REFORM_DATE = dt.date(2025, 7, 1)  # districts abolished, communes merged (NQ 202/2025/QH15 and the UBTVQH resolutions)


def valid_in(year: int, prefix: str = "") -> models.Q:
    """Units in force on 1 January of `year` (the rule figures follow: ntm.figures.rules.accepts_year);
    `prefix` reaches them through a relation, e.g. "unit__"."""
    day = dt.date(year, 1, 1)
    return (models.Q(**{f"{prefix}valid_from__isnull": True}) | models.Q(**{f"{prefix}valid_from__lte": day})) & (
        models.Q(**{f"{prefix}valid_to__isnull": True}) | models.Q(**{f"{prefix}valid_to__gte": day}))


class Unit(models.Model):
    unit_path = ""  # scoped as itself (see ntm.core.scoping)

    class Scheme(models.TextChoices):
        CURRENT = "current", _("Hiện hành (từ 01/07/2025)")
        LEGACY = "legacy", _("Trước 01/07/2025")
        LOCAL = "local", _("Do địa phương lập")  # hamlets: not in the official lists

    class Level(models.TextChoices):
        PROVINCE = "province", _("Tỉnh")
        DISTRICT = "district", _("Huyện")
        COMMUNE = "commune", _("Xã")
        HAMLET = "hamlet", _("Thôn")

    scheme = models.CharField("hệ mã", max_length=8, choices=Scheme.choices)
    code = models.CharField("mã", max_length=16)
    level = models.CharField("cấp", max_length=8, choices=Level.choices)
    kind = models.CharField("loại", max_length=32)  # xã, phường, thị trấn, đặc khu, huyện, quận, thôn…
    name = models.CharField("tên", max_length=128)
    full_name = models.CharField("tên đầy đủ", max_length=160)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name="thuộc")
    province = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="+", verbose_name="tỉnh"
    )  # denormalised top of the tree: scoping and filters need it in one join
    region = models.CharField("vùng", max_length=8, blank=True)
    valid_from = models.DateField("hiệu lực từ", null=True, blank=True)
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)
    search_name = models.CharField(max_length=160, db_index=True, editable=False)
    predecessors = models.ManyToManyField(
        "self", through="Lineage", symmetrical=False, related_name="successors", through_fields=("target", "source")
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = "đơn vị hành chính"
        verbose_name_plural = "đơn vị hành chính"
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="unit_scheme_code")]
        indexes = [models.Index(fields=["level", "scheme"]), models.Index(fields=["province", "level"])]
        ordering = ["scheme", "code"]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.search_name = fold(self.full_name)
        super().save(*args, **kwargs)

    @property
    def is_legacy(self) -> bool:
        return self.scheme == self.Scheme.LEGACY

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def ancestors(self) -> list[Unit]:
        chain, node = [], self.parent
        while node is not None:
            chain.insert(0, node)
            node = node.parent
        return chain


class Lineage(models.Model):
    """One old unit flowing (wholly or partly) into one new unit on a date. Scoped by the new unit."""

    unit_path = "target"

    source = models.ForeignKey(Unit, models.CASCADE, related_name="successor_links", verbose_name="đơn vị cũ")
    target = models.ForeignKey(Unit, models.CASCADE, related_name="predecessor_links", verbose_name="đơn vị mới")
    partial = models.BooleanField("một phần", default=False)  # the old unit was split over several new ones
    date = models.DateField("ngày", default=REFORM_DATE)

    class Meta:
        verbose_name = "kế thừa"
        verbose_name_plural = "kế thừa"
        constraints = [models.UniqueConstraint(fields=["source", "target"], name="lineage_pair")]

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id}"


class Classification(models.Model):
    """What a unit is for a criteria scheme in a period: commune group, specially disadvantaged…

    The region is on the unit itself (it follows from lineage); these rows are the per-period
    facts a province declares.
    """

    class Scheme(models.TextChoices):
        REGION = "region", "Vùng (ghi đè)"
        GROUP = "group", "Nhóm xã (1/2/3)"
        FLAG = "flag", "Đặc điểm (đặc biệt khó khăn, an toàn khu…)"

    unit_path = "unit"

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="classifications")
    scheme = models.CharField(max_length=8, choices=Scheme.choices)
    value = models.CharField(max_length=16)
    year_from = models.PositiveSmallIntegerField()
    year_to = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.CharField("căn cứ", max_length=255, blank=True)
    inputs = models.JSONField("dữ kiện phân nhóm", default=dict, blank=True)  # what the group was decided from
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    set_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = "phân loại"
        verbose_name_plural = "phân loại"
        indexes = [models.Index(fields=["unit", "scheme"])]

    def __str__(self) -> str:
        return f"{self.unit} — {self.scheme}={self.value} ({self.year_from}–{self.year_to or '…'})"

    def covers(self, year: int) -> bool:
        return self.year_from <= year and (self.year_to is None or year <= self.year_to)


def lineage_ancestors(unit_ids: list[int]) -> list[int]:
    """Ids of every unit that flowed into these, through each reorganisation in turn (2025, 2024,
    2019…), nearest first; one query per step back."""
    seen, frontier, out = set(unit_ids), list(unit_ids), []
    while frontier:
        step = [s for s in Lineage.objects.filter(target_id__in=frontier).values_list("source_id", flat=True).distinct()
                if s not in seen]
        seen.update(step)
        out += step
        frontier = step
    return out

