from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ntm.accounts"
    verbose_name = "Người dùng và phân quyền"
    # "accounts.manage_users" is given to no role: national administrators only.
    actions = {"accounts.audit": ("province", "commune", "appraisal", "supervisor"), "accounts.manage_users": ()}

    def ready(self):
        from ntm.core.scoping import install_policy

        from .scope import restrict

        install_policy(restrict)
