from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo councils (``manage.py load_demo``) and the benchmarks. It may import every app; none imports it."""

    name = "demo"
    verbose_name = "Demo councils"
