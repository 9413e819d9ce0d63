from django.apps import AppConfig


class PracticesConfig(AppConfig):
    name = "ntm.practices"
    verbose_name = "Bài học kinh nghiệm, tin tức"
    actions = {"practices.publish": ("province", "commune")}
