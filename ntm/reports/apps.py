from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "ntm.reports"
    verbose_name = "Báo cáo, bảng điều khiển"

    def ready(self):
        # Dashboards cache their figures under the `results` data version (core/versions.py): stored
        # evaluations raise it where they are written; what else the dashboards show raises it here.
        from django.db.models.signals import post_delete, post_save

        from ntm.core import versions
        from ntm.recognition.models import Recognition
        from ntm.units.models import Lineage, Unit

        from .models import MapLayer

        changed = versions.receiver(versions.RESULTS)
        self._receivers = [changed]  # signals hold receivers weakly
        for model in (Recognition, MapLayer, Unit, Lineage):
            post_save.connect(changed, sender=model, dispatch_uid=f"reports.results.save.{model.__name__}")
            post_delete.connect(changed, sender=model, dispatch_uid=f"reports.results.delete.{model.__name__}")
