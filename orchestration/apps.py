from django.apps import AppConfig


class OrchestrationConfig(AppConfig):
    name = "orchestration"
    # What an admin looks for in the menu: the runs, not the layer they belong to.
    verbose_name = "Recompute"

    def ready(self):
        from . import reactions

        reactions.connect()
