"""The Celery app. Without REDIS_URL tasks run in-process (eager); with it, on a real worker."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmf.settings")

app = Celery("pmf")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
