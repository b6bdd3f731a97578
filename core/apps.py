from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Editorial workflow"

    def ready(self) -> None:
        from core.changes import connect_change_signals  # models are loaded only now

        # Every write to curated data moves the dataset version on (core/changes.py).
        connect_change_signals()
