from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and teams"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save

        from accounts.services import profile_ensure_for_new_user

        post_save.connect(
            profile_ensure_for_new_user, sender=get_user_model(), dispatch_uid="accounts-profile"
        )
