from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ntm.api"
    verbose_name = "API"
