from django.apps import AppConfig


class FiguresConfig(AppConfig):
    name = "ntm.figures"
    verbose_name = "Số liệu"
