"""Shared tables of the lowest layer."""

from django.db import models


class DataVersion(models.Model):
    """A counter per kind of data, raised whenever that data changes (ntm/core/versions.py); caches
    key their entries by it, so one raise invalidates them in every process, on every machine."""

    name = models.CharField(max_length=32, primary_key=True)
    value = models.BigIntegerField()

    class Meta:
        verbose_name = "phiên bản dữ liệu"
        verbose_name_plural = "phiên bản dữ liệu"

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
