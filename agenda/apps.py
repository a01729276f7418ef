from django.apps import AppConfig


class AgendaConfig(AppConfig):
    name = "agenda"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the receivers
