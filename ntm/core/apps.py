from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ntm.core"
    verbose_name = "Chung"

    def ready(self):
        # `<id:pk>` and `<year:year>` for every app's urls.py (ntm/core/params.py): a number no
        # database column can hold is a 404 from the resolver, never a 500.
        from django.urls import register_converter

        from .params import IdConverter, YearConverter

        register_converter(IdConverter, "id")
        register_converter(YearConverter, "year")
