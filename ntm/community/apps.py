from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "ntm.community"
    verbose_name = "Người dân, thi đua, khen thưởng"
    actions = {
        "community.answer": ("commune",),
        "community.moderate": ("commune", "supervisor", "province"),
        "community.supervise": ("supervisor", "province"),
        "community.commend": ("province", "commune"),
    }
