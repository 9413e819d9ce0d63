from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ntm.accounts"
    verbose_name = "Người dùng và phân quyền"
