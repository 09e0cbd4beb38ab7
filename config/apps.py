from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The wiring: installed as an app only for its management command (``load_demo``, which
    loads every app's demo data); it has no models."""

    name = "config"
