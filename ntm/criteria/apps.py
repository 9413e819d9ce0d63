from django.apps import AppConfig


class CriteriaConfig(AppConfig):
    name = "ntm.criteria"
    verbose_name = "Bộ tiêu chí"

    def ready(self):
        from django.core.signals import request_finished, request_started
        from django.db.models.signals import post_delete, post_save

        from .loader import registry
        from .models import CriteriaSet

        # the registry asks the database once per request whether a set was published (see _Registry)
        request_started.connect(registry.request_started, dispatch_uid="criteria.registry.start")
        request_finished.connect(registry.request_finished, dispatch_uid="criteria.registry.finish")
        post_save.connect(registry.cache_clear, sender=CriteriaSet, dispatch_uid="criteria.registry.saved")
        post_delete.connect(registry.cache_clear, sender=CriteriaSet, dispatch_uid="criteria.registry.deleted")
