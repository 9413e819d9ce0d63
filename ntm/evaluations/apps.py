from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "ntm.evaluations"
    verbose_name = "Kết quả đánh giá"
