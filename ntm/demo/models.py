from django.db import models


class DemoRun(models.Model):
    """Written in the same transaction as the demo data: present means the demo is complete."""

    seed = models.PositiveIntegerField(unique=True)
    finished_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"demo seed {self.seed}"
