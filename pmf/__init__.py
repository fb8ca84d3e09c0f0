"""Project package and organisation core of the performance-management framework."""

from .celery import app as celery_app

__all__ = ("celery_app",)
