from django.apps import AppConfig


class OrchestrationConfig(AppConfig):
    name = "orchestration"

    def ready(self):
        from . import reactions

        reactions.connect()
