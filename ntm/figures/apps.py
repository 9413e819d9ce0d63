from django.apps import AppConfig


class FiguresConfig(AppConfig):
    name = "ntm.figures"
    verbose_name = "Số liệu"
    # Reopening a closed year is given to no role: national administrators only (with a reason).
    actions = {
        "figures.edit": ("province", "commune", "hamlet"),
        "figures.close_period": ("province",),
        "figures.reopen_period": (),
    }
