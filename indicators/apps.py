from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "Indicators and returns"

    def ready(self) -> None:
        from indicators import access  # noqa: F401  (registers this app's access rules; models must be loaded first)
