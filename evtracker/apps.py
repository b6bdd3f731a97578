from django.apps import AppConfig


class EvtrackerConfig(AppConfig):
    name = "evtracker"
    verbose_name = "EV Entry Tracker"
