from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ntm.core"
    verbose_name = "Chung"
