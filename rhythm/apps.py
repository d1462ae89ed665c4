from django.apps import AppConfig


class RhythmConfig(AppConfig):
    name = "rhythm"
