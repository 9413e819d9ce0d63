from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "ntm.evaluations"
    verbose_name = "Kết quả đánh giá"
    actions = {"evaluations.recompute": ("province",)}

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from ntm.criteria.signals import set_published
        from ntm.figures.live import register_past
        from ntm.figures.services import register_derived
        from ntm.figures.signals import figures_changed, figures_changing
        from ntm.units.models import Unit
        from ntm.units.signals import classification_changed

        from .recompute import district_rollup_values, past_for
        from .rollup import DISTRICT_FIELDS
        from .services import on_classification_changed, on_figures_changed, on_figures_changing, on_set_published

        figures_changing.connect(on_figures_changing, dispatch_uid="evaluations.prepare")
        figures_changed.connect(on_figures_changed, dispatch_uid="evaluations.recompute")
        set_published.connect(on_set_published, dispatch_uid="evaluations.set_published")
        classification_changed.connect(on_classification_changed, dispatch_uid="evaluations.classification")
        # only a unit with xã under it gets counts: a district, or a province (its xã since 2025)
        register_derived(district_rollup_values, fields=DISTRICT_FIELDS,
                         source=_("kết quả đánh giá đã lưu của các xã trong huyện"),
                         levels=(Unit.Level.DISTRICT, Unit.Level.PROVINCE))
        register_past(past_for)  # live pages read units' past values as the recompute does
