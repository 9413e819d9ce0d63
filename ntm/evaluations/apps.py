from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "ntm.evaluations"
    verbose_name = "Kết quả đánh giá"

    def ready(self):
        from ntm.figures.services import register_derived
        from ntm.figures.signals import figures_changed

        from .recompute import district_rollup_values
        from .services import on_figures_changed

        figures_changed.connect(on_figures_changed, dispatch_uid="evaluations.recompute")
        register_derived(district_rollup_values)
