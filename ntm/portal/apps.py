from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "ntm.portal"
    verbose_name = "Cổng công khai"

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from ntm.community.models import Campaign, Commendation, CulturalTitle, Feedback
        from ntm.figures.signals import figures_changed
        from ntm.ocop.models import OcopProduct
        from ntm.practices.models import NewsPost, Practice

        from .cache import bump

        figures_changed.connect(bump, dispatch_uid="portal.figures")
        # Recognitions raise the `results` version (reports.apps), which the portal's keys include.
        for model in (Feedback, Campaign, Commendation, CulturalTitle, OcopProduct, NewsPost, Practice):
            post_save.connect(bump, sender=model, dispatch_uid=f"portal.save.{model.__name__}")
            post_delete.connect(bump, sender=model, dispatch_uid=f"portal.delete.{model.__name__}")
        m2m_changed.connect(bump, sender=NewsPost.lessons.through, dispatch_uid="portal.news.lessons")
