from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Webhooks and CRM"

    def ready(self) -> None:
        # Other apps send signals; only this app knows who listens (they never import it).
        from integrations import receivers

        receivers.connect()
