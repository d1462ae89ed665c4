from django.apps import AppConfig


class PrioritizationConfig(AppConfig):
    name = "prioritization"
