from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "ntm.reports"
    verbose_name = "Báo cáo, bảng điều khiển"
