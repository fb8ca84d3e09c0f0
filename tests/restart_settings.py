"""Settings of the gunicorn tests/test_db_restart_live.py starts: the production settings (DEBUG off, read from
the environment as usual), with static files named but not collected, since the test reads pages, not their
assets (collecting and compressing them would take two minutes)."""

from pmf.settings import *  # noqa: F403
from pmf.settings import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
