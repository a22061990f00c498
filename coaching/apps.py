from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "coaching"
    verbose_name = "Behaviour coaching"

    def ready(self) -> None:
        from django.conf import settings

        from coaching.engine import matching

        # One switch for analysis, rescoring and previews alike (the engine reads no settings).
        matching.TOLERANT_BY_DEFAULT = settings.AIZUCHI_TOLERANT_READINGS
