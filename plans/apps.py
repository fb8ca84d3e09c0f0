from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "Plans (golden thread)"

    def ready(self) -> None:
        from plans import access  # noqa: F401  (registers this app's access rules; models must be loaded first)
