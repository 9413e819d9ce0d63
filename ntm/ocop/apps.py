from django.apps import AppConfig


class OcopConfig(AppConfig):
    name = "ntm.ocop"
    verbose_name = "Sản phẩm OCOP"
    actions = {"ocop.edit": ("province", "commune")}

    def ready(self):
        from ntm.figures.services import register_derived

        from .services import derived_values

        register_derived(derived_values)
