from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self):
        from tam_portal import lookups  # noqa: F401  (registers the `__any` lookup)
