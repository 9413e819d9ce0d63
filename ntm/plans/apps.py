from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "ntm.plans"
    verbose_name = "Kế hoạch và nhiệm vụ"
    actions = {
        # plans, tasks, organisations, committees, assignments, residents' priorities, reviews
        "plans.edit": ("province", "commune"),
        # the cost catalogue is the province's
        "plans.catalogue": ("province",),
    }
