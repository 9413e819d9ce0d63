from django.apps import AppConfig


class OcopConfig(AppConfig):
    name = "ntm.ocop"
    verbose_name = "Sản phẩm OCOP"
    actions = {"ocop.edit": ("province", "commune")}

    def ready(self):
        from django.urls import reverse
        from django.utils.translation import gettext_lazy as _

        from ntm.figures.services import register_derived

        from . import stars
        from .services import derived_values

        register_derived(derived_values, fields=[d["field"] for d in stars.rules().derived],
                         source=_("sổ sản phẩm OCOP (trang OCOP của xã)"),
                         link=lambda unit_id: reverse("ocop:unit", args=[unit_id]))
