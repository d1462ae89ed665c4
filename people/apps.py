from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "People and teams"

    def ready(self):
        # Connects the receiver that stamps a new session's last-seen time.
        from people import sessions  # noqa: F401
