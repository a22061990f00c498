from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy"

    def ready(self) -> None:
        # Files and audit rows follow every deletion, however it happens (page, admin, cascade).
        from privacy import signals

        signals.connect()
