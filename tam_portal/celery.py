import os

from celery import Celery

from . import worker_heartbeat  # noqa: F401  (connects the heartbeat /health/ reads)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tam_portal.settings")

app = Celery("tam_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
